// SPDX-License-Identifier: MIT
// Small POSIX helpers shared by the two filesystem seams (system_root, work_tree).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <utility>

#include "core/error.hpp"
#include "core/system_root.hpp"

namespace twin {

/// Closes an fd on scope exit.
class FdGuard {
public:
  explicit FdGuard(int fd = -1) : m_fd(fd) {}
  FdGuard(FdGuard&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  ~FdGuard();
  int get() const { return m_fd; }
  int release() { return std::exchange(m_fd, -1); }

private:
  int m_fd;
};

/// openat2(2) with the given RESOLVE_* flags (O_CLOEXEC added). Returns the fd or -errno;
/// retries EINTR/EAGAIN a little (a concurrent rename can make ".." resolution give up).
int openat2_fd(int dirfd, const std::string& path, std::uint64_t flags, std::uint64_t resolve,
               mode_t mode = 0);

/// Single-quotes a path for messages; control characters are escaped so a hostile name
/// cannot forge extra lines in the output.
std::string quote_path(std::string_view text);

/// True for names that YAML and messages can carry as they are: valid UTF-8 without
/// control characters. Other names cannot be recorded faithfully and are skipped.
bool is_recordable_name(std::string_view name);

/// Replaces a private state file of git-twin's own (caches and memos under <git-dir>/twin/)
/// with `text`: a temp file (mode 0600) renamed over it, so a reader sees the old or the new
/// text, never part of one. False on failure; callers treat those files as accelerators.
bool replace_state_file(const std::string& path, std::string_view text);
/// The whole of such a file; "" when it is missing or unreadable (callers then do the full
/// work).
std::string read_state_file(const std::string& path);

/// Replaces `path` with `content`: a temp file beside it, with `mode` from the first byte,
/// written, fsync'ed and renamed over it, so a reader sees the old or the new content,
/// never part of one. For files outside the two seams (the key, a merge driver's result).
Status replace_file(const std::string& path, std::string_view content, mode_t mode);
/// The whole of a file, or an error naming it.
Result<std::string> read_whole_file(const std::string& path);

/// Stat-based caches do not keep what changed this close to the time they are saved: a
/// change within the same timestamp tick could leave the stat as it was (git's racy entries).
inline constexpr std::int64_t k_racy_window_ns = 2'000'000'000;
/// The wall clock in ns since the epoch, the scale of file timestamps.
std::int64_t wall_clock_ns();

FileType file_type_of(mode_t mode);
FileStat to_file_stat(const struct stat& st);

/// Reads an fd to EOF (st_size is only a hint: /proc files say 0). Returns 0 or an errno.
int read_all(int fd, std::uint64_t size_hint, std::string& out);
/// Writes everything; returns 0 or an errno.
int write_all(int fd, std::string_view data);

} // namespace twin
