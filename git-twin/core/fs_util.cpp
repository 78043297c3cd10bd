// SPDX-License-Identifier: MIT
#include "core/fs_util.hpp"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

namespace twin {

FdGuard::~FdGuard() {
  if (m_fd >= 0)
    ::close(m_fd);
}

int openat2_fd(int dirfd, const std::string& path, std::uint64_t flags, std::uint64_t resolve,
               mode_t mode) {
  struct open_how how;
  std::memset(&how, 0, sizeof how);
  how.flags = flags | O_CLOEXEC;
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
  how.resolve = resolve;
  for (int attempt = 0;; ++attempt) {
    long fd = ::syscall(SYS_openat2, dirfd, path.empty() ? "." : path.c_str(), &how, sizeof how);
    if (fd >= 0)
      return static_cast<int>(fd);
    if ((errno == EINTR || errno == EAGAIN) && attempt < 16)
      continue;
    return -errno;
  }
}

bool replace_state_file(const std::string& path, std::string_view text) {
  // A temp file of its own (mode 0600): status and the hooks write caches without the
  // repository lock, and two writers must never share one half-written file.
  std::string temp = path + ".tmp.XXXXXX";
  int fd = ::mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0)
    return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::close(fd) == 0 && ok;
  if (ok && ::rename(temp.c_str(), path.c_str()) == 0)
    return true;
  ::unlink(temp.c_str());
  return false;
}

Status replace_file(const std::string& path, std::string_view content, mode_t mode) {
  std::string temp = path + ".twin-XXXXXX";
  FdGuard fd(::mkostemp(temp.data(), O_CLOEXEC)); // mode 0600 until fchmod
  if (fd.get() < 0)
    return fail("cannot create a file beside '{}': {}", path, std::strerror(errno));
  int err = ::fchmod(fd.get(), mode) == 0 ? write_all(fd.get(), content) : errno;
  if (!err && ::fsync(fd.get()) != 0)
    err = errno;
  if (!err && ::rename(temp.c_str(), path.c_str()) != 0)
    err = errno;
  if (err) {
    ::unlink(temp.c_str());
    return fail("cannot write '{}': {}", path, std::strerror(err));
  }
  return {};
}

Result<std::string> read_whole_file(const std::string& path) {
  FdGuard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0)
    return fail("cannot read '{}': {}", path, std::strerror(errno));
  std::string out;
  if (int err = read_all(fd.get(), 0, out))
    return fail("cannot read '{}': {}", path, std::strerror(err));
  return out;
}

std::string read_state_file(const std::string& path) {
  std::string text;
  FdGuard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0)
    return text;
  struct stat st;
  if (::fstat(fd.get(), &st) != 0)
    return text;
  // read_all sizes the string from the stat once (a 4 MB cache read in 64 KB pieces was
  // half of loading it).
  if (read_all(fd.get(), static_cast<std::uint64_t>(st.st_size), text) != 0)
    return std::string();
  return text;
}

std::string quote_path(std::string_view text) {
  std::string out = "'";
  for (unsigned char c : text) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\t')
      out += "\\t";
    else if (c < 0x20 || c == 0x7f)
      out += fmt::format("\\x{:02x}", c);
    else
      out += static_cast<char>(c);
  }
  out += '\'';
  return out;
}

bool is_recordable_name(std::string_view name) {
  std::size_t i = 0;
  while (i < name.size()) {
    auto c = static_cast<unsigned char>(name[i]);
    if (c < 0x20 || c == 0x7f)
      return false;
    std::size_t length = c < 0x80           ? 1
                         : (c >> 5) == 0x6  ? 2
                         : (c >> 4) == 0xe  ? 3
                         : (c >> 3) == 0x1e ? 4
                                            : 0;
    if (length == 0 || i + length > name.size())
      return false;
    for (std::size_t k = 1; k < length; ++k)
      if ((static_cast<unsigned char>(name[i + k]) & 0xc0) != 0x80)
        return false;
    if (length == 2 && c < 0xc2) // overlong
      return false;
    i += length;
  }
  return true;
}

FileType file_type_of(mode_t mode) {
  switch (mode & S_IFMT) {
  case S_IFREG:
    return FileType::file;
  case S_IFDIR:
    return FileType::directory;
  case S_IFLNK:
    return FileType::symlink;
  case S_IFIFO:
    return FileType::fifo;
  case S_IFSOCK:
    return FileType::socket;
  case S_IFCHR:
    return FileType::char_device;
  case S_IFBLK:
    return FileType::block_device;
  default:
    return FileType::unknown;
  }
}

FileStat to_file_stat(const struct stat& st) {
  FileStat out;
  out.type = file_type_of(st.st_mode);
  out.mode = st.st_mode & 07777;
  out.uid = st.st_uid;
  out.gid = st.st_gid;
  out.size = static_cast<std::uint64_t>(st.st_size);
  out.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  out.ctime_ns = static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
  out.inode = st.st_ino;
  out.device = st.st_dev;
  return out;
}

std::int64_t wall_clock_ns() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(now).count();
}

int read_all(int fd, std::uint64_t size_hint, std::string& out) {
  out.resize(size_hint > 0 ? size_hint + 1 : 4096);
  std::size_t used = 0;
  for (;;) {
    if (used == out.size())
      out.resize(out.size() * 2);
    ssize_t n = ::read(fd, out.data() + used, out.size() - used);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return errno;
    }
    if (n == 0)
      break;
    used += static_cast<std::size_t>(n);
  }
  out.resize(used);
  return 0;
}

int write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return errno;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return 0;
}

} // namespace twin
