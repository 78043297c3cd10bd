// SPDX-License-Identifier: MIT
// The mutating half of SystemRoot, in a throwaway fake root: atomic writes with exact mode
// and owner, backups that never overwrite each other, no temp files left behind, and
// refusals (symlinked directories, missing parents, directories in the way, "..").
#include <catch2/catch.hpp>

#include "test_support.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include "core/system_root.hpp"

using namespace twin;
namespace fs = std::filesystem;

using twin_test::read_file;
using twin_test::TempDir;

namespace {

const std::string k_stamp = "20260102030405";

// A throwaway directory under /tmp, removed with everything below it.
void put_file(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

struct stat lstat_of(const fs::path& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st;
}

unsigned mode_of(const fs::path& path) {
  return lstat_of(path).st_mode & 07777;
}

bool running_as_root() {
  return ::geteuid() == 0;
}

// Every name below `dir` (recursively) that looks like one of our temp files.
std::vector<std::string> temp_files_below(const fs::path& dir) {
  std::vector<std::string> found;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().filename().string().find("twin-tmp") != std::string::npos)
      found.push_back(e.path().string());
  return found;
}

// <tmp>/root is the fake root (with /etc), <tmp>/outside is what must never change.
struct FakeRoot {
  TempDir tmp{"write"};
  fs::path dir = tmp.path() / "root";
  fs::path outside = tmp.path() / "outside";
  SystemRoot root = open_root();

  SystemRoot open_root() {
    fs::create_directories(dir / "etc");
    fs::create_directories(outside);
    auto opened = SystemRoot::open(dir.string());
    REQUIRE(opened);
    return std::move(*opened);
  }
  fs::path at(const std::string& logical) const { return dir / logical.substr(1); }
};

} // namespace

TEST_CASE("write_file creates a file with the exact content and mode", "[system_root_write]") {
  FakeRoot r;
  uid_t uid = ::geteuid();
  gid_t gid = ::getegid();

  for (auto [name, mode] :
       {std::pair{"/etc/secret", 0600u}, std::pair{"/etc/group-readable", 0640u},
        std::pair{"/etc/setuid-tool", 04755u}}) {
    INFO(name);
    auto written =
        r.root.write_file(name, "content of " + std::string(name) + "\n", mode, uid, gid, "");
    INFO((written ? "" : written.error().message));
    REQUIRE(written);
    CHECK(*written == ""); // nothing replaced, no backup
    CHECK(read_file(r.at(name)) == "content of " + std::string(name) + "\n");
    CHECK(mode_of(r.at(name)) == mode);
    CHECK(S_ISREG(lstat_of(r.at(name)).st_mode));
  }
}

TEST_CASE("write_file gives the file its owner and group", "[system_root_write]") {
  if (!running_as_root()) {
    WARN("not root: owner checks skipped");
    return;
  }
  FakeRoot r;

  auto written = r.root.write_file("/etc/owned", "x\n", 04755, 1234, 1234, "");

  INFO((written ? "" : written.error().message));
  REQUIRE(written);
  struct stat st = lstat_of(r.at("/etc/owned"));
  CHECK(st.st_uid == 1234u);
  CHECK(st.st_gid == 1234u);
  CHECK((st.st_mode & 07777) == 04755u); // chown did not clear the setuid bit
}

TEST_CASE("replacing a file swaps in a new inode and leaves no temp file", "[system_root_write]") {
  FakeRoot r;
  put_file(r.at("/etc/motd"), "old\n");
  ino_t before = lstat_of(r.at("/etc/motd")).st_ino;

  auto written = r.root.write_file("/etc/motd", "new\n", 0644, ::geteuid(), ::getegid(), "");

  REQUIRE(written);
  CHECK(*written == "");
  CHECK(read_file(r.at("/etc/motd")) == "new\n");
  CHECK(lstat_of(r.at("/etc/motd")).st_ino != before); // renamed over, never rewritten in place
  CHECK(temp_files_below(r.tmp.path()).empty());
  CHECK(!fs::exists(r.at("/etc/motd.twinbak-" + k_stamp)));
}

TEST_CASE("replacing a file with a backup stamp keeps the old content beside it",
          "[system_root_write]") {
  FakeRoot r;
  put_file(r.at("/etc/motd"), "first\n");

  auto backup = r.root.write_file("/etc/motd", "second\n", 0644, ::geteuid(), ::getegid(), k_stamp);

  INFO((backup ? "" : backup.error().message));
  REQUIRE(backup);
  CHECK(*backup == "/etc/motd.twinbak-" + k_stamp);
  CHECK(read_file(r.at("/etc/motd.twinbak-" + k_stamp)) == "first\n");
  CHECK(read_file(r.at("/etc/motd")) == "second\n");
  CHECK(temp_files_below(r.tmp.path()).empty());
}

