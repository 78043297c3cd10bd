// SPDX-License-Identifier: MIT
// prestage_files against a real repository and the git CLI: the index it writes holds what
// `git add` would have staged (mode, object id, path) with the files' stat data, and it
// leaves alone what it must (a held index lock, an index it cannot read, missing files);
// and commit_paths, which uses it, commits what git add would.
#include <catch2/catch.hpp>

#include "test_support.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include "core/git_repo.hpp"
#include "core/parallel.hpp"
#include "core/prestage.hpp"
#include "core/runner.hpp"

using namespace twin;
namespace fs = std::filesystem;
using twin_test::git;
using twin_test::output_of;
using twin_test::TempDir;
using twin_test::write_file;

namespace {

struct ManyFiles {
  TempDir tmp{"prestage"};
  fs::path work = tmp.path() / "twin";
  std::vector<std::string> files;
  ManyFiles() {
    fs::create_directories(work);
    git(work, "init -q");
    for (int i = 0; i < 1200; ++i) {
      std::string path =
          "live/filesystem/etc/d" + std::to_string(i % 10) + "/f" + std::to_string(i);
      write_file(work / path, "file " + std::to_string(i) + "\n");
      files.push_back(path);
    }
    // Copies under filesystem/ as adoption makes them: the same bytes, one edited since,
    // and one whose attributes (ident) make git store other bytes.
    for (int i = 0; i < 300; ++i) {
      std::string path = "filesystem/etc/d" + std::to_string(i % 10) + "/f" + std::to_string(i);
      write_file(work / path, "file " + std::to_string(i) + "\n");
      files.push_back(path);
    }
    write_file(work / "filesystem/etc/d0/f0", "edited since\n");
    write_file(work / "live/filesystem/etc/id.txt", "$Id: 1234 $\n");
    write_file(work / "filesystem/etc/id.txt", "$Id: 1234 $\n");
    write_file(work / "filesystem/.gitattributes", "/etc/id.txt ident\n");
    files.push_back("live/filesystem/etc/id.txt");
    files.push_back("filesystem/etc/id.txt");
    // The other way round: the attribute on the live side only.
    write_file(work / "live/filesystem/etc/lf.txt", "$Id: 5678 $\n");
    write_file(work / "filesystem/etc/lf.txt", "$Id: 5678 $\n");
    write_file(work / "live/filesystem/.gitattributes", "/etc/lf.txt ident\n");
    files.push_back("live/filesystem/etc/lf.txt");
    files.push_back("filesystem/etc/lf.txt");
    write_file(work / "live/filesystem/etc/run.sh", "#!/bin/sh\n");
    fs::permissions(work / "live/filesystem/etc/run.sh", fs::perms::owner_exec,
                    fs::perm_options::add);
    files.push_back("live/filesystem/etc/run.sh");
    files.push_back("live/filesystem/etc/removed-since"); // named, but not there
    write_file(work / "live/filesystem/etc/\"quoted", "a name git quotes\n");
    files.push_back("live/filesystem/etc/\"quoted");
  }
};

} // namespace

