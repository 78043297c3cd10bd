// SPDX-License-Identifier: MIT
// SystemRoot and Dir against hostile fake roots built at test time: every escape attempt
// (absolute and relative symlinks, "..", symlinked directories) must stay below the root,
// and special files must never block a read.
#include <catch2/catch.hpp>

#include "test_support.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/system_root.hpp"

using namespace twin;
namespace fs = std::filesystem;

using twin_test::TempDir;
using twin_test::write_file;

namespace {

// A throwaway directory under /tmp, removed with everything below it (remove_all does not
// follow symlinks, so the hostile links cannot make it delete anything outside).
void symlink_to(const std::string& target, const fs::path& link) {
  fs::create_directories(link.parent_path());
  REQUIRE(::symlink(target.c_str(), link.c_str()) == 0);
}

// <tmp>/root is the fake root; <tmp>/outside holds what no read may ever return.
//
//   root/etc/shadow            "fake shadow"
//   root/etc/hostname          "fakehost"
//   root/etc/evil       ->     /etc/shadow                    (absolute: resolves in root)
//   root/etc/escape     ->     ../../../../../../etc/shadow   (relative: clamps at root)
//   root/etc/sibling    ->     ../../outside/secret.txt       (the real outside file)
//   root/etc/dangling   ->     /nonexistent
//   root/etc/tofifo     ->     /run/fifo
//   root/outside/dir/file      "inside copy"
//   root/linkdir        ->     ../outside/dir                 (directory symlink)
//   root/abslinkdir     ->     <tmp>/outside/dir              (absolute physical path)
//   root/run/fifo              a FIFO nobody writes to
//   outside/secret.txt         "REAL OUTSIDE SECRET"
//   outside/dir/file           "REAL OUTSIDE FILE"
struct HostileRoot {
  TempDir tmp{"root"};
  fs::path root = tmp.path() / "root";

  HostileRoot() {
    write_file(tmp.path() / "outside/secret.txt", "REAL OUTSIDE SECRET");
    write_file(tmp.path() / "outside/dir/file", "REAL OUTSIDE FILE");
    write_file(root / "etc/shadow", "fake shadow\n");
    write_file(root / "etc/hostname", "fakehost\n");
    write_file(root / "outside/dir/file", "inside copy");
    symlink_to("/etc/shadow", root / "etc/evil");
    symlink_to("../../../../../../etc/shadow", root / "etc/escape");
    symlink_to("../../outside/secret.txt", root / "etc/sibling");
    symlink_to("/nonexistent", root / "etc/dangling");
    symlink_to("/run/fifo", root / "etc/tofifo");
    symlink_to("../outside/dir", root / "linkdir");
    symlink_to((tmp.path() / "outside/dir").string(), root / "abslinkdir");
    fs::create_directories(root / "run");
    REQUIRE(::mkfifo((root / "run/fifo").c_str(), 0644) == 0);
  }

