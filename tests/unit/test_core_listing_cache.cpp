// SPDX-License-Identifier: MIT
// ListingCache: a listing comes back only for the directory stat it was recorded with,
// racy listings are not kept, the file round-trips any name, and an unchanged cache is not
// written again. Dir::entries_named: the stat of known names, or nothing when one is gone.
#include <catch2/catch.hpp>

#include "test_support.hpp"

#include <filesystem>
#include <string>
#include <vector>

#include <sys/stat.h>

#include "core/listing_cache.hpp"
#include "core/system_root.hpp"

using namespace twin;
namespace fs = std::filesystem;
using twin_test::read_file;
using twin_test::TempDir;
using twin_test::write_file;

namespace {

constexpr std::int64_t k_second = 1'000'000'000;

FileStat dir_stat(std::uint64_t inode, std::int64_t mtime_ns, std::int64_t ctime_ns) {
  FileStat st;
  st.type = FileType::directory;
  st.inode = inode;
  st.mtime_ns = mtime_ns;
  st.ctime_ns = ctime_ns;
  return st;
}

std::vector<Dir::Entry> named(const std::vector<std::string>& names) {
  std::vector<Dir::Entry> out;
  for (const auto& n : names)
    out.push_back(Dir::Entry{n, FileStat{}});
  return out;
}

std::vector<std::string> strings(const std::vector<std::string_view>* names) {
  REQUIRE(names);
  return {names->begin(), names->end()};
}

ino_t inode_of(const fs::path& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_ino;
}

} // namespace

TEST_CASE("ListingCache gives a listing back only for the stat it was recorded with") {
  TempDir tmp{"listings"};
  std::string path = (tmp.path() / "listings.cache").string();
  std::int64_t now = 1'700'000'000 * k_second;
  FileStat etc = dir_stat(12, now - 10 * k_second, now - 9 * k_second);
  {
    ListingCache cache = ListingCache::load(path); // missing: empty
    CHECK_FALSE(cache.lookup("/etc", etc));
    cache.record("/etc", etc, now, named({"a b", "hosts", "new\nline", "\xc3\xa9t\xc3\xa9"}));
    // Changed in the two seconds before it was listed: a change in the same tick could
    // have left the stat as it was.
    cache.record("/etc/racy", dir_stat(13, now - k_second, now - k_second), now, named({"x"}));
    cache.record("/etc/racy-ctime", dir_stat(14, now - 9 * k_second, now - 1), now, named({"x"}));
    cache.save(path);
  }
  ListingCache cache = ListingCache::load(path);
  CHECK(strings(cache.lookup("/etc", etc)) ==
        std::vector<std::string>{"a b", "hosts", "new\nline", "\xc3\xa9t\xc3\xa9"});
  CHECK_FALSE(cache.lookup("/etc/racy", dir_stat(13, now - k_second, now - k_second)));
  CHECK_FALSE(cache.lookup("/etc/racy-ctime", dir_stat(14, now - 9 * k_second, now - 1)));
  CHECK_FALSE(cache.lookup("/etc", dir_stat(99, etc.mtime_ns, etc.ctime_ns)));
  CHECK_FALSE(cache.lookup("/etc", dir_stat(12, etc.mtime_ns + 1, etc.ctime_ns)));
  CHECK_FALSE(cache.lookup("/etc", dir_stat(12, etc.mtime_ns, etc.ctime_ns + 1)));
  CHECK_FALSE(cache.lookup("/et", etc));

  // Every listing looked up and found, nothing recorded: the file is left as it is.
  ino_t inode = inode_of(path);
  cache.save(path);
  CHECK(inode_of(path) == inode);
}

TEST_CASE("ListingCache keeps what was looked up or recorded, and distrusts a damaged file") {
  TempDir tmp{"listings"};
  std::string path = (tmp.path() / "listings.cache").string();
  std::int64_t now = 1'700'000'000 * k_second;
  FileStat a = dir_stat(1, now - 10 * k_second, now - 10 * k_second);
  FileStat b = dir_stat(2, now - 10 * k_second, now - 10 * k_second);
  {
    ListingCache cache = ListingCache::load(path);
    cache.record("/a", a, now, named({"one"}));
    cache.record("/b", b, now, named({"two"}));
    cache.save(path);
  }
  {
    // /a is still there and /b was removed (never looked up); /c is new.
    ListingCache cache = ListingCache::load(path);
    CHECK(cache.lookup("/a", a));
    cache.record("/c", b, now, named({}));
    cache.save(path);
  }
  {
    ListingCache cache = ListingCache::load(path);
    CHECK(cache.lookup("/a", a));
    CHECK_FALSE(cache.lookup("/b", b));
    CHECK(strings(cache.lookup("/c", b)).empty());
  }
  std::string text = read_file(path);
  write_file(path, text.substr(0, text.size() - 3)); // cut in the middle of a record
  ListingCache cache = ListingCache::load(path);
  CHECK_FALSE(cache.lookup("/a", a));

  // Names the walker could not take from a directory listing: the file is not trusted.
  for (const auto& names : std::vector<std::vector<std::string>>{
           {"../escape"}, {"a/b"}, {"."}, {""}, {"b", "a"}, {"a", "a"}}) {
    ListingCache bad = ListingCache::load("/nonexistent");
    bad.record("/a", a, now, named(names));
    bad.save(path);
    CHECK_FALSE(ListingCache::load(path).lookup("/a", a));
  }
}

TEST_CASE("Dir::entries_named stats the names it is given, or says one is gone") {
  TempDir tmp{"listings"};
  write_file(tmp.path() / "d/file", "x");
  fs::create_directories(tmp.path() / "d/sub");
  auto root = SystemRoot::open(tmp.path().string());
  REQUIRE(root);
  auto dir = root->open_dir("/d");
  REQUIRE(dir);
  auto listed = dir->entries();
  REQUIRE(listed);
  auto known = dir->entries_named({"file", "sub"});
  REQUIRE(known);
  REQUIRE(known->has_value());
  REQUIRE((*known)->size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK((**known)[i].name == (*listed)[i].name);
    CHECK((**known)[i].stat.inode == (*listed)[i].stat.inode);
    CHECK((**known)[i].stat.type == (*listed)[i].stat.type);
  }
  auto gone = dir->entries_named({"file", "removed"});
  REQUIRE(gone);
  CHECK_FALSE(gone->has_value());
  // Listing again after a listing rewinds the descriptor.
  auto again = dir->entries();
  REQUIRE(again);
  CHECK(again->size() == 2);
}