TEST_CASE("a second backup with the same stamp gets a suffix and never overwrites the first",
          "[system_root_write]") {
  FakeRoot r;
  put_file(r.at("/etc/motd"), "first\n");
  REQUIRE(r.root.write_file("/etc/motd", "second\n", 0644, ::geteuid(), ::getegid(), k_stamp));

  auto backup = r.root.write_file("/etc/motd", "third\n", 0644, ::geteuid(), ::getegid(), k_stamp);

  REQUIRE(backup);
  CHECK(*backup == "/etc/motd.twinbak-" + k_stamp + "-1");
  CHECK(read_file(r.at("/etc/motd.twinbak-" + k_stamp)) == "first\n");
  CHECK(read_file(r.at("/etc/motd.twinbak-" + k_stamp + "-1")) == "second\n");
  CHECK(read_file(r.at("/etc/motd")) == "third\n");
  CHECK(temp_files_below(r.tmp.path()).empty());
}

TEST_CASE("write_file refuses to write through a symlinked directory", "[system_root_write]") {
  FakeRoot r;
  REQUIRE(::symlink(r.outside.c_str(), r.at("/etc/linkdir").c_str()) == 0);

  auto written =
      r.root.write_file("/etc/linkdir/evil", "pwned\n", 0644, ::geteuid(), ::getegid(), "");

  REQUIRE_FALSE(written);
  CHECK_THAT(written.error().message, Catch::Contains("symlink"));
  CHECK(fs::is_empty(r.outside));
  CHECK(temp_files_below(r.tmp.path()).empty());
}

TEST_CASE("write_file fails when the parent directory does not exist", "[system_root_write]") {
  FakeRoot r;

  auto written = r.root.write_file("/etc/missing/file", "x\n", 0644, ::geteuid(), ::getegid(), "");

  REQUIRE_FALSE(written);
  CHECK_THAT(written.error().message, Catch::Contains("/etc/missing/file"));
  CHECK_THAT(written.error().message, Catch::Contains("does not exist"));
  CHECK(!fs::exists(r.at("/etc/missing")));
}

TEST_CASE("write_file refuses to replace a directory", "[system_root_write]") {
  FakeRoot r;
  fs::create_directories(r.at("/etc/conf.d"));

  auto written = r.root.write_file("/etc/conf.d", "x\n", 0644, ::geteuid(), ::getegid(), "");

  REQUIRE_FALSE(written);
  CHECK_THAT(written.error().message, Catch::Contains("directory"));
  CHECK(fs::is_directory(r.at("/etc/conf.d")));
  CHECK(temp_files_below(r.tmp.path()).empty());
}

TEST_CASE("write_symlink creates a symlink", "[system_root_write]") {
  FakeRoot r;

  auto made = r.root.write_symlink("/etc/localtime", "/usr/share/zoneinfo/UTC", ::geteuid(),
                                   ::getegid(), k_stamp);

  INFO((made ? "" : made.error().message));
  REQUIRE(made);
  CHECK(*made == "");
  CHECK(fs::is_symlink(r.at("/etc/localtime")));
  CHECK(fs::read_symlink(r.at("/etc/localtime")) == "/usr/share/zoneinfo/UTC");
}

TEST_CASE("write_symlink replaces a symlink and backs up the old one", "[system_root_write]") {
  FakeRoot r;
  REQUIRE(::symlink("/usr/share/zoneinfo/UTC", r.at("/etc/localtime").c_str()) == 0);

  auto made = r.root.write_symlink("/etc/localtime", "/usr/share/zoneinfo/Europe/Paris",
                                   ::geteuid(), ::getegid(), k_stamp);

  REQUIRE(made);
  CHECK(*made == "/etc/localtime.twinbak-" + k_stamp);
  CHECK(fs::read_symlink(r.at("/etc/localtime")) == "/usr/share/zoneinfo/Europe/Paris");
  fs::path backup = r.at("/etc/localtime.twinbak-" + k_stamp);
  CHECK(fs::is_symlink(backup));
  CHECK(fs::read_symlink(backup) == "/usr/share/zoneinfo/UTC");
  CHECK(temp_files_below(r.tmp.path()).empty());
}

TEST_CASE("make_directory creates a directory with the given mode", "[system_root_write]") {
  FakeRoot r;

  auto made = r.root.make_directory("/etc/app", 0750, ::geteuid(), ::getegid());

  INFO((made ? "" : made.error().message));
  REQUIRE(made);
  CHECK(fs::is_directory(r.at("/etc/app")));
  CHECK(mode_of(r.at("/etc/app")) == 0750u);
}