  SystemRoot open() const {
    auto opened = SystemRoot::open(root.string());
    REQUIRE(opened);
    return std::move(*opened);
  }
};

double elapsed_ms(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

} // namespace

TEST_CASE("check_logical_path accepts normal absolute paths", "[system_root]") {
  for (std::string good : {"/", "/etc", "/etc/hostname", "/a b/c", "/.hidden", "/...", "/a..b",
                           "/etc/x.d/.y", "/caf\xc3\xa9", "/-", "/a/b/c/d/e/f"}) {
    INFO(good);
    CHECK(check_logical_path(good));
  }
}

TEST_CASE("check_logical_path refuses abnormal paths with a reason", "[system_root]") {
  struct Bad {
    std::string path;
    std::string reason;
  };
  const Bad bad[] = {
      {"", "empty"},
      {"etc/hostname", "not absolute"},
      {"./etc", "not absolute"},
      {"//", "ends with '/'"},
      {"//etc", "'//'"},
      {"/etc//hostname", "'//'"},
      {"/etc/", "ends with '/'"},
      {"/.", "'.' component"},
      {"/./etc", "'.' component"},
      {"/etc/.", "'.' component"},
      {"/..", "'..' component"},
      {"/../etc/shadow", "'..' component"},
      {"/etc/../../x", "'..' component"},
      {std::string("/etc/a\0b", 8), "NUL"},
      {"/etc/a\nb", "newline"},
  };
  for (const Bad& b : bad) {
    INFO(b.reason);
    auto status = check_logical_path(b.path);
    REQUIRE_FALSE(status);
    CHECK_THAT(status.error().message, Catch::Contains(b.reason));
    CHECK_THAT(status.error().message, Catch::StartsWith("invalid path '"));
    // Control characters are escaped: a hostile name cannot forge a second message line.
    CHECK(status.error().message.find('\n') == std::string::npos);
    CHECK(status.error().message.find('\0') == std::string::npos);
  }
  CHECK(check_logical_path("/etc/a\nb").error().message ==
        "invalid path '/etc/a\\nb': it contains a newline character");
}

TEST_CASE("join_logical and file_type_name", "[system_root]") {
  CHECK(join_logical("/", "etc") == "/etc");
  CHECK(join_logical("/etc", "hostname") == "/etc/hostname");
  CHECK(file_type_name(FileType::file) == "file");
  CHECK(file_type_name(FileType::directory) == "directory");
  CHECK(file_type_name(FileType::symlink) == "symlink");
  CHECK(file_type_name(FileType::fifo) == "fifo");
  CHECK(file_type_name(FileType::socket) == "socket");
  CHECK(file_type_name(FileType::char_device) == "char_device");
  CHECK(file_type_name(FileType::block_device) == "block_device");
  CHECK(file_type_name(FileType::unknown) == "unknown");
}

TEST_CASE("SystemRoot::open canonicalizes and refuses non-directories", "[system_root]") {
  HostileRoot fixture;
  auto root = SystemRoot::open(fixture.tmp.path().string() + "//root/./etc/..");
  REQUIRE(root);
  CHECK(root->physical() == fs::canonical(fixture.root).string());
  CHECK_FALSE(root->is_host());
  CHECK(root->physical_path("/etc/x") == root->physical() + "/etc/x");
  CHECK(root->physical_path("/") == root->physical());

  auto missing = SystemRoot::open(fixture.tmp.path().string() + "/nope");
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().message, Catch::Contains("No such file or directory"));
  CHECK_THAT(missing.error().message, Catch::Contains("/nope'"));

  auto file = SystemRoot::open((fixture.root / "etc/hostname").string());
  REQUIRE_FALSE(file);
  CHECK_THAT(file.error().message, Catch::Contains("Not a directory"));

  auto host = SystemRoot::open("/");
  REQUIRE(host);
  CHECK(host->is_host());
  CHECK(host->physical_path("/etc/x") == "/etc/x");
}

TEST_CASE("an absolute symlink to /etc/shadow reads the fake root's shadow", "[system_root]") {
  HostileRoot fixture;
  SystemRoot root = fixture.open();
  auto content = root.read_file("/etc/evil");
  REQUIRE(content);
  CHECK(*content == "fake shadow\n");
  auto link = root.read_link("/etc/evil");
  REQUIRE(link);
  CHECK(*link == "/etc/shadow");
}

TEST_CASE("relative symlinks with ../ cannot climb out of the root", "[system_root]") {
  HostileRoot fixture;
  SystemRoot root = fixture.open();
  auto clamped = root.read_file("/etc/escape");
  REQUIRE(clamped);
  CHECK(*clamped == "fake shadow\n");

  // Physically this names <tmp>/outside/secret.txt; inside the root it is
  // <root>/outside/secret.txt, which does not exist.
  auto sibling = root.read_file("/etc/sibling");
  REQUIRE_FALSE(sibling);
  CHECK_THAT(sibling.error().message, Catch::Contains("No such file or directory"));
  CHECK_THAT(sibling.error().message, !Catch::Contains("REAL OUTSIDE"));
}

TEST_CASE("'..' in a logical path is refused before the kernel sees it", "[system_root]") {
  HostileRoot fixture;
  SystemRoot root = fixture.open();
  for (std::string path : {"/../outside/secret.txt", "/etc/../../outside/secret.txt"}) {
    INFO(path);
    auto content = root.read_file(path);
    REQUIRE_FALSE(content);
    CHECK_THAT(content.error().message, Catch::Contains("'..' component"));
    CHECK_FALSE(root.lstat(path));
    CHECK_FALSE(root.open_dir(path));
    CHECK_FALSE(root.exists(path));
  }
}

