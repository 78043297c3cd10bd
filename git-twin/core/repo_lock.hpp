// SPDX-License-Identifier: MIT
// One lock per twin repository (<git-dir>/twin/lock, flock): two snapshots or applies never
// interleave. The lock is released when the object dies, and by the kernel when the
// process does, so a killed run never leaves a stale lock behind.
#pragma once

#include <chrono>
#include <string>

#include "core/error.hpp"

namespace twin {

class RepoLock {
public:
  /// Takes the lock, waiting up to `wait`; fails with a message naming the lock file.
  static Result<RepoLock> acquire(const std::string& git_dir,
                                  std::chrono::milliseconds wait = std::chrono::seconds(5));
  RepoLock(RepoLock&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }
  RepoLock& operator=(RepoLock&&) = delete;
  RepoLock(const RepoLock&) = delete;
  ~RepoLock();

private:
  explicit RepoLock(int fd) : m_fd(fd) {}
  int m_fd = -1;
};

} // namespace twin
