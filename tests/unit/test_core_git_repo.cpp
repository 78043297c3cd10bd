// SPDX-License-Identifier: MIT
// GitRepo reads of a real repository built with the git CLI: changed_files between two
// commits below a directory (content, mode, added, removed, file <-> directory), and
// entry_id, whose equality means an unchanged file or subtree.
#include <catch2/catch.hpp>

#include "test_support.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "core/git_repo.hpp"

using namespace twin;
namespace fs = std::filesystem;

using twin_test::git;
using twin_test::TempDir;
using twin_test::write_file;

namespace {

void make_executable(const fs::path& path) {
  fs::permissions(path, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                  fs::perm_options::add);
}

std::set<std::string> as_set(const std::vector<std::string>& paths) {
  return {paths.begin(), paths.end()};
}

// A repository with two commits, HEAD~1 ("old") and HEAD ("new").
struct TwoCommits {
  TempDir tmp{"gitrepo"};
  fs::path work = tmp.path() / "twin";

  TwoCommits() {
    fs::create_directories(work);
    git(work, "init -q");
    write_file(work / "filesystem/etc/modified.conf", "v1\n");
    write_file(work / "filesystem/etc/removed.conf", "going\n");
    write_file(work / "filesystem/etc/same.conf", "same\n");
    write_file(work / "filesystem/x", "a file, then a directory\n");
    write_file(work / "filesystem/y/z", "a directory, then a file\n");
    write_file(work / "filesystem/bin/tool", "#!/bin/sh\n");
    write_file(work / "filesystem/usr/share/doc/readme", "unchanged subtree\n");
    write_file(work / "filesystem/usr/share/doc/more/notes", "deeper\n");
    write_file(work / "filesystem/olddir/a", "a\n");
    write_file(work / "filesystem/olddir/sub/b", "b\n");
    write_file(work / "state/files.yaml", "files: []\n");
    write_file(work / "live/files.yaml", "files: []\n");
    write_file(work / "filesystem-other/f", "a sibling whose name starts like filesystem\n");
    write_file(work / "gone/only-in-old", "old\n");
    write_file(work / "README", "one\n");
    git(work, "add -A");
    git(work, "commit -q -m old");

    write_file(work / "filesystem/etc/modified.conf", "v2\n");
    write_file(work / "filesystem/etc/added.conf", "new\n");
    fs::remove(work / "filesystem/etc/removed.conf");
    fs::remove(work / "filesystem/x");
    write_file(work / "filesystem/x/y", "now below x\n");
    fs::remove_all(work / "filesystem/y");
    write_file(work / "filesystem/y", "now a file\n");
    make_executable(work / "filesystem/bin/tool");
    fs::remove_all(work / "filesystem/olddir");
    write_file(work / "filesystem/newdir/sub/c", "c\n");
    write_file(work / "live/files.yaml", "files: [changed]\n");
    write_file(work / "filesystem-other/f", "changed too\n");
    fs::remove_all(work / "gone");
    write_file(work / "fresh/one", "1\n");
    write_file(work / "fresh/deep/two", "2\n");
    write_file(work / "README", "two\n");
    git(work, "add -A");
    git(work, "commit -q -m new");
  }
};

GitRepo open_repo(const TwoCommits& r) {
  auto repo = GitRepo::open(r.work.string());
  REQUIRE(repo);
  return std::move(*repo);
}

// The commit `revision` names, which must exist.
std::string commit_of(const GitRepo& repo, const std::string& revision) {
  auto commit = repo.resolve(revision);
  REQUIRE(commit);
  REQUIRE(*commit);
  return **commit;
}

} // namespace

