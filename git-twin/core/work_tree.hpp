// SPDX-License-Identifier: MIT
// WorkTree: confined access to the twin repository's work tree.
//
// Repository paths are relative ("live/files.yaml", "filesystem/etc/motd"). Content in the
// repository may come from a pull request, so nothing here ever follows a symlink
// (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS): a committed symlink such as
// filesystem/etc -> /etc can neither be read through nor written through. Writes are atomic
// (temp file in the same directory, then rename) and create parent directories.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/system_root.hpp"

namespace twin {

/// Checks a repository-relative path: not empty, not absolute, no "." / ".." / empty
/// components, no NUL or newline.
Status check_repo_path(std::string_view path);

class WorkTree {
public:
  /// Opens the work tree directory (absolute path).
  static Result<WorkTree> open(const std::string& dir);

  WorkTree(WorkTree&& other) noexcept;
  WorkTree& operator=(WorkTree&& other) noexcept;
  WorkTree(const WorkTree&) = delete;
  WorkTree& operator=(const WorkTree&) = delete;
  ~WorkTree();

  const std::string& dir() const { return m_dir; }

  /// Reads a regular file; nullopt when it does not exist (a parent that is a file
  /// included). Symlinks and other file types are errors.
  Result<std::optional<std::string>> read(std::string_view path) const;
  /// lstat without following; nullopt when absent (a parent that is a file included).
  Result<std::optional<FileStat>> stat(std::string_view path) const;
  /// Atomically replaces `path` with `content` (mode 0644 unless given). `written`, when
  /// given, gets the new file's stat data as it was before the rename, except its ctime
  /// (0: the rename changed it).
  Status write(std::string_view path, std::string_view content, unsigned mode = 0644,
               FileStat* written = nullptr);
  /// Writes only when the content differs; returns true when it wrote.
  Result<bool> write_if_changed(std::string_view path, std::string_view content);
  /// Removes a file (absent is fine) and then any directories it leaves empty, up to but
  /// not including the first component ("filesystem", "live").
  Status remove(std::string_view path);

  struct Entry {
    std::string name;
    bool directory = false; // a symlink is never a directory here
  };
  /// The entries of directory `dir` ("." for the top), sorted by name; empty when it does not
  /// exist.
  Result<std::vector<Entry>> list(std::string_view dir) const;
  /// Renames a file or directory within the work tree (the target's parents are created;
  /// an existing target is an error).
  Status rename(std::string_view from, std::string_view to);
  /// Removes `dir` and everything below it (symlinks are removed, never followed); absent is
  /// fine.
  Status remove_tree(std::string_view dir);

private:
  WorkTree(std::string dir, int fd) : m_dir(std::move(dir)), m_fd(fd) {}
  // The parent directory of `path` as an O_PATH fd; -1 when it does not exist and
  // `create` is false.
  Result<int> open_parent(std::string_view path, bool create) const;
  std::string m_dir;
  int m_fd = -1;
};

} // namespace twin