TEST_CASE("set_attributes changes the mode and owner of a file", "[system_root_write]") {
  FakeRoot r;
  put_file(r.at("/etc/motd"), "hello\n");
  REQUIRE(::chmod(r.at("/etc/motd").c_str(), 0644) == 0);
  std::optional<std::uint32_t> uid, gid;
  if (running_as_root()) {
    uid = 1234;
    gid = 1234;
  }

  auto changed = r.root.set_attributes("/etc/motd", 0600, uid, gid);

  INFO((changed ? "" : changed.error().message));
  REQUIRE(changed);
  CHECK(mode_of(r.at("/etc/motd")) == 0600u);
  if (running_as_root()) {
    CHECK(lstat_of(r.at("/etc/motd")).st_uid == 1234u);
    CHECK(lstat_of(r.at("/etc/motd")).st_gid == 1234u);
  }
  CHECK(read_file(r.at("/etc/motd")) == "hello\n");
}

TEST_CASE("set_attributes never follows a final symlink", "[system_root_write]") {
  FakeRoot r;
  fs::path victim = r.outside / "victim";
  put_file(victim, "outside\n");
  REQUIRE(::chmod(victim.c_str(), 0644) == 0);
  struct stat before = lstat_of(victim);
  REQUIRE(::symlink(victim.c_str(), r.at("/etc/link").c_str()) == 0);
  std::optional<std::uint32_t> uid, gid;
  if (running_as_root()) {
    uid = 1234;
    gid = 1234;
  }

  auto changed = r.root.set_attributes("/etc/link", 0600, uid, gid);

  INFO((changed ? "" : changed.error().message));
  CHECK(changed);
  struct stat after = lstat_of(victim);
  CHECK((after.st_mode & 07777) == 0644u);
  CHECK(after.st_uid == before.st_uid);
  CHECK(after.st_gid == before.st_gid);
  if (running_as_root())
    CHECK(lstat_of(r.at("/etc/link")).st_uid == 1234u); // the link itself got the owner
}

TEST_CASE("remove with a backup stamp moves the file to its backup name", "[system_root_write]") {
  FakeRoot r;
  put_file(r.at("/etc/old.conf"), "old\n");

  auto removed = r.root.remove("/etc/old.conf", k_stamp);

  INFO((removed ? "" : removed.error().message));
  REQUIRE(removed);
  CHECK(*removed == "/etc/old.conf.twinbak-" + k_stamp);
  CHECK(!fs::exists(r.at("/etc/old.conf")));
  CHECK(read_file(r.at("/etc/old.conf.twinbak-" + k_stamp)) == "old\n");
}

TEST_CASE("remove without a stamp deletes a file and an empty directory", "[system_root_write]") {
  FakeRoot r;
  put_file(r.at("/etc/app/old.conf"), "old\n");

  auto file = r.root.remove("/etc/app/old.conf", "");
  auto dir = r.root.remove("/etc/app", "");

  REQUIRE(file);
  CHECK(*file == "");
  REQUIRE(dir);
  CHECK(*dir == "");
  CHECK(!fs::exists(r.at("/etc/app")));
}

TEST_CASE("remove refuses a directory that is not empty", "[system_root_write]") {
  FakeRoot r;
  put_file(r.at("/etc/app/keep.conf"), "keep\n");

  auto removed = r.root.remove("/etc/app", k_stamp);

  REQUIRE_FALSE(removed);
  CHECK_THAT(removed.error().message, Catch::Contains("not empty"));
  CHECK(read_file(r.at("/etc/app/keep.conf")) == "keep\n");
}

TEST_CASE("remove of a path that is already gone succeeds without a backup",
          "[system_root_write]") {
  FakeRoot r;

  auto removed = r.root.remove("/etc/never-there", k_stamp);

  REQUIRE(removed);
  CHECK(*removed == "");
}

TEST_CASE("paths with '..' are refused before anything is changed", "[system_root_write]") {
  FakeRoot r;
  put_file(r.at("/etc/motd"), "keep\n");

  auto written =
      r.root.write_file("/etc/../outside/evil", "x\n", 0644, ::geteuid(), ::getegid(), "");
  auto link = r.root.write_symlink("/etc/../evil", "/etc/shadow", ::geteuid(), ::getegid(), "");
  auto dir = r.root.make_directory("/etc/../evil", 0755, ::geteuid(), ::getegid());
  auto attrs = r.root.set_attributes("/etc/../etc/motd", 0600, std::nullopt, std::nullopt);
  auto removed = r.root.remove("/etc/../etc/motd", "");

  CHECK_FALSE(written);
  CHECK_FALSE(link);
  CHECK_FALSE(dir);
  CHECK_FALSE(attrs);
  CHECK_FALSE(removed);
  CHECK(!fs::exists(r.tmp.path() / "outside/evil"));
  CHECK(!fs::exists(r.at("/evil")));
  CHECK(read_file(r.at("/etc/motd")) == "keep\n");
  CHECK(mode_of(r.at("/etc/motd")) != 0600u);
}
