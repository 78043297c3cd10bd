// SPDX-License-Identifier: MIT
#include "core/system_root.hpp"

#include "core/fs_util.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace twin {

bool is_single_component(std::string_view name) {
  return !name.empty() && name != "." && name != ".." &&
         name.find_first_of(std::string_view("/\0", 2)) == std::string_view::npos;
}

namespace {

// Reads a file opened O_NONBLOCK (so that opening a FIFO or device could not hang): checks
// on the open fd that it is a regular file, makes it blocking again and reads it. Returns
// the reason on failure.
Result<std::string> read_regular(int fd) {
  struct stat st;
  if (::fstat(fd, &st) != 0)
    return fail("{}", std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    return fail("not a regular file (it is a {})", file_type_name(file_type_of(st.st_mode)));
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0)
    return fail("{}", std::strerror(errno));
  std::string data;
  if (int error = read_all(fd, static_cast<std::uint64_t>(st.st_size), data))
    return fail("{}", std::strerror(error));
  return data;
}

// The physical location of a directory fd, for messages from Dir (which knows no logical
// path). Falls back to the bare name when /proc is not there.
std::string describe_in_dir(int dirfd, std::string_view name) {
  char buf[PATH_MAX];
  std::string link = fmt::format("/proc/self/fd/{}", dirfd);
  ssize_t n = ::readlink(link.c_str(), buf, sizeof buf);
  if (n <= 0 || static_cast<std::size_t>(n) >= sizeof buf)
    return quote_path(name);
  std::string dir(buf, static_cast<std::size_t>(n));
  return quote_path(dir == "/" ? "/" + std::string(name) : dir + "/" + std::string(name));
}

// readlinkat into `target`; returns 0 or an errno (EINVAL: not a symlink).
int read_link_at(int dirfd, const char* name, std::string& target) {
  target.assign(256, '\0');
  for (;;) {
    ssize_t n = ::readlinkat(dirfd, name, target.data(), target.size());
    if (n < 0)
      return errno;
    if (static_cast<std::size_t>(n) < target.size()) {
      target.resize(static_cast<std::size_t>(n));
      return 0;
    }
    target.resize(target.size() * 2); // possibly truncated: retry with more room
  }
}

std::string link_error_text(int error) {
  return error == EINVAL ? "not a symlink" : std::strerror(error);
}

} // namespace

std::string_view file_type_name(FileType type) {
  switch (type) {
  case FileType::file:
    return "file";
  case FileType::directory:
    return "directory";
  case FileType::symlink:
    return "symlink";
  case FileType::fifo:
    return "fifo";
  case FileType::socket:
    return "socket";
  case FileType::char_device:
    return "char_device";
  case FileType::block_device:
    return "block_device";
  case FileType::unknown:
    break;
  }
  return "unknown";
}

Status check_logical_path(std::string_view logical) {
  auto refuse = [&](std::string_view reason) -> Status {
    return fail("invalid path {}: {}", quote_path(logical), reason);
  };
  if (logical.empty())
    return refuse("the path is empty");
  if (logical.find('\0') != std::string_view::npos)
    return refuse("it contains a NUL byte");
  if (logical.find_first_of("\n\r") != std::string_view::npos)
    return refuse("it contains a newline character");
  if (logical.front() != '/')
    return refuse("it is not absolute (must start with '/')");
  if (logical == "/")
    return {};
  if (logical.back() == '/')
    return refuse("it ends with '/'");
  if (logical.find("//") != std::string_view::npos)
    return refuse("it contains '//'");
  std::size_t start = 1;
  while (start <= logical.size()) {
    std::size_t end = logical.find('/', start);
    if (end == std::string_view::npos)
      end = logical.size();
    std::string_view component = logical.substr(start, end - start);
    if (component == "." || component == "..")
      return refuse(fmt::format("it contains a '{}' component", component));
    start = end + 1;
  }
  return {};
}

bool path_is_within(std::string_view dir, std::string_view path) {
  if (dir == "/" || path == dir)
    return !path.empty() && path.front() == '/';
  return path.size() > dir.size() && path.substr(0, dir.size()) == dir && path[dir.size()] == '/';
}

std::string join_logical(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (out.empty() || out.back() != '/')
    out += '/';
  out += name;
  return out;
}

// ---------------------------------------------------------------------------------------
// Dir