TEST_CASE("a symlinked directory pointing outside resolves inside the root", "[system_root]") {
  HostileRoot fixture;
  SystemRoot root = fixture.open();
  for (std::string dir : {"/linkdir", "/abslinkdir"}) {
    INFO(dir);
    if (dir == "/abslinkdir") {
      // <root><tmp>/outside/dir does not exist: the absolute target is taken inside the root.
      auto opened = root.open_dir(dir);
      REQUIRE_FALSE(opened);
      CHECK_THAT(opened.error().message, Catch::Contains("No such file or directory"));
      continue;
    }
    auto opened = root.open_dir(dir);
    REQUIRE(opened);
    auto entries = opened->entries();
    REQUIRE(entries);
    REQUIRE(entries->size() == 1);
    CHECK((*entries)[0].name == "file");
    auto content = opened->read_file("file");
    REQUIRE(content);
    CHECK(*content == "inside copy");
    CHECK(*root.read_file(dir + "/file") == "inside copy");
  }
}

TEST_CASE("reading a FIFO fails at once instead of blocking", "[system_root]") {
  HostileRoot fixture;
  SystemRoot root = fixture.open();
  auto start = std::chrono::steady_clock::now();

  auto direct = root.read_file("/run/fifo");
  REQUIRE_FALSE(direct);
  CHECK_THAT(direct.error().message, Catch::Contains("not a regular file"));
  CHECK_THAT(direct.error().message, Catch::Contains("fifo"));

  auto via_link = root.read_file("/etc/tofifo");
  REQUIRE_FALSE(via_link);
  CHECK_THAT(via_link.error().message, Catch::Contains("not a regular file"));

  auto run = root.open_dir("/run");
  REQUIRE(run);
  auto in_dir = run->read_file("fifo");
  REQUIRE_FALSE(in_dir);
  CHECK_THAT(in_dir.error().message, Catch::Contains("not a regular file"));

  auto stat = root.lstat("/run/fifo");
  REQUIRE(stat);
  CHECK(stat->type == FileType::fifo);
  CHECK(elapsed_ms(start) < 1000);
}

TEST_CASE("Dir refuses to follow symlinks", "[system_root]") {
  HostileRoot fixture;
  SystemRoot root = fixture.open();
  auto top = root.open_dir("/");
  REQUIRE(top);

  auto linked = top->open_dir("linkdir");
  REQUIRE_FALSE(linked);
  CHECK_THAT(linked.error().message, Catch::Contains("symlink"));
  CHECK_THAT(linked.error().message, Catch::Contains("linkdir"));

  auto etc = top->open_dir("etc");
  REQUIRE(etc);
  auto evil = etc->read_file("evil");
  REQUIRE_FALSE(evil);
  CHECK_THAT(evil.error().message, Catch::Contains("symlink"));
  CHECK(*etc->read_file("shadow") == "fake shadow\n");
  CHECK(*etc->read_link("evil") == "/etc/shadow");
  CHECK_FALSE(etc->read_link("shadow"));

  // Names are single components: "../x" relative to a Dir fd would leave the walk.
  for (std::string name : {"..", ".", "", "../outside", "a/b"}) {
    INFO(name);
    CHECK_FALSE(top->open_dir(name));
    CHECK_FALSE(etc->read_file(name));
    CHECK_FALSE(etc->read_link(name));
  }
  auto directory = top->read_file("etc");
  REQUIRE_FALSE(directory);
  CHECK_THAT(directory.error().message, Catch::Contains("directory"));
}

TEST_CASE("Dir::entries lstats every entry and sorts bytewise", "[system_root]") {
  HostileRoot fixture;
  SystemRoot root = fixture.open();
  for (const char* name : {"b", "a", "B", "_x", "caf\xc3\xa9", "Z", "0"})
    write_file(fixture.root / "sorted" / name, name);
  fs::create_directories(fixture.root / "sorted/sub");

  auto dir = root.open_dir("/sorted");
  REQUIRE(dir);
  auto entries = dir->entries();
  REQUIRE(entries);
  std::vector<std::string> names;
  for (const auto& e : *entries)
    names.push_back(e.name);
  CHECK(names == std::vector<std::string>{"0", "B", "Z", "_x", "a", "b", "caf\xc3\xa9", "sub"});
  CHECK(entries->back().stat.type == FileType::directory);
  // Listing twice gives the same result (each listing has its own directory offset).
  CHECK(dir->entries()->size() == names.size());

  auto etc = root.open_dir("/etc")->entries();
  REQUIRE(etc);
  for (const auto& e : *etc) {
    INFO(e.name);
    if (e.name == "shadow" || e.name == "hostname") {
      CHECK(e.stat.type == FileType::file);
      CHECK(e.stat.size > 0);
    } else {
      CHECK(e.stat.type == FileType::symlink); // never followed
    }
  }
}

