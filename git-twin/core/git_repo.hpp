// SPDX-License-Identifier: MIT
// The twin repository as git sees it.
//
// Reads (refs, blobs at a commit, object ids) go through libgit2 in process: they are
// hook-free and fast. Everything a user would expect git itself to do (add, commit, with
// their hooks, filters and config) runs the git CLI through the Runner (tech-notes 0.7).
//
// libgit2 is opened only when a read needs it: its initialization reads the whole CA
// bundle (about 9 ms), a quarter of a snapshot of an unchanged machine. A plain repository
// (a .git directory, not a worktree's or submodule's .git file) is found without it, HEAD
// and refs/heads/, refs/twin/ are read from their files (loose, then packed-refs), and the
// blob ids of paths at a commit, which never change, are remembered in
// $GIT_DIR/twin/blob-ids.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/runner.hpp"

struct git_repository;
struct git_tree;

namespace twin {

/// Where the sync base lives: a commit whose tree's live/ holds what the machine looked
/// like at the last sync point. checkout never moves it.
inline constexpr std::string_view k_base_ref = "refs/twin/base";

class GitRepo {
public:
  /// Opens the repository containing `start_dir` (searching upwards). Bare repositories
  /// are refused: a twin needs a work tree.
  static Result<GitRepo> discover(const std::string& start_dir);
  /// Opens the repository whose work tree is exactly `work_tree`.
  static Result<GitRepo> open(const std::string& work_tree);

  const std::string& work_tree() const { return m_work_tree; } // absolute, no trailing '/'
  const std::string& git_dir() const { return m_git_dir; }     // absolute, no trailing '/'

  /// The commit id a ref or revision names ("HEAD", "refs/twin/base"); nullopt when it
  /// does not resolve (unborn HEAD, missing ref).
  Result<std::optional<std::string>> resolve(std::string_view revision) const;
  /// The content of `path` in the tree of `commit`; nullopt when absent. A twin-crypt blob
  /// comes back as a checkout would write it: through the filters its attributes name (in
  /// the work tree, the index or that commit), so decrypted when the twin has the key and
  /// the path is marked filter=twin-crypt. Other blobs are returned as stored (crlf and
  /// ident attributes are not applied: twins do not use them, and looking attributes up
  /// loads the whole index).
  Result<std::optional<std::string>> read_blob(std::string_view commit,
                                               std::string_view path) const;
  /// The blob id of `path` in the tree of `commit`; nullopt when absent.
  Result<std::optional<std::string>> blob_id(std::string_view commit, std::string_view path) const;
  /// The id of whatever `path` is in the tree of `commit` (blob or tree); nullopt when
  /// absent. Equal ids mean equal content, for a whole directory too.
  Result<std::optional<std::string>> entry_id(std::string_view commit, std::string_view path) const;
  /// The files below the directory `prefix` that differ between two commits (added,
  /// removed, changed in content or mode), without rename detection.
  Result<std::vector<std::string>> changed_files(std::string_view old_commit,
                                                 std::string_view new_commit,
                                                 std::string_view prefix) const;
  /// Points `ref` at `commit` (creating or moving it), with a reflog message.
  Status set_ref(std::string_view ref, std::string_view commit, std::string_view message);

  /// The id git would give a blob with this content (git hash-object).
  static std::string hash_blob(std::string_view content);

  /// What must happen right after libgit2 is initialized and before it is used: the
  /// program registers its filters here (filters/libgit2_filter.hpp), keeping core free of
  /// them and libgit2 lazy. Set it at startup; when libgit2 is already up, it runs at once.
  /// A failure is reported by every later use of libgit2.
  using LibrarySetup = Status (*)();
  static void set_library_setup(LibrarySetup setup);

private:
  // The libgit2 repository, opened on first use.
  Result<git_repository*> handle() const;
  // A ref read from its file; nullopt when that cannot decide (libgit2 then resolves it).
  std::optional<std::optional<std::string>> resolve_from_files(std::string_view ref) const;
  std::optional<std::optional<std::string>> remembered_blob_id(std::string_view commit,
                                                               std::string_view path) const;
  void remember_blob_id(std::string_view commit, std::string_view path,
                        const std::optional<std::string>& id) const;
  // The kind of object at `path` (a git_object_t, GIT_OBJECT_INVALID when absent); its id
  // goes to `id`.
  Result<int> lookup_entry(std::string_view commit, std::string_view path,
                           std::optional<std::string>& id) const;
  Status commit_tree(std::string_view commit, git_tree** tree) const;
  // Adds the files below `dir` that differ between two trees (either may be null: empty).
  Status compare_trees(git_tree* old_tree, git_tree* new_tree, const std::string& dir,
                       std::vector<std::string>& paths) const;
  struct Deleter {
    void operator()(git_repository* repo) const;
  };
  GitRepo(std::unique_ptr<git_repository, Deleter> repo, std::string work_tree, std::string git_dir,
          bool plain = false);
  mutable std::unique_ptr<git_repository, Deleter> m_repo; // null until handle()
  bool m_plain = false; // a plain .git directory: refs can be read from their files
  std::string m_work_tree;
  std::string m_git_dir;
  // "<commit> <path>" -> blob id ("" absent), loaded from blob-ids on first use.
  mutable std::optional<std::map<std::string, std::string, std::less<>>> m_blob_ids;
};

/// The command run_git runs: `git <args>` in the work tree, with GIT_TWIN_INTERNAL=1 (our
/// hooks then stand aside) and LC_ALL=C.
Command git_command(const std::string& work_tree, std::vector<std::string> args,
                    std::string input = {});

/// Runs `git <args>` in the work tree through the runner, with hooks seeing
/// GIT_TWIN_INTERNAL=1 and, when the user has no identity configured, a git-twin identity.
/// Fails with git's stderr when git exits non-zero.
Result<Completed> run_git(Runner& runner, const std::string& work_tree,
                          std::vector<std::string> args, std::string input = {});

/// Stages `paths` (with -A semantics, ignoring .gitignore files mirrored from the machine)
/// and commits exactly those paths, leaving anything else the user staged alone.
/// Returns the new commit id, or nullopt when there was nothing to commit.
/// `fresh`: files below `paths` written by this run, whose objects are likely new; many of
/// them are staged ahead by several git processes at once (core/prestage.hpp).
Result<std::optional<std::string>> commit_paths(Runner& runner, const GitRepo& repo,
                                                const std::vector<std::string>& paths,
                                                const std::string& message,
                                                const std::vector<std::string>& fresh = {});

} // namespace twin