TEST_CASE("changed_files lists exactly the files that differ below filesystem/", "[git]") {
  TwoCommits r;
  GitRepo repo = open_repo(r);
  std::string old_commit = commit_of(repo, "HEAD~1");
  std::string new_commit = commit_of(repo, "HEAD");
  CHECK(old_commit != new_commit);

  const std::set<std::string> expected = {
      "filesystem/etc/modified.conf", // content
      "filesystem/etc/added.conf",    // added
      "filesystem/etc/removed.conf",  // removed
      "filesystem/x",                 // a file that became a directory ...
      "filesystem/x/y",               // ... and what is in it now
      "filesystem/y",                 // a directory that became a file ...
      "filesystem/y/z",               // ... and what was in it
      "filesystem/bin/tool",          // mode only (chmod +x)
      "filesystem/olddir/a",          // a removed directory: all its files
      "filesystem/olddir/sub/b",      //
      "filesystem/newdir/sub/c",      // an added directory
  };
  auto changed = repo.changed_files(old_commit, new_commit, "filesystem");
  REQUIRE(changed);
  CHECK(as_set(*changed) == expected);
  CHECK(changed->size() == expected.size()); // each path once

  SECTION("the other way round gives the same files") {
    auto back = repo.changed_files(new_commit, old_commit, "filesystem");
    REQUIRE(back);
    CHECK(as_set(*back) == expected);
    CHECK(back->size() == expected.size());
  }
  SECTION("a commit compared with itself has no changes") {
    auto none = repo.changed_files(new_commit, new_commit, "filesystem");
    REQUIRE(none);
    CHECK(none->empty());
  }
  SECTION("a deeper prefix keeps only what is below it") {
    auto etc = repo.changed_files(old_commit, new_commit, "filesystem/etc");
    REQUIRE(etc);
    CHECK(as_set(*etc) == std::set<std::string>{"filesystem/etc/modified.conf",
                                                "filesystem/etc/added.conf",
                                                "filesystem/etc/removed.conf"});
  }
  SECTION("an unchanged subtree has no changes") {
    auto usr = repo.changed_files(old_commit, new_commit, "filesystem/usr");
    REQUIRE(usr);
    CHECK(usr->empty());
  }
  SECTION("nothing outside the prefix is reported") {
    for (const auto& path : *changed) {
      INFO(path);
      CHECK(path.rfind("filesystem/", 0) == 0);
    }
    CHECK(expected.count("filesystem-other/f") == 0);
    auto live = repo.changed_files(old_commit, new_commit, "live");
    REQUIRE(live);
    CHECK(as_set(*live) == std::set<std::string>{"live/files.yaml"});
    auto state = repo.changed_files(old_commit, new_commit, "state");
    REQUIRE(state);
    CHECK(state->empty());
  }
}

TEST_CASE("changed_files of a directory missing in one commit lists all files of the other",
          "[git]") {
  TwoCommits r;
  GitRepo repo = open_repo(r);
  std::string old_commit = commit_of(repo, "HEAD~1");
  std::string new_commit = commit_of(repo, "HEAD");

  SECTION("added") {
    auto fresh = repo.changed_files(old_commit, new_commit, "fresh");
    REQUIRE(fresh);
    CHECK(as_set(*fresh) == std::set<std::string>{"fresh/one", "fresh/deep/two"});
  }
  SECTION("removed") {
    auto gone = repo.changed_files(old_commit, new_commit, "gone");
    REQUIRE(gone);
    CHECK(as_set(*gone) == std::set<std::string>{"gone/only-in-old"});
  }
  SECTION("in neither") {
    auto nowhere = repo.changed_files(old_commit, new_commit, "no/such/dir");
    REQUIRE(nowhere);
    CHECK(nowhere->empty());
  }
  SECTION("a file, not a directory, counts as missing") {
    // README is a blob in both commits: no directory to compare.
    auto readme = repo.changed_files(old_commit, new_commit, "README");
    REQUIRE(readme);
    CHECK(readme->empty());
    // filesystem/y is a directory only in the old commit.
    auto y = repo.changed_files(old_commit, new_commit, "filesystem/y");
    REQUIRE(y);
    CHECK(as_set(*y) == std::set<std::string>{"filesystem/y/z"});
  }
}

TEST_CASE("changed_files and entry_id refuse what is not a commit id", "[git]") {
  TwoCommits r;
  GitRepo repo = open_repo(r);
  std::string head = commit_of(repo, "HEAD");
  CHECK_FALSE(repo.changed_files("HEAD", head, "filesystem"));
  CHECK_FALSE(repo.changed_files(head, std::string(40, '0'), "filesystem"));
  CHECK_FALSE(repo.entry_id("not-a-commit", "state"));
}