TEST_CASE("lstat reports metadata and works on dangling symlinks", "[system_root]") {
  HostileRoot fixture;
  SystemRoot root = fixture.open();
  REQUIRE(::chmod((fixture.root / "etc/hostname").c_str(), 04751) == 0);

  auto file = root.lstat("/etc/hostname");
  REQUIRE(file);
  CHECK(file->type == FileType::file);
  CHECK(file->mode == 04751);
  CHECK(file->size == 9);
  CHECK(file->uid == ::getuid());
  struct stat st;
  REQUIRE(::lstat((fixture.root / "etc/hostname").c_str(), &st) == 0);
  CHECK(file->mtime_ns == st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec);
  CHECK(file->ctime_ns == st.st_ctim.tv_sec * 1'000'000'000LL + st.st_ctim.tv_nsec);
  CHECK(file->inode == st.st_ino);
  CHECK(file->device == st.st_dev);

  auto dangling = root.lstat("/etc/dangling");
  REQUIRE(dangling);
  CHECK(dangling->type == FileType::symlink);
  CHECK(root.exists("/etc/dangling"));
  CHECK(*root.read_link("/etc/dangling") == "/nonexistent");
  CHECK_FALSE(root.read_file("/etc/dangling"));

  // The final component is not followed, intermediate ones are (inside the root).
  CHECK(root.lstat("/etc/evil")->type == FileType::symlink);
  CHECK(root.lstat("/linkdir")->type == FileType::symlink);
  CHECK(root.lstat("/linkdir/file")->type == FileType::file);
  CHECK(root.lstat("/")->type == FileType::directory);
  CHECK_FALSE(root.exists("/etc/missing"));
  CHECK_FALSE(root.exists("/abslinkdir/file"));
}

TEST_CASE("error messages name the logical path, the root and the reason", "[system_root]") {
  HostileRoot fixture;
  SystemRoot root = fixture.open();
  auto missing = root.read_file("/etc/missing");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message == "cannot read '/etc/missing' below root '" + root.physical() +
                                       "': No such file or directory");

  auto stat = root.lstat("/nope/x");
  REQUIRE_FALSE(stat);
  CHECK(stat.error().message ==
        "cannot stat '/nope/x' below root '" + root.physical() + "': No such file or directory");

  auto link = root.read_link("/etc/hostname");
  REQUIRE_FALSE(link);
  CHECK_THAT(link.error().message, Catch::Contains("'/etc/hostname'"));
  CHECK_THAT(link.error().message, Catch::Contains("not a symlink"));

  auto not_dir = root.open_dir("/etc/hostname");
  REQUIRE_FALSE(not_dir);
  CHECK_THAT(not_dir.error().message, Catch::StartsWith("cannot open directory '/etc/hostname'"));
  CHECK_THAT(not_dir.error().message, Catch::Contains("Not a directory"));

  auto host = SystemRoot::open("/");
  REQUIRE(host);
  auto host_missing = host->read_file("/nonexistent-twin-test-file");
  REQUIRE_FALSE(host_missing);
  CHECK(host_missing.error().message ==
        "cannot read '/nonexistent-twin-test-file': No such file or directory");
}

TEST_CASE("magic links are not followed even on the host root", "[system_root]") {
  if (::access("/proc/self/root", F_OK) != 0)
    SUCCEED("no /proc here");
  else {
    auto host = SystemRoot::open("/");
    REQUIRE(host);
    auto through_magic = host->read_file("/proc/self/root/etc/hostname");
    CHECK_FALSE(through_magic);
  }
}

TEST_CASE("read_file reads large files and /proc-style files fully", "[system_root]") {
  HostileRoot fixture;
  std::string big(3 * 1024 * 1024 + 17, 'x');
  for (std::size_t i = 0; i < big.size(); i += 4093)
    big[i] = static_cast<char>('a' + i % 26);
  write_file(fixture.root / "big", big);
  write_file(fixture.root / "empty", "");
  SystemRoot root = fixture.open();
  CHECK(*root.read_file("/big") == big);
  CHECK(root.read_file("/empty")->empty());
  CHECK(*root.open_dir("/")->read_file("big") == big);

  auto host = SystemRoot::open("/");
  if (::access("/proc/self/status", R_OK) == 0) // st_size 0, content non-empty
    CHECK_FALSE(host->read_file("/proc/self/status")->empty());
}
