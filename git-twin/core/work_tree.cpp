// SPDX-License-Identifier: MIT
#include "core/work_tree.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace twin {
namespace {

// Repository content may be hostile: never follow a symlink, never leave the work tree.
int open_beneath(int dirfd, const std::string& path, int flags, mode_t mode = 0) {
  open_how how{};
  how.flags = static_cast<unsigned long long>(flags | O_CLOEXEC);
  how.mode = (flags & O_CREAT) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how));
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0)
      close(fd);
  }
};

std::pair<std::string, std::string> split_parent(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos)
    return {".", std::string(path)};
  return {std::string(path.substr(0, slash)), std::string(path.substr(slash + 1))};
}

FileStat to_file_stat(const struct stat& st) {
  FileStat fs;
  switch (st.st_mode & S_IFMT) {
  case S_IFREG:
    fs.type = FileType::file;
    break;
  case S_IFDIR:
    fs.type = FileType::directory;
    break;
  case S_IFLNK:
    fs.type = FileType::symlink;
    break;
  case S_IFIFO:
    fs.type = FileType::fifo;
    break;
  case S_IFSOCK:
    fs.type = FileType::socket;
    break;
  case S_IFCHR:
    fs.type = FileType::char_device;
    break;
  case S_IFBLK:
    fs.type = FileType::block_device;
    break;
  default:
    fs.type = FileType::unknown;
  }
  fs.mode = st.st_mode & 07777;
  fs.uid = st.st_uid;
  fs.gid = st.st_gid;
  fs.size = static_cast<std::uint64_t>(st.st_size);
  fs.mtime_ns = st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
  fs.ctime_ns = st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec;
  fs.inode = st.st_ino;
  fs.device = st.st_dev;
  return fs;
}

Status read_all(int fd, std::string& out, std::string_view path) {
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return fail("cannot read '{}': {}", path, std::strerror(errno));
    if (n == 0)
      return {};
    out.append(buffer, static_cast<size_t>(n));
  }
}

Status write_all(int fd, std::string_view content, std::string_view path) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return fail("cannot write '{}': {}", path, std::strerror(errno));
    content.remove_prefix(static_cast<size_t>(n));
  }
  return {};
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
  int fd = open_beneath(m_fd, parent, O_PATH | O_DIRECTORY);
  if (fd < 0 && errno == ENOENT && create) {
    // Create the missing directories one component at a time, never through a symlink.
    int current = dup(m_fd);
    size_t start = 0;
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
  if (fd < 0 && errno == ENOENT && !create)
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
  Fd file{open_beneath(m_fd, std::string(path), O_RDONLY | O_NONBLOCK)};
  if (file.fd < 0) {
    if (errno == ENOENT)
      return std::optional<std::string>();
    if (errno == ELOOP || errno == EXDEV)
      return fail("'{}' in the twin repository is or passes through a symlink, which is refused",
                  path);
    return fail("cannot read '{}': {}", path, std::strerror(errno));
  }
  struct stat st {};
  if (fstat(file.fd, &st) < 0 || !S_ISREG(st.st_mode))
    return fail("'{}' in the twin repository is not a regular file", path);
  std::string content;
  content.reserve(static_cast<size_t>(st.st_size));
  TWIN_CHECK(read_all(file.fd, content, path));
  return std::optional<std::string>(std::move(content));
}

Result<std::optional<FileStat>> WorkTree::stat(std::string_view path) const {
  Fd dir{TWIN_TRY(open_parent(path, false))};
  if (dir.fd < 0)
    return std::optional<FileStat>();
  struct stat st {};
  if (fstatat(dir.fd, split_parent(path).second.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT)
      return std::optional<FileStat>();
    return fail("cannot stat '{}': {}", path, std::strerror(errno));
  }
  return std::optional<FileStat>(to_file_stat(st));
}

Status WorkTree::write(std::string_view path, std::string_view content, unsigned mode) {
  Fd dir{TWIN_TRY(open_parent(path, true))};
  std::string name = split_parent(path).second;
  std::string temp = "." + name + ".twin-tmp-" + std::to_string(getpid());
  Fd file{
      openat(dir.fd, temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode)};
  if (file.fd < 0)
    return fail("cannot create '{}': {}", path, std::strerror(errno));
  Status written = write_all(file.fd, content, path);
  if (written && fchmod(file.fd, mode) < 0)
    written = fail("cannot chmod '{}': {}", path, std::strerror(errno));
  if (!written || renameat(dir.fd, temp.c_str(), dir.fd, name.c_str()) < 0) {
    int saved = errno;
    unlinkat(dir.fd, temp.c_str(), 0);
    if (!written)
      return written;
    return fail("cannot replace '{}': {}", path, std::strerror(saved));
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
    Fd dir{TWIN_TRY(open_parent(current, false))};
    if (dir.fd < 0)
      return {};
    std::string name = split_parent(current).second;
    if (unlinkat(dir.fd, name.c_str(), first ? 0 : AT_REMOVEDIR) < 0) {
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

Status WorkTree::make_dirs(std::string_view path) {
  Fd dir{TWIN_TRY(open_parent(std::string(path) + "/x", true))};
  return {};
}

} // namespace twin