TEST_CASE("entry_id is equal for an unchanged subtree and differs for a changed one", "[git]") {
  TwoCommits r;
  GitRepo repo = open_repo(r);
  std::string old_commit = commit_of(repo, "HEAD~1");
  std::string new_commit = commit_of(repo, "HEAD");

  auto id = [&](const std::string& commit, const std::string& path) {
    auto result = repo.entry_id(commit, path);
    REQUIRE(result);
    return *result;
  };
  // Unchanged: a whole directory, a nested one, a single file.
  for (const char* path :
       {"state", "filesystem/usr", "filesystem/usr/share/doc/more", "filesystem/etc/same.conf"}) {
    INFO(path);
    auto before = id(old_commit, path);
    REQUIRE(before);
    CHECK(before == id(new_commit, path));
  }
  // Changed somewhere below, or itself.
  for (const char* path : {"filesystem", "filesystem/etc", "live", "filesystem/etc/modified.conf",
                           "filesystem/bin", "filesystem/x", "filesystem/y"}) {
    INFO(path);
    auto before = id(old_commit, path);
    auto after = id(new_commit, path);
    REQUIRE(before);
    REQUIRE(after);
    CHECK(*before != *after);
  }
  // Only the mode changed: the blob is the same, the directory holding it is not.
  CHECK(id(old_commit, "filesystem/bin/tool") == id(new_commit, "filesystem/bin/tool"));
  // Absent on one side.
  CHECK_FALSE(id(new_commit, "filesystem/etc/removed.conf"));
  CHECK(id(old_commit, "filesystem/etc/removed.conf"));
  CHECK_FALSE(id(old_commit, "fresh"));
  CHECK(id(new_commit, "fresh"));
  CHECK_FALSE(id(new_commit, "no/such/path"));
  // A file's entry id is its blob id.
  CHECK(id(new_commit, "filesystem/etc/modified.conf") == GitRepo::hash_blob("v2\n"));
  CHECK(id(old_commit, "filesystem/etc/modified.conf") == GitRepo::hash_blob("v1\n"));
}

TEST_CASE("resolve names HEAD and HEAD~1, and nothing for an unborn branch", "[git]") {
  TempDir tmp{"gitrepo"};
  fs::path work = tmp.path() / "twin";
  fs::create_directories(work);
  git(work, "init -q");
  auto repo = GitRepo::open(work.string());
  REQUIRE(repo);
  auto head = repo->resolve("HEAD");
  REQUIRE(head);
  CHECK_FALSE(*head);

  write_file(work / "README", "one\n");
  git(work, "add -A");
  git(work, "commit -q -m one");
  auto one = repo->resolve("HEAD");
  REQUIRE(one);
  REQUIRE(*one);
  CHECK((*one)->size() == 40);
  auto parent = repo->resolve("HEAD~1");
  REQUIRE(parent);
  CHECK_FALSE(*parent);
}

namespace {

// What git itself says a revision is ("" when it does not resolve).
std::string git_rev_parse(const fs::path& dir, const std::string& revision) {
  std::string command =
      "git -C '" + dir.string() + "' rev-parse -q --verify '" + revision + "^{commit}' 2>/dev/null";
  FILE* out = ::popen(command.c_str(), "r");
  REQUIRE(out);
  char buffer[128] = {};
  std::string text = std::fgets(buffer, sizeof buffer, out) ? buffer : "";
  ::pclose(out);
  while (!text.empty() && text.back() == '\n')
    text.pop_back();
  return text;
}

void check_resolves_like_git(const GitRepo& repo, const fs::path& work) {
  for (const char* revision :
       {"HEAD", "refs/heads/main", "refs/heads/side", "refs/twin/base", "refs/heads/none",
        "refs/twin/none", "HEAD~1", "refs/heads/main~1", "refs/heads/main^"}) {
    INFO(revision);
    auto ours = repo.resolve(revision);
    REQUIRE(ours);
    CHECK(ours->value_or("") == git_rev_parse(work, revision));
  }
}

} // namespace

