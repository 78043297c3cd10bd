// SPDX-License-Identifier: MIT
#include "core/repo_lock.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace twin {

Result<RepoLock> RepoLock::acquire(const std::string& git_dir, std::chrono::milliseconds wait) {
  std::string dir = git_dir + "/twin";
  mkdir(dir.c_str(), 0700);
  std::string path = dir + "/lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return fail("cannot open lock file '{}': {}", path, std::strerror(errno));
  auto deadline = std::chrono::steady_clock::now() + wait;
  while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
    if (errno != EWOULDBLOCK || std::chrono::steady_clock::now() >= deadline) {
      close(fd);
      return fail("another git-twin command holds the lock '{}'; try again when it has "
                  "finished",
                  path);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return RepoLock(fd);
}

RepoLock::~RepoLock() {
  if (m_fd >= 0)
    close(m_fd); // closing the descriptor releases the flock
}

} // namespace twin
