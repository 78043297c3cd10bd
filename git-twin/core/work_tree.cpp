// SPDX-License-Identifier: MIT
#include "core/work_tree.hpp"

#include "core/fs_util.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace twin {
namespace {

// Repository content may be hostile: never follow a symlink, never leave the work tree.
constexpr std::uint64_t k_resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;

std::pair<std::string, std::string> split_parent(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos)
    return {".", std::string(path)};
  return {std::string(path.substr(0, slash)), std::string(path.substr(slash + 1))};
}

} // namespace

Status check_repo_path(std::string_view path) {
  if (path.empty())
    return fail("empty repository path");
  if (path.front() == '/')
    return fail("repository path '{}' must be relative", path);
  if (path.find('\0') != std::string_view::npos || path.find('\n') != std::string_view::npos)
    return fail("repository path '{}' contains a control character", path);
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    std::string_view part = path.substr(start, end == std::string_view::npos ? end : end - start);
    if (part.empty() || part == "." || part == "..")
      return fail("repository path '{}' has an empty, '.' or '..' component", path);
    if (end == std::string_view::npos)
      break;
    start = end + 1;
  }
  return {};
}

Result<WorkTree> WorkTree::open(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return fail("cannot open work tree '{}': {}", dir, std::strerror(errno));
  return WorkTree(dir, fd);
}

WorkTree::WorkTree(WorkTree&& other) noexcept : m_dir(std::move(other.m_dir)), m_fd(other.m_fd) {
  other.m_fd = -1;
}

WorkTree& WorkTree::operator=(WorkTree&& other) noexcept {
  std::swap(m_dir, other.m_dir);
  std::swap(m_fd, other.m_fd);
  return *this;
}

WorkTree::~WorkTree() {
  if (m_fd >= 0)
    close(m_fd);
}

