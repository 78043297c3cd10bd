// SPDX-License-Identifier: MIT
// The small pure pieces of files.mirror: the entry model (modes, mirror paths, the live and
// desired YAML forms, projection onto managed fields), account names parsed from the
// root's passwd/group, exclude rules, and the stat cache file.
#include <catch2/catch.hpp>

#include <fnmatch.h>

#include "test_support.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/stat.h>

#include <fmt/format.h>

#include "core/stat_cache.hpp"
#include "plugins/files_mirror/account_names.hpp"
#include "plugins/files_mirror/exclude.hpp"
#include "plugins/files_mirror/file_entry.hpp"

using namespace twin;
using namespace twin::files;
namespace fs = std::filesystem;

using twin_test::TempDir;
using twin_test::write_file;

namespace {

const std::string k_sha = std::string(64, 'a');

FileEntry regular(const std::string& path) {
  FileEntry e;
  e.path = path;
  e.type = FileType::file;
  e.mode = "0640";
  e.owner = "root";
  e.group = "adm";
  e.size = 42;
  e.sha256 = k_sha;
  e.content = Content::stored;
  return e;
}

FileEntry symlink_entry(const std::string& path, const std::string& target) {
  FileEntry e;
  e.path = path;
  e.type = FileType::symlink;
  e.mode = "0777";
  e.owner = "root";
  e.group = "root";
  e.target = target;
  return e;
}

FileEntry of_type(const std::string& path, FileType type) {
  FileEntry e;
  e.path = path;
  e.type = type;
  e.mode = "0755";
  e.owner = "root";
  e.group = "root";
  return e;
}

void check_same_entry(const FileEntry& a, const FileEntry& b) {
  CHECK(a.path == b.path);
  CHECK(a.type == b.type);
  CHECK(a.mode == b.mode);
  CHECK(a.owner == b.owner);
  CHECK(a.group == b.group);
  CHECK(a.size == b.size);
  CHECK(a.sha256 == b.sha256);
  CHECK(a.target == b.target);
  CHECK(a.content == b.content);
}

// A stat as the source file or its live/filesystem copy would have it.
FileStat file_stat(std::uint64_t inode, std::uint64_t size, std::int64_t mtime_ns) {
  FileStat st;
  st.type = FileType::file;
  st.inode = inode;
  st.size = size;
  st.mtime_ns = mtime_ns;
  st.ctime_ns = mtime_ns;
  return st;
}

constexpr std::int64_t k_second = 1'000'000'000;
constexpr std::int64_t k_now = 1'700'000'000 * k_second;
constexpr std::int64_t k_old_time = k_now - 3600 * k_second;
constexpr std::uint64_t k_max = 1024 * 1024;

// A cache entry for source inode 10 (size 5, an hour old) whose copy is inode 20.
CacheEntry old_entry() {
  return CacheEntry{10, 5, k_old_time, k_old_time, k_sha, 20, k_old_time};
}

// The stat of a source file as `e` recorded it.
FileStat source_of(const CacheEntry& e) {
  FileStat st = file_stat(e.inode, e.size, e.mtime_ns);
  st.ctime_ns = e.ctime_ns;
  return st;
}

} // namespace

// --- modes and paths -------------------------------------------------------------------

TEST_CASE("format_mode writes four octal digits and drops the file type bits", "[files]") {
  CHECK(format_mode(0644) == "0644");
  CHECK(format_mode(0) == "0000");
  CHECK(format_mode(04755) == "4755");
  CHECK(format_mode(01777) == "1777");
  CHECK(format_mode(0100600) == "0600"); // S_IFREG | 0600
}

TEST_CASE("mirror_path puts a logical path below a tree", "[files]") {
  CHECK(mirror_path("filesystem", "/etc/motd") == "filesystem/etc/motd");
  CHECK(mirror_path("live/filesystem", "/etc/ssh/sshd_config") ==
        "live/filesystem/etc/ssh/sshd_config");
}

// --- live form -------------------------------------------------------------------------

