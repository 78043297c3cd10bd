// SPDX-License-Identifier: MIT
// The live memo (<git-dir>/twin/live.memo): a live/<fragment>.yaml whose stat and
// observation fingerprint are unchanged gives its recorded blob id without being read;
// racy entries are not saved, damage empties the memo, and an unchanged memo is not
// rewritten.
#include <catch2/catch.hpp>

#include "test_support.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <sys/stat.h>

#include "core/live_memo.hpp"

using namespace twin;
namespace fs = std::filesystem;

using twin_test::read_file;
using twin_test::TempDir;
using twin_test::write_file;

namespace {

constexpr std::int64_t k_second = 1'000'000'000;
constexpr std::int64_t k_now = 1'700'000'000 * k_second;
constexpr std::int64_t k_old_time = k_now - 3600 * k_second;

const std::string k_fingerprint = std::string(64, 'f');
const std::string k_blob = "3b18e512dba79e4c8300dd08aeb37f8e728b8dad";
const std::string k_other_blob = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";

// A git dir with its twin/ directory, where live.memo goes.
std::string make_git_dir(const TempDir& tmp) {
  fs::path git_dir = tmp.path() / "git";
  fs::create_directories(git_dir / "twin");
  return git_dir.string();
}

fs::path memo_file(const std::string& git_dir) {
  return fs::path(git_dir) / "twin" / "live.memo";
}

FileStat written(std::uint64_t inode, std::uint64_t size, std::int64_t mtime_ns,
                 std::int64_t ctime_ns) {
  FileStat st;
  st.type = FileType::file;
  st.mode = 0644;
  st.inode = inode;
  st.size = size;
  st.mtime_ns = mtime_ns;
  st.ctime_ns = ctime_ns;
  return st;
}

FileStat old_stat() {
  return written(100, 2048, k_old_time, k_old_time + 5);
}

struct FileId {
  ino_t inode;
  std::int64_t mtime_ns;
};

FileId file_id(const fs::path& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return FileId{st.st_ino, st.st_mtim.tv_sec * k_second + st.st_mtim.tv_nsec};
}

} // namespace

TEST_CASE("a live memo hit needs the path, the fingerprint and the file's stat unchanged",
          "[memo]") {
  TempDir tmp{"livememo"};
  LiveMemo memo = LiveMemo::load(make_git_dir(tmp));
  const std::string file = "live/files.yaml";
  memo.record(file, k_fingerprint, k_blob, old_stat());

  REQUIRE(memo.blob_for(file, k_fingerprint, old_stat()) == k_blob);

  SECTION("another path") {
    CHECK_FALSE(memo.blob_for("live/packages.yaml", k_fingerprint, old_stat()));
    CHECK_FALSE(memo.blob_for("live/files.yaml.bak", k_fingerprint, old_stat()));
  }
  SECTION("another fingerprint (the machine changed)") {
    CHECK_FALSE(memo.blob_for(file, std::string(64, 'e'), old_stat()));
  }
  SECTION("no fingerprint") {
    CHECK_FALSE(memo.blob_for(file, "", old_stat()));
  }
  SECTION("another inode (the file was replaced)") {
    FileStat st = old_stat();
    st.inode += 1;
    CHECK_FALSE(memo.blob_for(file, k_fingerprint, st));
  }
  SECTION("another size") {
    FileStat st = old_stat();
    st.size += 1;
    CHECK_FALSE(memo.blob_for(file, k_fingerprint, st));
  }
  SECTION("another mtime (edited in the work tree)") {
    FileStat st = old_stat();
    st.mtime_ns += 1;
    CHECK_FALSE(memo.blob_for(file, k_fingerprint, st));
  }
  SECTION("another ctime") {
    FileStat st = old_stat();
    st.ctime_ns += 1;
    CHECK_FALSE(memo.blob_for(file, k_fingerprint, st));
  }
  SECTION("recording again replaces the entry") {
    FileStat st = written(101, 10, k_old_time, k_old_time);
    memo.record(file, std::string(64, 'e'), k_other_blob, st);
    CHECK_FALSE(memo.blob_for(file, k_fingerprint, old_stat()));
    CHECK(memo.blob_for(file, std::string(64, 'e'), st) == k_other_blob);
  }
}

