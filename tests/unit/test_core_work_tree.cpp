// SPDX-License-Identifier: MIT
// WorkTree::write against a real directory: it creates only the directories that are
// missing, never through a symlink or a file, and reports the stat data of what it wrote.
#include <catch2/catch.hpp>

#include "test_support.hpp"

#include <filesystem>
#include <string>

#include <sys/stat.h>

#include "core/fs_util.hpp"
#include "core/work_tree.hpp"

using namespace twin;
namespace fs = std::filesystem;
using twin_test::read_file;
using twin_test::TempDir;
using twin_test::write_file;

TEST_CASE("WorkTree::write creates the missing directories below the ones that exist",
          "[work_tree]") {
  TempDir tmp{"work-tree"};
  write_file(tmp.path() / "live/filesystem/etc/kept", "kept\n");
  auto tree = WorkTree::open(tmp.path().string());
  REQUIRE(tree);

  REQUIRE(tree->write("live/filesystem/etc/a/b/c/file", "new\n"));
  CHECK(read_file(tmp.path() / "live/filesystem/etc/a/b/c/file") == "new\n");
  CHECK(read_file(tmp.path() / "live/filesystem/etc/kept") == "kept\n");
  // A second file in a directory that now exists, and one in a new top directory.
  REQUIRE(tree->write("live/filesystem/etc/a/b/c/other", "other\n"));
  REQUIRE(tree->write("fresh/x/y", "top\n"));
  CHECK(read_file(tmp.path() / "live/filesystem/etc/a/b/c/other") == "other\n");
  CHECK(read_file(tmp.path() / "fresh/x/y") == "top\n");
}

TEST_CASE("WorkTree::write never creates through a symlink or below a file", "[work_tree]") {
  TempDir tmp{"work-tree"};
  fs::create_directories(tmp.path() / "outside");
  fs::create_directories(tmp.path() / "repo/filesystem");
  fs::create_directory_symlink(tmp.path() / "outside", tmp.path() / "repo/filesystem/etc");
  write_file(tmp.path() / "repo/live/file", "a file\n");
  auto tree = WorkTree::open((tmp.path() / "repo").string());
  REQUIRE(tree);

  CHECK_FALSE(tree->write("filesystem/etc/new/dir/file", "x"));
  CHECK(fs::is_empty(tmp.path() / "outside"));
  CHECK_FALSE(tree->write("live/file/below/it", "x"));
  CHECK(read_file(tmp.path() / "repo/live/file") == "a file\n");
}

TEST_CASE("WorkTree::write reports the stat data of the file it wrote", "[work_tree]") {
  TempDir tmp{"work-tree"};
  auto tree = WorkTree::open(tmp.path().string());
  REQUIRE(tree);
  FileStat written;
  REQUIRE(tree->write("live/filesystem/etc/motd", "hello\n", 0600, &written));
  struct stat st {};
  REQUIRE(::lstat((tmp.path() / "live/filesystem/etc/motd").c_str(), &st) == 0);
  CHECK(written.inode == st.st_ino);
  CHECK(written.size == 6);
  CHECK(written.mode == 0600);
  CHECK(written.mtime_ns == to_file_stat(st).mtime_ns);
}