TEST_CASE("live_value of a stored file records size and sha256, no content marker", "[files]") {
  Value v = live_value(regular("/etc/motd"));
  CHECK(v.get_string("path") == "/etc/motd");
  CHECK(v.get_string("type") == "file");
  CHECK(v.get_string("mode") == "0640");
  CHECK(v.get_string("owner") == "root");
  CHECK(v.get_string("group") == "adm");
  REQUIRE(v.find("size"));
  CHECK(v.find("size")->as_int() == 42);
  CHECK(v.get_string("sha256") == k_sha);
  CHECK(v.find("content") == nullptr);
  CHECK(v.find("skipped") == nullptr);
}

TEST_CASE("live_value marks too large and unreadable files instead of a sha256", "[files]") {
  FileEntry big = regular("/etc/big");
  big.content = Content::too_large;
  big.sha256.clear();
  CHECK(live_value(big).get_string("content") == "too_large");
  CHECK(live_value(big).find("sha256") == nullptr);

  FileEntry locked = regular("/etc/locked");
  locked.content = Content::unreadable;
  locked.sha256.clear();
  CHECK(live_value(locked).get_string("content") == "unreadable");
}

TEST_CASE("live_value of a FIFO says skipped, of a symlink gives its target", "[files]") {
  Value fifo = live_value(of_type("/etc/initctl", FileType::fifo));
  CHECK(fifo.get_string("type") == "fifo");
  REQUIRE(fifo.find("skipped"));
  CHECK(fifo.find("skipped")->as_bool());
  CHECK(fifo.find("size") == nullptr);

  Value link = live_value(symlink_entry("/etc/localtime", "/usr/share/zoneinfo/UTC"));
  CHECK(link.get_string("target") == "/usr/share/zoneinfo/UTC");
  CHECK(link.find("skipped") == nullptr);
  CHECK(link.find("size") == nullptr);
}

TEST_CASE("entry_from_live reads back what live_value wrote, for every kind of entry", "[files]") {
  FileEntry big = regular("/etc/big");
  big.content = Content::too_large;
  big.sha256.clear();
  FileEntry locked = regular("/etc/locked");
  locked.content = Content::unreadable;
  locked.sha256.clear();

  for (const FileEntry& original :
       {regular("/etc/motd"), big, locked, of_type("/etc/ssh", FileType::directory),
        symlink_entry("/etc/localtime", "/usr/share/zoneinfo/UTC"),
        of_type("/etc/initctl", FileType::fifo), of_type("/etc/sock", FileType::socket),
        of_type("/etc/null", FileType::char_device)}) {
    DYNAMIC_SECTION(original.path) {
      auto back = entry_from_live(live_value(original));
      REQUIRE(back);
      check_same_entry(*back, original);
      CHECK(back->skipped() == original.skipped());
    }
  }
}

TEST_CASE("entry_from_live refuses an item without a path or with an unknown type", "[files]") {
  Value no_path;
  no_path["type"] = "file";
  CHECK_FALSE(entry_from_live(no_path));

  Value bad_type;
  bad_type["path"] = "/etc/x";
  bad_type["type"] = "wormhole";
  CHECK_FALSE(entry_from_live(bad_type));
}

TEST_CASE("only files, directories and symlinks are managed; the rest is skipped", "[files]") {
  CHECK_FALSE(regular("/etc/a").skipped());
  CHECK_FALSE(of_type("/etc/d", FileType::directory).skipped());
  CHECK_FALSE(symlink_entry("/etc/l", "x").skipped());
  for (FileType t : {FileType::fifo, FileType::socket, FileType::char_device,
                     FileType::block_device, FileType::unknown})
    CHECK(of_type("/etc/x", t).skipped());
}

// --- desired form ----------------------------------------------------------------------