TEST_CASE("a saved live memo loads back with its entries", "[memo]") {
  TempDir tmp{"livememo"};
  std::string git_dir = make_git_dir(tmp);
  FileStat files_stat = old_stat();
  FileStat packages_stat = written(200, 77, k_old_time - k_second, k_old_time);
  {
    LiveMemo memo = LiveMemo::load(git_dir);
    memo.record("live/files.yaml", k_fingerprint, k_blob, files_stat);
    memo.record("live/packages.yaml", std::string(64, '1'), k_other_blob, packages_stat);
    memo.save(k_now);
  }
  REQUIRE(fs::exists(memo_file(git_dir)));
  CHECK_FALSE(fs::exists(memo_file(git_dir).string() + ".tmp"));

  LiveMemo loaded = LiveMemo::load(git_dir);
  CHECK(loaded.blob_for("live/files.yaml", k_fingerprint, files_stat) == k_blob);
  CHECK(loaded.blob_for("live/packages.yaml", std::string(64, '1'), packages_stat) == k_other_blob);
  CHECK_FALSE(loaded.blob_for("live/packages.yaml", k_fingerprint, packages_stat));
  CHECK_FALSE(loaded.blob_for("live/services.yaml", k_fingerprint, files_stat));

  SECTION("an entry recorded again with new values is saved with them") {
    FileStat rewritten = written(300, 99, k_old_time + k_second, k_old_time + k_second);
    loaded.record("live/files.yaml", std::string(64, '2'), k_other_blob, rewritten);
    loaded.save(k_now);
    LiveMemo again = LiveMemo::load(git_dir);
    CHECK(again.blob_for("live/files.yaml", std::string(64, '2'), rewritten) == k_other_blob);
    CHECK_FALSE(again.blob_for("live/files.yaml", k_fingerprint, files_stat));
    CHECK(again.blob_for("live/packages.yaml", std::string(64, '1'), packages_stat) ==
          k_other_blob);
  }
}

TEST_CASE("live memo entries written within 2 s of saving are not saved", "[memo]") {
  TempDir tmp{"livememo"};
  std::string git_dir = make_git_dir(tmp);
  FileStat fresh_mtime = written(1, 10, k_now - k_second, k_old_time);
  FileStat fresh_ctime = written(2, 10, k_old_time, k_now - k_second);
  FileStat on_the_edge = written(3, 10, k_now - 2 * k_second, k_now - 2 * k_second);
  FileStat future = written(4, 10, k_now + k_second, k_now + k_second);
  FileStat just_old_enough = written(5, 10, k_now - 2 * k_second - 1, k_now - 2 * k_second - 1);
  FileStat settled = written(6, 10, k_now - 3 * k_second, k_now - 3 * k_second);
  {
    LiveMemo memo = LiveMemo::load(git_dir);
    memo.record("live/fresh-mtime.yaml", k_fingerprint, k_blob, fresh_mtime);
    memo.record("live/fresh-ctime.yaml", k_fingerprint, k_blob, fresh_ctime);
    memo.record("live/edge.yaml", k_fingerprint, k_blob, on_the_edge);
    memo.record("live/future.yaml", k_fingerprint, k_blob, future);
    memo.record("live/just-old-enough.yaml", k_fingerprint, k_blob, just_old_enough);
    memo.record("live/settled.yaml", k_fingerprint, k_blob, settled);
    // In memory, racy or not, all of them hit.
    CHECK(memo.blob_for("live/fresh-mtime.yaml", k_fingerprint, fresh_mtime));
    memo.save(k_now);
  }
  LiveMemo loaded = LiveMemo::load(git_dir);
  CHECK_FALSE(loaded.blob_for("live/fresh-mtime.yaml", k_fingerprint, fresh_mtime));
  CHECK_FALSE(loaded.blob_for("live/fresh-ctime.yaml", k_fingerprint, fresh_ctime));
  CHECK_FALSE(loaded.blob_for("live/edge.yaml", k_fingerprint, on_the_edge));
  CHECK_FALSE(loaded.blob_for("live/future.yaml", k_fingerprint, future));
  CHECK(loaded.blob_for("live/just-old-enough.yaml", k_fingerprint, just_old_enough) == k_blob);
  CHECK(loaded.blob_for("live/settled.yaml", k_fingerprint, settled) == k_blob);
}