TEST_CASE("prestage_files stages what git add would, with the files' stat data", "[git]") {
  ManyFiles m;
  auto repo = GitRepo::open(m.work.string());
  REQUIRE(repo);
  std::vector<std::string> staged = prestage_files(process_runner(), *repo, m.files);
  if (io_threads() < 2) { // one core: not worth it, nothing is staged
    CHECK(staged.empty());
    return;
  }
  // Every file that is there (the three copies that are not their partner's bytes as git
  // stores them get their own ids); the file named but missing is left to git add.
  CHECK(staged.size() == 1506);
  CHECK(std::is_sorted(staged.begin(), staged.end()));
  CHECK(std::find(staged.begin(), staged.end(), "live/filesystem/etc/removed-since") ==
        staged.end());
  CHECK(output_of(m.work, "git status --porcelain | grep -v '^A  ' || true") ==
        "?? filesystem/.gitattributes\n?? live/filesystem/.gitattributes\n");
  CHECK(output_of(m.work, "git diff-files --name-only") == ""); // stat data matches
  git(m.work, "fsck --no-dangling --no-progress");

  // git add after it (as a snapshot runs it) leaves the same index as git add alone: an
  // entry with a wrong id but the file's stat data would survive git add unnoticed.
  git(m.work, "add live filesystem");
  std::string after_prestage = output_of(m.work, "git ls-files -s");
  git(m.work, "rm -q --cached -r live filesystem");
  git(m.work, "add live filesystem");
  CHECK(output_of(m.work, "git ls-files -s") == after_prestage);
  CHECK(after_prestage.find("100755 ") != std::string::npos); // the executable keeps its mode
  CHECK(output_of(m.work, "git rev-parse :filesystem/etc/id.txt") !=
        output_of(m.work, "git rev-parse :live/filesystem/etc/id.txt"));
  CHECK(output_of(m.work, "git rev-parse :filesystem/etc/lf.txt") !=
        output_of(m.work, "git rev-parse :live/filesystem/etc/lf.txt"));
}

TEST_CASE("prestage_files has git filter what a filter attribute names: no plaintext is stored",
          "[git]") {
  // As twin-crypt does for secrets; a rot13 clean filter stands in for it here.
  ManyFiles m;
  git(m.work, "config filter.rot13.clean \"tr a-z n-za-m\"");
  write_file(m.work / "live/filesystem/etc/secret.txt", "attack at dawn\n");
  write_file(m.work / "filesystem/etc/secret.txt", "attack at dawn\n");
  write_file(m.work / ".gitattributes", "secret.txt filter=rot13\n");
  std::vector<std::string> files = m.files;
  files.push_back("live/filesystem/etc/secret.txt");
  files.push_back("filesystem/etc/secret.txt");
  auto repo = GitRepo::open(m.work.string());
  REQUIRE(repo);
  std::vector<std::string> staged = prestage_files(process_runner(), *repo, files);
  if (io_threads() < 2)
    return;
  CHECK(std::count(staged.begin(), staged.end(), "filesystem/etc/secret.txt") == 1);
  CHECK(output_of(m.work, "git cat-file blob :filesystem/etc/secret.txt") == "nggnpx ng qnja\n");
  CHECK(output_of(m.work, "git rev-parse :live/filesystem/etc/secret.txt") ==
        output_of(m.work, "git hash-object live/filesystem/etc/secret.txt"));
  CHECK(
      output_of(m.work, "git cat-file --batch-all-objects --batch | grep -c 'attack at' || true") ==
      "0\n");
  // The other files went into one pack, not into loose objects.
  CHECK(output_of(m.work, "ls .git/objects/pack | grep -c '[.]idx$'") == "1\n");
  git(m.work, "fsck --full --no-dangling --no-progress");
}

TEST_CASE("prestage_files leaves the index alone while someone holds its lock", "[git]") {
  ManyFiles m;
  git(m.work, "add live/filesystem/etc/d0");
  std::string before = output_of(m.work, "git ls-files -s");
  write_file(m.work / ".git/index.lock", "");
  auto repo = GitRepo::open(m.work.string());
  REQUIRE(repo);
  CHECK(prestage_files(process_runner(), *repo, m.files).empty());
  CHECK(fs::exists(m.work / ".git/index.lock")); // not ours to remove
  fs::remove(m.work / ".git/index.lock");
  CHECK(output_of(m.work, "git ls-files -s") == before);
}

TEST_CASE("prestage_files does nothing for a few files", "[git]") {
  ManyFiles m;
  auto repo = GitRepo::open(m.work.string());
  REQUIRE(repo);
  CHECK(prestage_files(process_runner(), *repo, {m.files[0], m.files[1]}).empty());
  CHECK(output_of(m.work, "git ls-files") == "");
}