TEST_CASE("desired_value of a stored file points twin_path into filesystem/", "[files]") {
  Value v = desired_value(regular("/etc/ssh/sshd_config"));
  CHECK(v.get_string("path") == "/etc/ssh/sshd_config");
  CHECK(v.get_string("type") == "file");
  CHECK(v.get_string("mode") == "0640");
  CHECK(v.get_string("owner") == "root");
  CHECK(v.get_string("group") == "adm");
  CHECK(v.get_string("sha256") == k_sha);
  CHECK(v.get_string("twin_path") == "filesystem/etc/ssh/sshd_config");
  CHECK(v.find("size") == nullptr);
  CHECK(v.find("ensure") == nullptr);
}

TEST_CASE("desired_value of a too large file manages metadata only", "[files]") {
  FileEntry big = regular("/etc/big");
  big.content = Content::too_large;
  big.sha256.clear();
  Value v = desired_value(big);
  CHECK(v.find("twin_path") == nullptr);
  CHECK(v.find("sha256") == nullptr);
  CHECK(v.get_string("mode") == "0640");
}

TEST_CASE("desired_value of a symlink keeps its target, of a directory has no content", "[files]") {
  Value link = desired_value(symlink_entry("/etc/localtime", "/usr/share/zoneinfo/UTC"));
  CHECK(link.get_string("type") == "symlink");
  CHECK(link.get_string("target") == "/usr/share/zoneinfo/UTC");
  CHECK(link.find("twin_path") == nullptr);

  Value dir = desired_value(of_type("/etc/ssh", FileType::directory));
  CHECK(dir.get_string("type") == "directory");
  CHECK(dir.find("twin_path") == nullptr);
  CHECK(dir.find("target") == nullptr);
}

TEST_CASE("desired_from_value reads a state item back, fields left out stay unset", "[files]") {
  auto full = desired_from_value(desired_value(regular("/etc/motd")));
  REQUIRE(full);
  CHECK(full->path == "/etc/motd");
  CHECK_FALSE(full->absent);
  CHECK(full->type == FileType::file);
  CHECK(full->mode == "0640");
  CHECK(full->owner == "root");
  CHECK(full->group == "adm");
  CHECK(full->twin_path == "filesystem/etc/motd");
  CHECK(full->sha256 == k_sha);
  CHECK_FALSE(full->target);

  Value sparse;
  sparse["path"] = "/etc/old.conf";
  sparse["ensure"] = "absent";
  auto absent = desired_from_value(sparse);
  REQUIRE(absent);
  CHECK(absent->absent);
  CHECK_FALSE(absent->type);
  CHECK_FALSE(absent->mode);
  CHECK_FALSE(absent->owner);
  CHECK_FALSE(absent->twin_path);

  CHECK_FALSE(desired_from_value(Value::map()));
}

TEST_CASE("desired_entries and live_entries read the files list of a document", "[files]") {
  Value live;
  live["files"].push_back(live_value(regular("/etc/a")));
  live["files"].push_back(live_value(symlink_entry("/etc/b", "a")));
  auto entries = live_entries(live);
  REQUIRE(entries);
  REQUIRE(entries->size() == 2);
  CHECK((*entries)[1].target == "a");

  Value state;
  state["files"].push_back(desired_value(regular("/etc/a")));
  auto desired = desired_entries(state);
  REQUIRE(desired);
  REQUIRE(desired->size() == 1);
  CHECK((*desired)[0].twin_path == "filesystem/etc/a");

  auto none = live_entries(Value::map());
  REQUIRE(none);
  CHECK(none->empty());
}

// --- facts and projection ---------------------------------------------------------------

TEST_CASE("facts_of takes content from the sha256, or the size when not stored", "[files]") {
  CHECK(facts_of(regular("/etc/a")).content == k_sha);

  FileEntry big = regular("/etc/big");
  big.content = Content::too_large;
  CHECK(facts_of(big).content == "size:42");

  FileFacts link = facts_of(symlink_entry("/etc/l", "/x"));
  CHECK(link.target == "/x");
  CHECK_FALSE(link.content);
}