TEST_CASE("a missing or damaged live memo loads as an empty one", "[memo]") {
  TempDir tmp{"livememo"};
  std::string git_dir = make_git_dir(tmp);
  FileStat other_stat = written(200, 77, k_old_time, k_old_time);

  SECTION("missing") {
    CHECK_FALSE(LiveMemo::load(git_dir).blob_for("live/files.yaml", k_fingerprint, old_stat()));
  }

  {
    LiveMemo memo = LiveMemo::load(git_dir);
    memo.record("live/files.yaml", k_fingerprint, k_blob, old_stat());
    memo.record("live/packages.yaml", k_fingerprint, k_blob, other_stat);
    memo.save(k_now);
  }
  const std::string good = read_file(memo_file(git_dir));
  REQUIRE(LiveMemo::load(git_dir).blob_for("live/files.yaml", k_fingerprint, old_stat()));

  std::string damaged;
  SECTION("empty") {
    damaged = "";
  }
  SECTION("garbage") {
    damaged = "\x01\x02 not a memo\n";
  }
  SECTION("the header of another version") {
    damaged = "git-twin live memo 2" + good.substr(good.find('\n'));
  }
  SECTION("no header") {
    damaged = good.substr(good.find('\n') + 1);
  }
  SECTION("a number that is not a number, in the last line") {
    std::size_t last = good.rfind("live/packages.yaml");
    std::size_t inode = good.find(" 200 ", last);
    REQUIRE(inode != std::string::npos);
    damaged = good.substr(0, inode) + " x00 " + good.substr(inode + 5);
  }
  SECTION("a line with too few fields") {
    damaged = good + "live/services.yaml " + k_fingerprint + " " + k_blob + " 1 2\n";
  }
  SECTION("a line cut in the middle") {
    damaged = good.substr(0, good.rfind(' '));
    damaged = damaged.substr(0, damaged.rfind(' ')) + "\n";
  }
  write_file(memo_file(git_dir), damaged);
  LiveMemo loaded = LiveMemo::load(git_dir);
  // Damage anywhere empties all of it, the good lines before it too.
  CHECK_FALSE(loaded.blob_for("live/files.yaml", k_fingerprint, old_stat()));
  CHECK_FALSE(loaded.blob_for("live/packages.yaml", k_fingerprint, other_stat));
}

TEST_CASE("a live memo with nothing newly recorded is not rewritten by save", "[memo]") {
  TempDir tmp{"livememo"};
  std::string git_dir = make_git_dir(tmp);
  FileStat st = old_stat();
  // Planted by hand: readable, but not byte for byte what save would write (two spaces).
  const std::string planted = "git-twin live memo 1\n"
                              "live/files.yaml  " +
                              k_fingerprint + " " + k_blob + " 100 2048 " +
                              std::to_string(st.mtime_ns) + " " + std::to_string(st.ctime_ns) +
                              "\n";
  write_file(memo_file(git_dir), planted);
  FileId before = file_id(memo_file(git_dir));

  LiveMemo memo = LiveMemo::load(git_dir);
  REQUIRE(memo.blob_for("live/files.yaml", k_fingerprint, st) == k_blob);

  SECTION("nothing recorded") {
    memo.save(k_now);
  }
  SECTION("the same entry recorded again") {
    memo.record("live/files.yaml", k_fingerprint, k_blob, st);
    memo.save(k_now);
  }
  SECTION("a save much later (the entries would still be kept)") {
    memo.record("live/files.yaml", k_fingerprint, k_blob, st);
    memo.save(k_now + 3600 * k_second);
  }
  CHECK(read_file(memo_file(git_dir)) == planted);
  FileId after = file_id(memo_file(git_dir));
  CHECK(after.inode == before.inode);
  CHECK(after.mtime_ns == before.mtime_ns);
}

TEST_CASE("a live memo with a changed entry is rewritten by save", "[memo]") {
  TempDir tmp{"livememo"};
  std::string git_dir = make_git_dir(tmp);
  FileStat st = old_stat();
  const std::string planted = "git-twin live memo 1\n"
                              "live/files.yaml  " +
                              k_fingerprint + " " + k_blob + " 100 2048 " +
                              std::to_string(st.mtime_ns) + " " + std::to_string(st.ctime_ns) +
                              "\n";
  write_file(memo_file(git_dir), planted);

  LiveMemo memo = LiveMemo::load(git_dir);
  FileStat other = written(200, 77, k_old_time, k_old_time);
  memo.record("live/packages.yaml", k_fingerprint, k_other_blob, other);
  memo.save(k_now);
  CHECK(read_file(memo_file(git_dir)) != planted);
  LiveMemo loaded = LiveMemo::load(git_dir);
  CHECK(loaded.blob_for("live/files.yaml", k_fingerprint, st) == k_blob);
  CHECK(loaded.blob_for("live/packages.yaml", k_fingerprint, other) == k_other_blob);
}