Dir& Dir::operator=(Dir&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0)
      ::close(m_fd);
    m_fd = std::exchange(other.m_fd, -1);
    m_listed = other.m_listed;
  }
  return *this;
}

Dir::~Dir() {
  if (m_fd >= 0)
    ::close(m_fd);
}

Result<std::vector<Dir::Entry>> Dir::entries() const {
  // Listed through the directory's own descriptor (opened O_RDONLY), rewound first when
  // listed before (a snapshot lists every directory of two trees: a second descriptor per
  // directory would cost two syscalls more). One that cannot be rewound gets a fresh one.
  int list_fd = m_fd;
  std::optional<FdGuard> guard;
  if (std::exchange(m_listed, true) && ::lseek(m_fd, 0, SEEK_SET) != 0) {
    list_fd = ::openat(m_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (list_fd < 0)
      return fail("cannot list directory {}: {}", describe_in_dir(m_fd, "."), std::strerror(errno));
    guard.emplace(list_fd);
  }
  // getdents64 straight into a buffer: readdir(3) would add an fcntl and a copy per
  // directory, and a snapshot lists every directory twice.
  std::vector<Entry> out;
  alignas(8) char buffer[32768];
  for (;;) {
    long n = ::syscall(SYS_getdents64, list_fd, buffer, sizeof buffer);
    if (n < 0) {
      int error = errno;
      if (error == EINTR)
        continue;
      return fail("cannot list directory {}: {}", describe_in_dir(m_fd, "."), std::strerror(error));
    }
    if (n == 0)
      break;
    for (long offset = 0; offset < n;) {
      const auto* d = reinterpret_cast<const struct dirent64*>(buffer + offset);
      offset += d->d_reclen;
      std::string_view name = d->d_name;
      if (name == "." || name == "..")
        continue;
      struct stat st;
      if (::fstatat(m_fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        int error = errno;
        if (error == ENOENT)
          continue; // removed since it was listed: it is simply not there any more
        return fail("cannot stat {}: {}", describe_in_dir(m_fd, name), std::strerror(error));
      }
      out.push_back(Entry{std::string(name), to_file_stat(st)});
    }
  }
  // std::string compares through char_traits<char>, i.e. memcmp: bytewise, unsigned.
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
  return out;
}

Result<std::optional<std::vector<Dir::Entry>>>
Dir::entries_named(const std::vector<std::string_view>& names) const {
  std::vector<Entry> out;
  out.reserve(names.size());
  std::string name;
  for (std::string_view n : names) {
    if (!is_single_component(n))
      return fail("cannot stat {}: not a single path component", quote_path(n));
    name.assign(n);
    struct stat st;
    if (::fstatat(m_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      int error = errno;
      if (error == ENOENT)
        return std::optional<std::vector<Entry>>{};
      return fail("cannot stat {}: {}", describe_in_dir(m_fd, name), std::strerror(error));
    }
    out.push_back(Entry{name, to_file_stat(st)});
  }
  return std::optional<std::vector<Entry>>{std::move(out)};
}

Result<FileStat> Dir::stat() const {
  struct stat st;
  if (::fstat(m_fd, &st) != 0)
    return fail("cannot stat directory {}: {}", describe_in_dir(m_fd, "."), std::strerror(errno));
  return to_file_stat(st);
}

Result<Dir> Dir::open_dir(std::string_view name) const {
  if (!is_single_component(name))
    return fail("cannot open directory {}: not a single path component", quote_path(name));
  std::string n(name);
  int fd = ::openat(m_fd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    int error = errno;
    // O_DIRECTORY|O_NOFOLLOW on a symlink gives ENOTDIR or ELOOP; say what it really is.
    struct stat st;
    if ((error == ELOOP || error == ENOTDIR) &&
        ::fstatat(m_fd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
      return fail("cannot open directory {}: it is a symlink", describe_in_dir(m_fd, name));
    return fail("cannot open directory {}: {}", describe_in_dir(m_fd, name), std::strerror(error));
  }
  return Dir(fd);
}

Result<std::string> Dir::read_file(std::string_view name) const {
  if (!is_single_component(name))
    return fail("cannot read {}: not a single path component", quote_path(name));
  std::string n(name);
  int fd = ::openat(m_fd, n.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    int error = errno;
    if (error == ELOOP)
      return fail("cannot read {}: it is a symlink", describe_in_dir(m_fd, name));
    return fail("cannot read {}: {}", describe_in_dir(m_fd, name), std::strerror(error));
  }
  FdGuard guard(fd);
  auto data = read_regular(fd);
  if (!data)
    return fail("cannot read {}: {}", describe_in_dir(m_fd, name), data.error().message);
  return data;
}

Result<std::string> Dir::read_link(std::string_view name) const {
  if (!is_single_component(name))
    return fail("cannot read link {}: not a single path component", quote_path(name));
  std::string target;
  if (int error = read_link_at(m_fd, std::string(name).c_str(), target))
    return fail("cannot read link {}: {}", describe_in_dir(m_fd, name), link_error_text(error));
  return target;
}

// ---------------------------------------------------------------------------------------
// SystemRoot

namespace {

// openat2 below the root fd. `relative` is the logical path without its leading '/'
// ("" is the root itself). Returns the fd or -errno.
int open_in_root(int root_fd, std::string_view relative, std::uint64_t flags) {
  return openat2_fd(root_fd, std::string(relative), flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

// Splits a checked logical path into parent (relative to the root) and final name.
// "/etc/x" -> ("etc", "x"); "/x" -> ("", "x").
std::pair<std::string_view, std::string_view> split_parent(std::string_view logical) {
  std::size_t slash = logical.rfind('/');
  return {logical.substr(1, slash == 0 ? 0 : slash - 1), logical.substr(slash + 1)};
}

} // namespace

Result<SystemRoot> SystemRoot::open(const std::string& physical_dir) {
  if (physical_dir.empty())
    return fail("cannot open root '': the path is empty");
  char* resolved = ::realpath(physical_dir.c_str(), nullptr);
  if (!resolved)
    return fail("cannot open root {}: {}", quote_path(physical_dir), std::strerror(errno));
  std::string physical(resolved);
  std::free(resolved);
  int fd = ::open(physical.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return fail("cannot open root {}: {}", quote_path(physical_dir), std::strerror(errno));
  // Probe openat2 once here so that an old kernel fails early with a clear message.
  int probe = open_in_root(fd, "", O_PATH | O_DIRECTORY);
  if (probe < 0) {
    ::close(fd);
    if (probe == -ENOSYS)
      return fail("cannot open root {}: openat2(2) is not supported by this kernel (Linux 5.6 "
                  "or newer is required)",
                  quote_path(physical_dir));
    return fail("cannot open root {}: {}", quote_path(physical_dir), std::strerror(-probe));
  }
  ::close(probe);
  return SystemRoot(std::move(physical), fd);
}

SystemRoot::SystemRoot(SystemRoot&& other) noexcept
    : m_physical(std::move(other.m_physical)), m_fd(std::exchange(other.m_fd, -1)) {}

SystemRoot& SystemRoot::operator=(SystemRoot&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0)
      ::close(m_fd);
    m_physical = std::move(other.m_physical);
    m_fd = std::exchange(other.m_fd, -1);
  }
  return *this;
}

SystemRoot::~SystemRoot() {
  if (m_fd >= 0)
    ::close(m_fd);
}

std::string SystemRoot::physical_path(std::string_view logical) const {
  if (is_host())
    return std::string(logical);
  if (logical == "/")
    return m_physical;
  return m_physical + std::string(logical);
}

namespace {

// "'/etc/x'" or "'/etc/x' below root '/tmp/r'": the logical path plus, for a fake root,
// where it lives.
std::string where(const SystemRoot& root, std::string_view logical) {
  if (root.is_host())
    return quote_path(logical);
  return fmt::format("{} below root {}", quote_path(logical), quote_path(root.physical()));
}

std::string errno_text(int error) {
  if (error == ENOSYS)
    return "openat2(2) is not supported by this kernel (Linux 5.6 or newer is required)";
  return std::strerror(error);
}

} // namespace

Result<FileStat> SystemRoot::lstat(std::string_view logical) const {
  TWIN_CHECK(check_logical_path(logical));
  struct stat st;
  if (logical == "/") {
    if (::fstat(m_fd, &st) != 0)
      return fail("cannot stat {}: {}", where(*this, logical), std::strerror(errno));
    return to_file_stat(st);
  }
  auto [parent, name] = split_parent(logical);
  int parent_fd = open_in_root(m_fd, parent, O_PATH | O_DIRECTORY);
  if (parent_fd < 0)
    return fail("cannot stat {}: {}", where(*this, logical), errno_text(-parent_fd));
  FdGuard guard(parent_fd);
  std::string n(name);
  if (::fstatat(parent_fd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return fail("cannot stat {}: {}", where(*this, logical), std::strerror(errno));
  return to_file_stat(st);
}

namespace {

// Opens a regular file below the root for reading. The type is checked on an O_PATH fd
// first so that a device is never really opened (opening a tty or a tape can have side
// effects); O_NONBLOCK: should the file be swapped for a FIFO meanwhile, the open does not
// wait for a writer, and callers check the type again on the fd actually read.
Result<FdGuard> open_regular_in_root(const SystemRoot& root, int root_fd, std::string_view logical,
                                     int extra_flags = 0) {
  TWIN_CHECK(check_logical_path(logical));
  std::string_view relative = logical.substr(1);
  int path_fd = open_in_root(root_fd, relative, O_PATH | extra_flags);
  if (path_fd < 0)
    return fail("cannot read {}: {}", where(root, logical), errno_text(-path_fd));
  struct stat st;
  int stat_result = ::fstat(path_fd, &st);
  int stat_error = errno;
  ::close(path_fd);
  if (stat_result != 0)
    return fail("cannot read {}: {}", where(root, logical), std::strerror(stat_error));
  if (!S_ISREG(st.st_mode))
    return fail("cannot read {}: not a regular file (it is a {})", where(root, logical),
                file_type_name(file_type_of(st.st_mode)));
  int fd = open_in_root(root_fd, relative, O_RDONLY | O_NONBLOCK | O_NOCTTY | extra_flags);
  if (fd < 0)
    return fail("cannot read {}: {}", where(root, logical), errno_text(-fd));
  return FdGuard(fd);
}

} // namespace

Result<std::string> SystemRoot::read_file(std::string_view logical) const {
  FdGuard guard = TWIN_TRY(open_regular_in_root(*this, m_fd, logical));
  auto data = read_regular(guard.get());
  if (!data)
    return fail("cannot read {}: {}", where(*this, logical), data.error().message);
  return data;
}

Result<SystemRoot::Tail> SystemRoot::read_tail(std::string_view logical,
                                               std::uint64_t max_bytes) const {
  FdGuard guard = TWIN_TRY(open_regular_in_root(*this, m_fd, logical, O_NOFOLLOW));
  struct stat st;
  if (::fstat(guard.get(), &st) != 0 || !S_ISREG(st.st_mode))
    return fail("cannot read {}: not a regular file", where(*this, logical));
  Tail tail;
  tail.size = static_cast<std::uint64_t>(st.st_size);
  std::uint64_t offset = tail.size > max_bytes ? tail.size - max_bytes : 0;
  tail.text.resize(static_cast<std::size_t>(tail.size - offset));
  std::size_t got = 0;
  while (got < tail.text.size()) {
    ssize_t n = ::pread(guard.get(), tail.text.data() + got, tail.text.size() - got,
                        static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return fail("cannot read {}: {}", where(*this, logical), std::strerror(errno));
    if (n == 0)
      break; // truncated meanwhile (a log rotated)
    got += static_cast<std::size_t>(n);
  }
  tail.text.resize(got);
  return tail;
}

Result<std::string> SystemRoot::read_link(std::string_view logical) const {
  TWIN_CHECK(check_logical_path(logical));
  if (logical == "/")
    return fail("cannot read link {}: not a symlink", where(*this, logical));
  auto [parent, name] = split_parent(logical);
  int parent_fd = open_in_root(m_fd, parent, O_PATH | O_DIRECTORY);
  if (parent_fd < 0)
    return fail("cannot read link {}: {}", where(*this, logical), errno_text(-parent_fd));
  FdGuard guard(parent_fd);
  std::string target;
  if (int error = read_link_at(parent_fd, std::string(name).c_str(), target))
    return fail("cannot read link {}: {}", where(*this, logical), link_error_text(error));
  return target;
}

Result<Dir> SystemRoot::open_dir(std::string_view logical) const {
  TWIN_CHECK(check_logical_path(logical));
  int fd = open_in_root(m_fd, logical.substr(1), O_RDONLY | O_DIRECTORY);
  if (fd < 0)
    return fail("cannot open directory {}: {}", where(*this, logical), errno_text(-fd));
  return Dir(fd);
}

bool SystemRoot::exists(std::string_view logical) const {
  return lstat(logical).has_value();
}

} // namespace twin