TEST_CASE("project keeps only the fields the desired entry manages", "[files]") {
  FileFacts facts = facts_of(regular("/etc/motd"));

  DesiredFile everything;
  everything.path = "/etc/motd";
  everything.mode = "0640";
  everything.owner = "root";
  everything.group = "adm";
  everything.twin_path = "filesystem/etc/motd";
  CHECK(project(facts, everything) == facts);

  DesiredFile nothing;
  nothing.path = "/etc/motd";
  FileFacts bare = project(facts, nothing);
  CHECK(bare.type == FileType::file);
  CHECK_FALSE(bare.mode);
  CHECK_FALSE(bare.owner);
  CHECK_FALSE(bare.group);
  CHECK_FALSE(bare.content);
  CHECK_FALSE(bare.target);

  DesiredFile mode_only = nothing;
  mode_only.mode = "0600";
  FileFacts projected = project(facts, mode_only);
  CHECK(projected.mode == "0640"); // the observed value, kept because mode is managed
  CHECK_FALSE(projected.owner);
}

// --- account names ---------------------------------------------------------------------

TEST_CASE("account names come from the passwd and group text", "[files]") {
  auto names = AccountNames::parse("root:x:0:0:root:/root:/bin/bash\n"
                                   "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n",
                                   "root:x:0:\nadm:x:4:syslog\n");
  CHECK(names.user(0) == "root");
  CHECK(names.user(1) == "daemon");
  CHECK(names.group(0) == "root");
  CHECK(names.group(4) == "adm");
}

TEST_CASE("an unknown id is written as its number", "[files]") {
  auto names = AccountNames::parse("root:x:0:0::/root:/bin/sh\n", "");
  CHECK(names.user(4242) == "4242");
  CHECK(names.group(0) == "0");
}

TEST_CASE("malformed passwd lines are skipped, the good ones kept", "[files]") {
  auto names = AccountNames::parse("# a comment\n"
                                   "\n"
                                   "no-colons-at-all\n"
                                   "short:x:7\n"         // no field after the id
                                   ":x:8:8::/:/bin/sh\n" // empty name
                                   "word:x:abc:9::/:/bin/sh\n"
                                   "neg:x:-1:9::/:/bin/sh\n"
                                   "huge:x:99999999999:9::/:/bin/sh\n"
                                   "good:x:10:10::/:/bin/sh", // no final newline
                                   "");
  CHECK(names.user(7) == "7");
  CHECK(names.user(8) == "8");
  CHECK(names.user(10) == "good");
  CHECK_FALSE(names.uid("word"));
  CHECK_FALSE(names.uid("neg"));
  CHECK_FALSE(names.uid("huge"));
}

TEST_CASE("the first passwd entry for an id wins, as getpwuid returns it", "[files]") {
  auto names = AccountNames::parse("root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/root:/bin/sh\n",
                                   "wheel:x:10:\nstaff:x:10:\n");
  CHECK(names.user(0) == "root");
  CHECK(names.group(10) == "wheel");
}

TEST_CASE("reverse lookup takes a name or a decimal id", "[files]") {
  auto names = AccountNames::parse("root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/:/bin/sh\n",
                                   "root:x:0:\nusers:x:100:\n");
  CHECK(names.uid("alice") == 1000u);
  CHECK(names.uid("root") == 0u);
  CHECK(names.uid("1234") == 1234u);
  CHECK_FALSE(names.uid("bob"));
  CHECK_FALSE(names.uid(""));
  CHECK_FALSE(names.uid("12x"));
  CHECK(names.gid("users") == 100u);
  CHECK(names.gid("77") == 77u);
  CHECK_FALSE(names.gid("alice"));
}

// --- exclude rules ---------------------------------------------------------------------

