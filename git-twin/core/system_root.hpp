// SPDX-License-Identifier: MIT
// The system-root seam: every file git-twin reads or writes on the machine goes through a
// SystemRoot.
//
// A logical path ("/etc/hostname", what YAML, plans and messages use) is resolved below the
// root directory with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): "..", absolute
// symlinks and symlink chains can never leave the root; a symlink to /etc/shadow inside a
// fake root resolves to <root>/etc/shadow. Logical paths themselves must be absolute and
// normal (no "..", ".", "//", NUL or trailing "/"); anything else is refused before the
// kernel sees it.
//
// Directory walking is done with file descriptors (Dir): names come from getdents and are
// single components opened with O_NOFOLLOW relative to an fd already inside the root, so a
// walk is confined by construction and never follows a symlink.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace twin {

enum class FileType { file, directory, symlink, fifo, socket, char_device, block_device, unknown };

std::string_view file_type_name(FileType type); // "file", "directory", "symlink", "fifo", ...

struct FileStat {
  FileType type = FileType::unknown;
  std::uint32_t mode = 0; // permission bits incl. setuid/setgid/sticky (st_mode & 07777)
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  std::uint64_t inode = 0;
  std::uint64_t device = 0;
};

/// True for a name Dir accepts: one path component, not "." or "..". Names relative to a
/// directory descriptor must be one component: "../x" or "a/b" would walk out of the
/// confinement that the descriptor gives.
bool is_single_component(std::string_view name);

/// Checks that `logical` is an absolute, normal path. The error names the path and why.
Status check_logical_path(std::string_view logical);

/// True when logical `path` is `dir` itself or lies below it ("/" contains everything).
bool path_is_within(std::string_view dir, std::string_view path);

/// Joins a normal absolute directory and one name ("/" + "etc" = "/etc").
std::string join_logical(std::string_view dir, std::string_view name);

/// An open directory fd inside a root (RAII). Move-only.
class Dir {
public:
  Dir() = default;
  explicit Dir(int fd) : m_fd(fd) {} // freshly opened: its offset is at the start
  Dir(Dir&& other) noexcept : m_fd(other.m_fd), m_listed(other.m_listed) { other.m_fd = -1; }
  Dir& operator=(Dir&& other) noexcept;
  Dir(const Dir&) = delete;
  Dir& operator=(const Dir&) = delete;
  ~Dir();
  int fd() const { return m_fd; }

  struct Entry {
    std::string name;
    FileStat stat;
  };
  /// All entries except "." and "..", lstat'ed (never following), sorted by name.
  /// An entry that vanishes between readdir and lstat is left out. Not from two threads
  /// at once on one Dir (the listing uses the descriptor's offset).
  Result<std::vector<Entry>> entries() const;
  /// The entries `names` (sorted, as entries() gives them) lstat'ed, for a listing known
  /// from before (core/listing_cache.hpp). nullopt when one of them is gone: the caller
  /// then lists the directory.
  Result<std::optional<std::vector<Entry>>>
  entries_named(const std::vector<std::string_view>& names) const;
  /// The directory's own stat.
  Result<FileStat> stat() const;
  /// Opens the child directory `name` (O_NOFOLLOW: a symlink is refused).
  Result<Dir> open_dir(std::string_view name) const;
  /// Reads the whole regular file `name` (O_NOFOLLOW: a symlink is refused).
  Result<std::string> read_file(std::string_view name) const;
  /// Reads the symlink `name`'s target.
  Result<std::string> read_link(std::string_view name) const;

private:
  int m_fd = -1;
  mutable bool m_listed = false; // the descriptor's offset has moved: rewind before listing
};

class SystemRoot {
public:
  /// Opens the root directory (must exist and be a directory).
  static Result<SystemRoot> open(const std::string& physical_dir);

  SystemRoot(SystemRoot&& other) noexcept;
  SystemRoot& operator=(SystemRoot&& other) noexcept;
  SystemRoot(const SystemRoot&) = delete;
  SystemRoot& operator=(const SystemRoot&) = delete;
  ~SystemRoot();

  /// The physical directory, absolute and canonical ("/" for the host).
  const std::string& physical() const { return m_physical; }
  /// True when the root is "/": actions that need a running system are allowed.
  bool is_host() const { return m_physical == "/"; }
  /// "<root>/etc/x" for messages and for tools that take a root option.
  std::string physical_path(std::string_view logical) const;

  /// lstat of the final component; intermediate symlinks are resolved inside the root.
  Result<FileStat> lstat(std::string_view logical) const;
  /// Reads a regular file, following symlinks inside the root.
  Result<std::string> read_file(std::string_view logical) const;
  /// The last `max_bytes` of a regular file (all of it when smaller) and the file's size:
  /// logs are read from their end, however large. Symlinks on the way are followed inside
  /// the root, a symlink as the last component is not (a user who can write a log
  /// directory must not make a root-run capture read /etc/shadow).
  struct Tail {
    std::string text;
    std::uint64_t size = 0;
  };
  Result<Tail> read_tail(std::string_view logical, std::uint64_t max_bytes) const;
  /// Reads a symlink's target (does not follow the final component).
  Result<std::string> read_link(std::string_view logical) const;
  /// Opens a directory, following symlinks inside the root.
  Result<Dir> open_dir(std::string_view logical) const;
  /// True when the path exists (lstat succeeds).
  bool exists(std::string_view logical) const;

  // Changing the machine (apply only). Parents are resolved with RESOLVE_NO_SYMLINKS too:
  // git-twin never writes through a symlink, not even one that stays inside the root, so a
  // path inside filesystem_roots cannot be redirected elsewhere. Parents must exist.
  // `backup_stamp` (YYYYMMDDHHMMSS) non-empty asks for a backup of what is replaced or
  // removed, as "<path>.twinbak-<stamp>" beside it ("-1", "-2"... appended when taken: an
  // earlier backup is never overwritten); the backup's logical path is returned ("" when
  // there was nothing to back up).

  /// Atomically replaces or creates a regular file: a temp file in the same directory gets
  /// the content, then owner and mode, is fsynced and renamed over the target; the
  /// directory is fsynced. Nobody ever sees a half-written file or the wrong mode.
  Result<std::string> write_file(std::string_view logical, std::string_view content,
                                 std::uint32_t mode, std::uint32_t uid, std::uint32_t gid,
                                 std::string_view backup_stamp) const;
  /// Atomically replaces or creates a symlink (same temp-and-rename dance).
  Result<std::string> write_symlink(std::string_view logical, std::string_view target,
                                    std::uint32_t uid, std::uint32_t gid,
                                    std::string_view backup_stamp) const;
  /// Creates a directory with its final owner and mode (an existing one is an error).
  Status make_directory(std::string_view logical, std::uint32_t mode, std::uint32_t uid,
                        std::uint32_t gid) const;
  /// Changes mode and/or owner of an existing path without following a final symlink
  /// (a symlink only gets its owner changed).
  Status set_attributes(std::string_view logical, std::optional<std::uint32_t> mode,
                        std::optional<std::uint32_t> uid, std::optional<std::uint32_t> gid) const;
  /// Removes a file or symlink (moved to the backup name when asked) or an empty directory.
  Result<std::string> remove(std::string_view logical, std::string_view backup_stamp) const;

private:
  SystemRoot(std::string physical, int fd) : m_physical(std::move(physical)), m_fd(fd) {}
  std::string m_physical;
  int m_fd = -1;
};

} // namespace twin