Result<int> WorkTree::open_parent(std::string_view path, bool create) const {
  TWIN_CHECK(check_repo_path(path));
  auto [parent, name] = split_parent(path);
  int fd = openat2_fd(m_fd, parent, O_PATH | O_DIRECTORY, k_resolve);
  if (fd < 0)
    errno = -fd;
  if (fd < 0 && errno == ENOENT && create) {
    // Create the missing directories below the deepest one that exists, one component at a
    // time, never through a symlink. Usually only the last one is missing: a first snapshot
    // creates thousands of directories, and walking each chain from the top cost a mkdir
    // and an open per level.
    std::size_t existing = parent.size(); // parent.substr(0, existing) exists
    int current = -1;
    while (current < 0) {
      existing = parent.rfind('/', existing - 1);
      if (existing == std::string::npos) {
        existing = 0;
        current = dup(m_fd);
        break;
      }
      current = openat2_fd(m_fd, parent.substr(0, existing), O_PATH | O_DIRECTORY, k_resolve);
      if (current < 0 && current != -ENOENT) {
        errno = -current;
        break;
      }
    }
    std::size_t start = existing == 0 ? 0 : existing + 1;
    while (current >= 0 && start < parent.size()) {
      size_t end = parent.find('/', start);
      std::string part = parent.substr(start, end == std::string::npos ? end : end - start);
      if (mkdirat(current, part.c_str(), 0755) < 0 && errno != EEXIST) {
        int saved = errno;
        close(current);
        return fail("cannot create directory '{}' in '{}': {}", parent, m_dir,
                    std::strerror(saved));
      }
      int next = openat(current, part.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      int saved = errno;
      close(current);
      if (next < 0)
        return fail("cannot open directory '{}' in '{}': {}", parent, m_dir, std::strerror(saved));
      current = next;
      start = end == std::string::npos ? parent.size() : end + 1;
    }
    fd = current;
  }
  // A parent that is a file (a directory of the machine that became a file) holds nothing.
  if (fd < 0 && (errno == ENOENT || errno == ENOTDIR) && !create)
    return -1;
  if (fd < 0) {
    if (errno == ELOOP || errno == EXDEV)
      return fail("'{}' in the twin repository passes through a symlink, which is refused", path);
    return fail("cannot open '{}' in '{}': {}", parent, m_dir, std::strerror(errno));
  }
  return fd;
}

Result<std::optional<std::string>> WorkTree::read(std::string_view path) const {
  TWIN_CHECK(check_repo_path(path));
  FdGuard file(openat2_fd(m_fd, std::string(path), O_RDONLY | O_NONBLOCK, k_resolve));
  if (file.get() < 0) {
    errno = -file.get();
    if (errno == ENOENT || errno == ENOTDIR)
      return std::optional<std::string>();
    if (errno == ELOOP || errno == EXDEV)
      return fail("'{}' in the twin repository is or passes through a symlink, which is refused",
                  path);
    return fail("cannot read '{}': {}", path, std::strerror(errno));
  }
  struct stat st {};
  if (fstat(file.get(), &st) < 0 || !S_ISREG(st.st_mode))
    return fail("'{}' in the twin repository is not a regular file", path);
  std::string content;
  if (int error = read_all(file.get(), static_cast<std::uint64_t>(st.st_size), content))
    return fail("cannot read '{}': {}", path, std::strerror(error));
  return std::optional<std::string>(std::move(content));
}

Result<std::optional<FileStat>> WorkTree::stat(std::string_view path) const {
  FdGuard dir(TWIN_TRY(open_parent(path, false)));
  if (dir.get() < 0)
    return std::optional<FileStat>();
  struct stat st {};
  if (fstatat(dir.get(), split_parent(path).second.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT)
      return std::optional<FileStat>();
    return fail("cannot stat '{}': {}", path, std::strerror(errno));
  }
  return std::optional<FileStat>(to_file_stat(st));
}

Status WorkTree::write(std::string_view path, std::string_view content, unsigned mode,
                       FileStat* written) {
  static const std::string pid = std::to_string(getpid());
  FdGuard dir(TWIN_TRY(open_parent(path, true)));
  std::string name = split_parent(path).second;
  std::string temp = "." + name + ".twin-tmp-" + pid;
  FdGuard file(
      openat(dir.get(), temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode));
  if (file.get() < 0)
    return fail("cannot create '{}': {}", path, std::strerror(errno));
  int error = write_all(file.get(), content);
  if (!error && fchmod(file.get(), mode) < 0)
    error = errno;
  struct stat st {};
  if (!error && written && fstat(file.get(), &st) < 0)
    error = errno;
  if (!error && renameat(dir.get(), temp.c_str(), dir.get(), name.c_str()) < 0)
    error = errno;
  if (!error && written) {
    *written = to_file_stat(st);
    written->ctime_ns = 0; // the rename changed it
  }
  if (error) {
    unlinkat(dir.get(), temp.c_str(), 0);
    return fail("cannot write '{}': {}", path, std::strerror(error));
  }
  return {};
}

Result<bool> WorkTree::write_if_changed(std::string_view path, std::string_view content) {
  auto current = TWIN_TRY(read(path));
  if (current && *current == content)
    return false;
  TWIN_CHECK(write(path, content));
  return true;
}

Status WorkTree::remove(std::string_view path) {
  std::string current(path);
  bool first = true;
  while (current.find('/') != std::string::npos) {
    FdGuard dir(TWIN_TRY(open_parent(current, false)));
    if (dir.get() < 0)
      return {};
    std::string name = split_parent(current).second;
    if (unlinkat(dir.get(), name.c_str(), first ? 0 : AT_REMOVEDIR) < 0) {
      if (first && errno != ENOENT)
        return fail("cannot remove '{}': {}", current, std::strerror(errno));
      if (!first)
        return {}; // not empty (or gone): stop climbing
    }
    first = false;
    current = split_parent(current).first;
  }
  return {};
}

Result<std::vector<WorkTree::Entry>> WorkTree::list(std::string_view dir) const {
  std::vector<Entry> out;
  if (dir != ".")
    TWIN_CHECK(check_repo_path(dir));
  int fd = openat2_fd(m_fd, std::string(dir), O_RDONLY | O_DIRECTORY, k_resolve);
  if (fd == -ENOENT)
    return out;
  if (fd < 0)
    return fail("cannot list '{}' in the twin repository: {}", dir, std::strerror(-fd));
  DIR* d = fdopendir(fd);
  if (!d) {
    int error = errno;
    close(fd);
    return fail("cannot list '{}': {}", dir, std::strerror(error));
  }
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..")
      continue;
    struct stat st {};
    if (fstatat(dirfd(d), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
      out.push_back({name, S_ISDIR(st.st_mode)});
  }
  closedir(d);
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
  return out;
}

Status WorkTree::rename(std::string_view from, std::string_view to) {
  FdGuard from_dir(TWIN_TRY(open_parent(from, false)));
  if (from_dir.get() < 0)
    return fail("cannot rename '{}': it does not exist", from);
  FdGuard to_dir(TWIN_TRY(open_parent(to, true)));
  std::string from_name = split_parent(from).second;
  std::string to_name = split_parent(to).second;
  if (renameat2(from_dir.get(), from_name.c_str(), to_dir.get(), to_name.c_str(),
                RENAME_NOREPLACE) < 0)
    return fail("cannot rename '{}' to '{}': {}", from, to, std::strerror(errno));
  return {};
}

Status WorkTree::remove_tree(std::string_view dir) {
  FdGuard parent(TWIN_TRY(open_parent(dir, false)));
  if (parent.get() < 0)
    return {};
  std::string name = split_parent(dir).second;
  struct stat st {};
  if (fstatat(parent.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
    return {};
  if (S_ISDIR(st.st_mode)) {
    for (const auto& entry : TWIN_TRY(list(dir)))
      TWIN_CHECK(remove_tree(std::string(dir) + "/" + entry.name));
  }
  if (unlinkat(parent.get(), name.c_str(), S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0 &&
      errno != ENOENT)
    return fail("cannot remove '{}': {}", dir, std::strerror(errno));
  return {};
}

} // namespace twin