TEST_CASE("nested repositories and .gitattributes are always excluded", "[files]") {
  ExcludeRules rules({});
  CHECK(rules.excluded("/etc/.git", ".git"));
  CHECK(rules.excluded("/etc/apache2/.hg", ".hg"));
  CHECK(rules.excluded("/etc/x/.svn", ".svn"));
  CHECK(rules.excluded("/etc/.gitattributes", ".gitattributes"));
  CHECK_FALSE(rules.excluded("/etc/.gitignore", ".gitignore"));
  CHECK_FALSE(rules.excluded("/etc/.github", ".github"));
  CHECK_FALSE(rules.excluded("/etc/motd", "motd"));
}

TEST_CASE("an exclude pattern matches the whole path and '*' crosses '/'", "[files]") {
  ExcludeRules rules({"/etc/*.dpkg-old", "/etc/ld.so.cache", "*.twinbak-*"});
  CHECK(rules.excluded("/etc/foo.dpkg-old", "foo.dpkg-old"));
  CHECK(rules.excluded("/etc/apt/sources.list.dpkg-old", "sources.list.dpkg-old"));
  CHECK(rules.excluded("/etc/ld.so.cache", "ld.so.cache"));
  CHECK_FALSE(rules.excluded("/etc/ld.so.cache.d", "ld.so.cache.d"));
  CHECK_FALSE(rules.excluded("/srv/ld.so.cache", "ld.so.cache"));
  CHECK(rules.excluded("/etc/deep/a/b/motd.twinbak-20240101000000", "motd.twinbak-20240101000000"));
  CHECK_FALSE(rules.excluded("/etc/foo.dpkg-old.bak", "foo.dpkg-old.bak"));
}

TEST_CASE("exclude patterns with bracket expressions and escapes match as fnmatch does",
          "[files]") {
  // Each pattern against paths it matches and paths it does not, decided by fnmatch(3)
  // itself: the prefilter may only skip fnmatch where it cannot match.
  const std::vector<std::string> patterns = {
      "*[~#]",    "*.[oa]", "*[0-9]*",           "*[!a-z]",
      "*[]x]*",   "*\\*x*", "/etc/[ab]*/*.conf", "*[^.]~",
      "*.sw[po]", "*[x",    "*[[:digit:]x]*",    "*[[:alpha:]]1"};
  const std::vector<std::string> paths = {
      "/etc/app.conf~", "/etc/app.conf#", "/etc/lib.a", "/etc/lib.o", "/etc/lib.so",
      "/etc/rc2.d",     "/etc/rc.d",      "/etc/X",     "/etc/]x",    "/etc/*x",
      "/etc/b1/x.conf", "/etc/c1/x.conf", "/etc/a~",    "/etc/.~",    "/etc/.x.swp",
      "/etc/[x",        "/etc/plain",     "/etc/foo1",  "/etc/x"};
  for (const auto& pattern : patterns) {
    ExcludeRules rules({pattern});
    for (const auto& path : paths) {
      CAPTURE(pattern, path);
      std::string name = path.substr(path.rfind('/') + 1);
      CHECK(rules.excluded(path, name) == (fnmatch(pattern.c_str(), path.c_str(), 0) == 0));
    }
  }
}

// --- stat cache ------------------------------------------------------------------------

TEST_CASE("the stat cache round-trips through its file", "[files]") {
  TempDir tmp{"entry"};
  std::string file = tmp.path() / "files.cache";
  StatCache cache = StatCache::empty(k_max);
  cache.record("/etc/motd", old_entry(), k_now);
  cache.save(file, k_now);

  StatCache loaded = StatCache::load(file, k_max);
  FileStat copy = file_stat(20, 5, k_old_time);
  const CacheEntry* hit = loaded.lookup("/etc/motd", file_stat(10, 5, k_old_time), &copy);
  REQUIRE(hit);
  CHECK(hit->sha256 == k_sha);
  CHECK(hit->copy_inode == 20);
  CHECK(loaded.lookup("/etc/other", file_stat(10, 5, k_old_time), &copy) == nullptr);
}