TEST_CASE("prestage_files keeps git's protection of racily clean entries", "[git]") {
  // An entry not older than its index is only trusted by git after a look at the content.
  // The index prestage writes is newer, so it must mark such entries as git would, or a
  // file changed within the same second would pass for clean.
  ManyFiles m;
  write_file(m.work / "notes.txt", "first\n");
  git(m.work, "add notes.txt");
  write_file(m.work / "notes.txt", "other\n"); // same size, most likely the same second
  auto repo = GitRepo::open(m.work.string());
  REQUIRE(repo);
  prestage_files(process_runner(), *repo, m.files);
  CHECK(output_of(m.work, "git status --porcelain notes.txt") == "AM notes.txt\n");
}

TEST_CASE("prestage_files never stages in place of an index it cannot read", "[git]") {
  ManyFiles m;
  git(m.work, "add live/filesystem/etc/d0");
  std::string before = output_of(m.work, "git ls-files -s");
  REQUIRE(::chmod((m.work / ".git/index").c_str(), 0) == 0);
  auto repo = GitRepo::open(m.work.string());
  REQUIRE(repo);
  std::vector<std::string> staged = prestage_files(process_runner(), *repo, m.files);
  REQUIRE(::chmod((m.work / ".git/index").c_str(), 0644) == 0);
  if (::geteuid() != 0) // root reads it anyway
    CHECK(staged.empty());
  // Whatever happened, nothing that was staged is lost.
  CHECK(output_of(m.work, "git ls-files -s live/filesystem/etc/d0") == before);
}

TEST_CASE("prestage_files leaves all to git add while a .gitattributes is only in the index",
          "[git]") {
  // git add would apply it (ident here, twin-crypt in a twin); git hash-object would not.
  ManyFiles m;
  write_file(m.work / "live/.gitattributes", "*.txt ident\n");
  git(m.work, "add live/.gitattributes");
  fs::remove(m.work / "live/.gitattributes");
  auto repo = GitRepo::open(m.work.string());
  REQUIRE(repo);
  CHECK(prestage_files(process_runner(), *repo, m.files).empty());
}

TEST_CASE("commit_paths commits what git add would, with prestaged files, a removal and a "
          "file that became a directory",
          "[git]") {
  ManyFiles m;
  git(m.work, "config user.name test");
  git(m.work, "config user.email test@example.invalid");
  write_file(m.work / "filesystem/etc/old", "to be removed\n");
  write_file(m.work / "live/filesystem/etc/dir", "a file for now\n");
  git(m.work, "add filesystem/etc/old live/filesystem/etc/dir");
  git(m.work, "commit -qm base");
  fs::remove(m.work / "filesystem/etc/old");
  fs::remove(m.work / "live/filesystem/etc/dir");
  write_file(m.work / "live/filesystem/etc/dir/inner", "now a directory\n");
  std::vector<std::string> fresh = m.files;
  fresh.push_back("live/filesystem/etc/dir/inner");
  // As a snapshot names them: live/ as a directory, the adopted copies one by one.
  std::vector<std::string> paths = {"live", "filesystem/etc/old", "filesystem/.gitattributes"};
  for (const auto& f : m.files)
    if (f.rfind("filesystem/", 0) == 0)
      paths.push_back(f);
  auto repo = GitRepo::open(m.work.string());
  REQUIRE(repo);
  auto commit = commit_paths(process_runner(), *repo, paths, "snapshot\n", fresh);
  REQUIRE(commit);
  REQUIRE(commit->has_value());

  CHECK(output_of(m.work, "git status --porcelain") == "");
  CHECK(output_of(m.work, "git ls-files filesystem/etc/old") == "");
  CHECK(output_of(m.work, "git ls-files live/filesystem/etc/dir") ==
        "live/filesystem/etc/dir/inner\n");
  // The commit holds the ids git add computes from scratch (ident applied where asked).
  fs::remove(m.work / ".git/index");
  git(m.work, "add -A");
  CHECK(output_of(m.work, "git diff --cached --name-only HEAD") == "");
  git(m.work, "fsck --no-dangling --no-progress");
}