TEST_CASE("refs read from their files resolve as git resolves them: loose, packed, detached",
          "[git]") {
  TempDir tmp{"gitrepo"};
  fs::path work = tmp.path() / "twin";
  fs::create_directories(work);
  git(work, "init -q");
  write_file(work / "README", "one\n");
  git(work, "add -A");
  git(work, "commit -q -m one");
  git(work, "branch side");
  git(work, "update-ref refs/twin/base HEAD");
  write_file(work / "README", "two\n");
  git(work, "commit -q -a -m two");

  SECTION("loose") {
    auto repo = GitRepo::open(work.string());
    REQUIRE(repo);
    check_resolves_like_git(*repo, work);
  }
  SECTION("packed") {
    git(work, "pack-refs --all --prune");
    REQUIRE_FALSE(fs::exists(work / ".git/refs/heads/main"));
    auto repo = GitRepo::open(work.string());
    REQUIRE(repo);
    check_resolves_like_git(*repo, work);
  }
  SECTION("detached") {
    git(work, "checkout -q --detach HEAD~1");
    auto repo = GitRepo::open(work.string());
    REQUIRE(repo);
    check_resolves_like_git(*repo, work);
  }
  SECTION("found from a subdirectory, and from a linked worktree through libgit2") {
    fs::create_directories(work / "state/deep");
    auto repo = GitRepo::discover((work / "state/deep").string());
    REQUIRE(repo);
    CHECK(repo->work_tree() == work.string());
    CHECK(repo->git_dir() == (work / ".git").string());
    check_resolves_like_git(*repo, work);
    git(work, "worktree add -q ../linked side");
    auto linked = GitRepo::discover((tmp.path() / "linked").string());
    REQUIRE(linked);
    CHECK(linked->work_tree() == (tmp.path() / "linked").string());
    auto head = linked->resolve("HEAD");
    REQUIRE(head);
    CHECK(head->value_or("") == git_rev_parse(tmp.path() / "linked", "HEAD"));
  }
}

TEST_CASE("blob ids at a commit are remembered, absent paths too, and stay right", "[git]") {
  TwoCommits r;
  fs::create_directories(r.work / ".git/twin");
  std::string head = git_rev_parse(r.work, "HEAD");
  {
    auto repo = GitRepo::open(r.work.string());
    REQUIRE(repo);
    auto id = repo->blob_id(head, "filesystem/etc/same.conf");
    REQUIRE(id);
    CHECK(id->value_or("") == GitRepo::hash_blob("same\n"));
    auto none = repo->blob_id(head, "filesystem/etc/nothing");
    REQUIRE(none);
    CHECK_FALSE(*none);
  }
  CHECK_THAT(twin_test::read_file(r.work / ".git/twin/blob-ids"),
             Catch::Contains(head + " filesystem/etc/same.conf\t"));
  auto again = GitRepo::open(r.work.string());
  REQUIRE(again);
  auto id = again->blob_id(head, "filesystem/etc/same.conf");
  REQUIRE(id);
  CHECK(id->value_or("") == GitRepo::hash_blob("same\n"));
  auto none = again->blob_id(head, "filesystem/etc/nothing");
  REQUIRE(none);
  CHECK_FALSE(*none);
  auto content = again->read_blob(head, "filesystem/etc/same.conf");
  REQUIRE(content);
  CHECK(content->value_or("") == "same\n");
  // A damaged line (a torn write, an edit) is not believed.
  write_file(r.work / ".git/twin/blob-ids", head + " filesystem/etc/same.conf\tdeadbeef\n");
  auto third = GitRepo::open(r.work.string());
  REQUIRE(third);
  auto checked = third->blob_id(head, "filesystem/etc/same.conf");
  REQUIRE(checked);
  CHECK(checked->value_or("") == GitRepo::hash_blob("same\n"));
}

TEST_CASE("hash_blob gives git's object id", "[git]") {
  CHECK(GitRepo::hash_blob("") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
  CHECK(GitRepo::hash_blob("hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a");
}