TEST_CASE("a stat cache hit needs the source and its copy unchanged", "[files]") {
  TempDir tmp{"entry"};
  std::string file = tmp.path() / "files.cache";
  StatCache cache = StatCache::empty(k_max);
  cache.record("/etc/motd", old_entry(), k_now);
  cache.save(file, k_now);
  StatCache loaded = StatCache::load(file, k_max);

  FileStat source = file_stat(10, 5, k_old_time);
  FileStat copy = file_stat(20, 5, k_old_time);
  REQUIRE(loaded.lookup("/etc/motd", source, &copy));

  SECTION("no copy") {
    CHECK(loaded.lookup("/etc/motd", source, nullptr) == nullptr);
  }
  SECTION("source modified") {
    FileStat touched = source;
    touched.mtime_ns += 1;
    CHECK(loaded.lookup("/etc/motd", touched, &copy) == nullptr);
  }
  SECTION("source replaced (new inode)") {
    FileStat replaced = source;
    replaced.inode = 11;
    CHECK(loaded.lookup("/etc/motd", replaced, &copy) == nullptr);
  }
  SECTION("source metadata changed (ctime)") {
    FileStat chmodded = source;
    chmodded.ctime_ns += 1;
    CHECK(loaded.lookup("/etc/motd", chmodded, &copy) == nullptr);
  }
  SECTION("copy edited in the work tree") {
    FileStat edited = copy;
    edited.mtime_ns += 1;
    CHECK(loaded.lookup("/etc/motd", source, &edited) == nullptr);
  }
  SECTION("copy replaced by a directory") {
    FileStat dir = copy;
    dir.type = FileType::directory;
    CHECK(loaded.lookup("/etc/motd", source, &dir) == nullptr);
  }
}

TEST_CASE("racy stat cache entries (changed within 2 s of saving) are not saved", "[files]") {
  TempDir tmp{"entry"};
  std::string file = tmp.path() / "files.cache";
  StatCache cache = StatCache::empty(k_max);
  CacheEntry fresh_mtime = old_entry();
  fresh_mtime.mtime_ns = k_now - k_second;
  CacheEntry fresh_ctime = old_entry();
  fresh_ctime.ctime_ns = k_now - k_second;
  CacheEntry just_old_enough = old_entry();
  just_old_enough.mtime_ns = just_old_enough.ctime_ns = k_now - 3 * k_second;
  cache.record("/etc/fresh-mtime", fresh_mtime, k_now);
  cache.record("/etc/fresh-ctime", fresh_ctime, k_now);
  cache.record("/etc/settled", just_old_enough, k_now);
  cache.save(file, k_now);

  StatCache loaded = StatCache::load(file, k_max);
  FileStat copy = file_stat(20, 5, k_old_time);
  CHECK(loaded.lookup("/etc/fresh-mtime", source_of(fresh_mtime), &copy) == nullptr);
  CHECK(loaded.lookup("/etc/fresh-ctime", source_of(fresh_ctime), &copy) == nullptr);
  CHECK(loaded.lookup("/etc/settled", source_of(just_old_enough), &copy) != nullptr);
}

TEST_CASE("a stat cache entry read within 2 s of its change is not saved, however late the save",
          "[files]") {
  // A long first snapshot: a file read right after a change, the cache saved seconds later.
  // A second change in the same timestamp tick, after the read, would keep the stat.
  TempDir tmp{"entry"};
  std::string file = tmp.path() / "files.cache";
  StatCache cache = StatCache::empty(k_max);
  CacheEntry read_soon = old_entry();
  read_soon.mtime_ns = k_now - 5 * k_second;
  CacheEntry read_late = old_entry();
  read_late.mtime_ns = read_late.ctime_ns = k_now - 10 * k_second;
  cache.record("/etc/read-soon", read_soon, k_now - 4 * k_second);
  cache.record("/etc/read-late", read_late, k_now - 4 * k_second);
  cache.save(file, k_now);

  StatCache loaded = StatCache::load(file, k_max);
  FileStat copy = file_stat(20, 5, k_old_time);
  CHECK(loaded.lookup("/etc/read-soon", source_of(read_soon), &copy) == nullptr);
  CHECK(loaded.lookup("/etc/read-late", source_of(read_late), &copy) != nullptr);
}

TEST_CASE("a stat cache saved for another size limit is not used", "[files]") {
  TempDir tmp{"entry"};
  std::string file = tmp.path() / "files.cache";
  StatCache cache = StatCache::empty(k_max);
  cache.record("/etc/motd", old_entry(), k_now);
  cache.save(file, k_now);

  StatCache other = StatCache::load(file, 2 * k_max);
  FileStat copy = file_stat(20, 5, k_old_time);
  CHECK(other.lookup("/etc/motd", file_stat(10, 5, k_old_time), &copy) == nullptr);
}

TEST_CASE("a missing or corrupt stat cache file gives an empty cache; a damaged line is a miss",
          "[files]") {
  TempDir tmp{"entry"};
  std::string file = tmp.path() / "files.cache";
  FileStat source = file_stat(10, 5, k_old_time);
  FileStat copy = file_stat(20, 5, k_old_time);

  SECTION("missing") {
    CHECK(StatCache::load(file, k_max).lookup("/etc/motd", source, &copy) == nullptr);
  }

  // A valid file to damage.
  StatCache cache = StatCache::empty(k_max);
  cache.record("/etc/motd", old_entry(), k_now);
  cache.record("/etc/other", old_entry(), k_now);
  cache.save(file, k_now);
  std::string good;
  {
    std::ifstream in(file, std::ios::binary);
    good.assign(std::istreambuf_iterator<char>(in), {});
  }
  REQUIRE(StatCache::load(file, k_max).lookup("/etc/motd", source, &copy));

  SECTION("garbage") {
    write_file(file, "this is not a cache\n\x01\x02");
    CHECK(StatCache::load(file, k_max).lookup("/etc/motd", source, &copy) == nullptr);
  }
  SECTION("truncated in the middle of an entry") {
    write_file(file, good.substr(0, good.size() - 10));
    CHECK(StatCache::load(file, k_max).lookup("/etc/motd", source, &copy) == nullptr);
  }
  SECTION("a field that is not a number") {
    std::string bad = good;
    bad.replace(bad.find(' ', bad.find('\0')), 1, " x");
    write_file(file, bad);
    StatCache damaged = StatCache::load(file, k_max);
    CHECK(damaged.lookup("/etc/motd", source, &copy) == nullptr);
    CHECK(damaged.lookup("/etc/other", source, &copy) != nullptr); // entries are parsed alone
  }
  SECTION("truncated: nothing is trusted") {
    write_file(file, good.substr(0, good.size() - 1)); // the last line lost its newline
    StatCache truncated = StatCache::load(file, k_max);
    CHECK(truncated.lookup("/etc/motd", source, &copy) == nullptr);
    CHECK(truncated.lookup("/etc/other", source, &copy) == nullptr);
  }
}

TEST_CASE("a stat cache whose every entry was hit or recorded unchanged is not rewritten",
          "[files]") {
  TempDir tmp{"entry"};
  std::string file = tmp.path() / "files.cache";
  // Planted out of order: a rewrite would sort it, so equal bytes mean no rewrite.
  auto line = [](const std::string& path, const CacheEntry& e) {
    return path + std::string(1, '\0') +
           fmt::format("{} {} {} {} {} {} {}\n", e.inode, e.size, e.mtime_ns, e.ctime_ns, e.sha256,
                       e.copy_inode, e.copy_mtime_ns);
  };
  const std::string planted = fmt::format("git-twin files cache 1 {}\n", k_max) +
                              line("/etc/zeta", old_entry()) + line("/etc/alpha", old_entry()) +
                              line("/etc/mid", old_entry());
  write_file(file, planted);
  struct stat before {};
  REQUIRE(::stat(file.c_str(), &before) == 0);

  StatCache loaded = StatCache::load(file, k_max);
  FileStat source = file_stat(10, 5, k_old_time);
  FileStat copy = file_stat(20, 5, k_old_time);
  SECTION("every entry looked up") {
    for (const char* path : {"/etc/alpha", "/etc/mid", "/etc/zeta"})
      REQUIRE(loaded.lookup(path, source, &copy));
  }
  SECTION("some looked up, the others recorded unchanged") {
    REQUIRE(loaded.lookup("/etc/mid", source, &copy));
    REQUIRE(loaded.lookup("/etc/zeta", source, nullptr, false)); // observing only
    loaded.record("/etc/alpha", old_entry(), k_now);
  }
  SECTION("every entry recorded unchanged, one also looked up") {
    loaded.record("/etc/alpha", old_entry(), k_now);
    loaded.record("/etc/mid", old_entry(), k_now);
    loaded.record("/etc/zeta", old_entry(), k_now);
    REQUIRE(loaded.lookup("/etc/zeta", source, &copy));
  }
  loaded.save(file, k_now);

  CHECK(twin_test::read_file(file) == planted);
  struct stat after {};
  REQUIRE(::stat(file.c_str(), &after) == 0);
  CHECK(after.st_ino == before.st_ino);
  CHECK(after.st_mtim.tv_sec == before.st_mtim.tv_sec);
  CHECK(after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
}

TEST_CASE("a stat cache drops entries not seen in a run and saves changed ones anew", "[files]") {
  TempDir tmp{"entry"};
  std::string file = tmp.path() / "files.cache";
  {
    StatCache cache = StatCache::empty(k_max);
    for (const char* path :
         {"/etc/hit", "/etc/kept", "/etc/changed", "/etc/removed", "/etc/missed"})
      cache.record(path, old_entry(), k_now);
    cache.save(file, k_now);
  }
  FileStat source = file_stat(10, 5, k_old_time);
  FileStat copy = file_stat(20, 5, k_old_time);
  CacheEntry changed{11,
                     6,
                     k_old_time + k_second,
                     k_old_time + 2 * k_second,
                     std::string(64, 'b'),
                     21,
                     k_old_time + k_second};
  CacheEntry added = old_entry();
  added.sha256 = std::string(64, 'c');
  {
    StatCache cache = StatCache::load(file, k_max);
    REQUIRE(cache.lookup("/etc/hit", source, &copy));
    cache.record("/etc/kept", old_entry(), k_now);
    cache.record("/etc/changed", changed, k_now);
    // "/etc/removed" is not looked up at all: the file is gone from the machine.
    FileStat edited = source;
    edited.mtime_ns += 1;
    CHECK(cache.lookup("/etc/missed", edited, &copy) == nullptr); // a miss keeps nothing
    cache.record("/etc/added", added, k_now);
    cache.save(file, k_now);
  }

  std::string text = twin_test::read_file(file);
  CHECK(text.find("/etc/removed") == std::string::npos);
  CHECK(text.find("/etc/missed") == std::string::npos);

  StatCache loaded = StatCache::load(file, k_max);
  CHECK(loaded.lookup("/etc/removed", source, &copy) == nullptr);
  CHECK(loaded.lookup("/etc/missed", source, &copy) == nullptr);
  CHECK(loaded.lookup("/etc/hit", source, &copy) != nullptr);
  CHECK(loaded.lookup("/etc/kept", source, &copy) != nullptr);
  CHECK(loaded.lookup("/etc/changed", source, &copy) == nullptr); // the old fields no longer hit
  FileStat changed_source = file_stat(11, 6, k_old_time + k_second);
  changed_source.ctime_ns = k_old_time + 2 * k_second;
  FileStat changed_copy = file_stat(21, 6, k_old_time + k_second);
  const CacheEntry* hit = loaded.lookup("/etc/changed", changed_source, &changed_copy);
  REQUIRE(hit);
  CHECK(*hit == changed);
  const CacheEntry* new_hit = loaded.lookup("/etc/added", source, &copy);
  REQUIRE(new_hit);
  CHECK(new_hit->sha256 == std::string(64, 'c'));
}
