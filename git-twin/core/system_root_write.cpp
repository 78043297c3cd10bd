// SPDX-License-Identifier: MIT
// The mutating half of SystemRoot (system_root.hpp): everything apply does to a machine.
#include "core/system_root.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fs_util.hpp"

namespace twin {
namespace {

constexpr std::uint64_t k_write_resolve =
    RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;

struct Target {
  FdGuard parent;
  std::string name;
};

std::string where(const SystemRoot& root, std::string_view logical) {
  if (root.is_host())
    return quote_path(logical);
  return fmt::format("{} below root {}", quote_path(logical), quote_path(root.physical()));
}

std::string reason(int error) {
  if (error == ELOOP || error == EXDEV)
    return "a directory on the way is a symlink, and git-twin does not write through symlinks";
  if (error == EACCES || error == EPERM)
    return fmt::format("{} (changing this needs root)", std::strerror(error));
  return std::strerror(error);
}

// Makes a rename or unlink in a directory durable. The parent is an O_PATH fd, on which
// fsync fails: the directory itself is opened for that.
void sync_directory(int parent) {
  FdGuard dir(::openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0)
    ::fsync(dir.get());
}

// A unique temp name beside the target; O_EXCL/NOREPLACE users retry on collision.
std::string temp_name(std::string_view name) {
  static unsigned counter = 0;
  return fmt::format(".{}.twin-tmp-{}-{}", name, getpid(), ++counter);
}

// Moves (rename) or links (link) `name` to the first free backup name.
Result<std::string> make_backup(int parent, const std::string& name, std::string_view stamp,
                                bool move, std::string_view logical) {
  for (int n = 0; n < 1000; ++n) {
    std::string backup = fmt::format("{}.twinbak-{}", name, stamp);
    if (n > 0)
      backup += fmt::format("-{}", n);
    int rc = move ? ::renameat2(parent, name.c_str(), parent, backup.c_str(), RENAME_NOREPLACE)
                  : ::linkat(parent, name.c_str(), parent, backup.c_str(), 0);
    if (rc == 0)
      return std::string(logical) + backup.substr(name.size());
    if (errno != EEXIST)
      return fail("cannot back up {}: {}", quote_path(logical), std::strerror(errno));
  }
  return fail("cannot back up {}: too many backups with stamp {}", quote_path(logical), stamp);
}

// Resolves the parent directory for a change; the name is the final component.
Result<Target> open_target(const SystemRoot& root, int root_fd, std::string_view logical,
                           std::string_view verb) {
  TWIN_CHECK(check_logical_path(logical));
  if (logical == "/")
    return fail("cannot {} the root directory itself", verb);
  std::size_t slash = logical.rfind('/');
  std::string parent(logical.substr(1, slash == 0 ? 0 : slash - 1));
  int fd = openat2_fd(root_fd, parent, O_PATH | O_DIRECTORY, k_write_resolve);
  if (fd < 0)
    return fail("cannot {} {}: {}", verb, where(root, logical),
                -fd == ENOENT ? "its directory does not exist" : reason(-fd));
  return Target{FdGuard(fd), std::string(logical.substr(slash + 1))};
}

// The last step of every replacement: link the old file to its backup (when there is one
// and a stamp asks for it), rename the prepared temp over the target, fsync the directory.
// `error` is what preparing the temp already ran into; on any failure the temp goes away.
Result<std::string> install_temp(const SystemRoot& root, const Target& t, const std::string& temp,
                                 bool exists, std::string_view stamp, std::string_view logical,
                                 int error, std::string_view verb) {
  int parent = t.parent.get();
  std::string backup;
  if (!error && exists && !stamp.empty()) {
    auto made = make_backup(parent, t.name, stamp, false, logical);
    if (!made) {
      ::unlinkat(parent, temp.c_str(), 0);
      return tl::unexpected(made.error());
    }
    backup = *made;
  }
  if (!error && ::renameat(parent, temp.c_str(), parent, t.name.c_str()) != 0)
    error = errno;
  if (error) {
    ::unlinkat(parent, temp.c_str(), 0);
    return fail("cannot {} {}: {}", verb, where(root, logical), reason(error));
  }
  sync_directory(parent);
  return backup;
}

} // namespace

Result<std::string> SystemRoot::write_file(std::string_view logical, std::string_view content,
                                           std::uint32_t mode, std::uint32_t uid, std::uint32_t gid,
                                           std::string_view stamp) const {
  Target t = TWIN_TRY(open_target(*this, m_fd, logical, "write"));
  int parent = t.parent.get();
  struct stat old {};
  bool exists = ::fstatat(parent, t.name.c_str(), &old, AT_SYMLINK_NOFOLLOW) == 0;
  if (exists && S_ISDIR(old.st_mode))
    return fail("cannot write {}: it is a directory", where(*this, logical));

  // Private until the final owner and mode are set: never world-readable for a moment.
  std::string temp = temp_name(t.name);
  FdGuard file(::openat(parent, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (file.get() < 0)
    return fail("cannot write {}: {}", where(*this, logical), reason(errno));
  int error = write_all(file.get(), content);
  // chown before chmod: chown clears setuid/setgid bits.
  if (!error && ::fchown(file.get(), uid, gid) != 0)
    error = errno;
  if (!error && ::fchmod(file.get(), mode) != 0)
    error = errno;
  if (!error && ::fsync(file.get()) != 0)
    error = errno;
  return install_temp(*this, t, temp, exists, stamp, logical, error, "write");
}

Result<std::string> SystemRoot::write_symlink(std::string_view logical, std::string_view target,
                                              std::uint32_t uid, std::uint32_t gid,
                                              std::string_view stamp) const {
  Target t = TWIN_TRY(open_target(*this, m_fd, logical, "create symlink"));
  int parent = t.parent.get();
  struct stat old {};
  bool exists = ::fstatat(parent, t.name.c_str(), &old, AT_SYMLINK_NOFOLLOW) == 0;
  if (exists && S_ISDIR(old.st_mode))
    return fail("cannot create symlink {}: a directory is in the way", where(*this, logical));
  std::string temp = temp_name(t.name);
  if (::symlinkat(std::string(target).c_str(), parent, temp.c_str()) != 0)
    return fail("cannot create symlink {}: {}", where(*this, logical), reason(errno));
  int error = 0;
  if (::fchownat(parent, temp.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0)
    error = errno;
  return install_temp(*this, t, temp, exists, stamp, logical, error, "create symlink");
}

Status SystemRoot::make_directory(std::string_view logical, std::uint32_t mode, std::uint32_t uid,
                                  std::uint32_t gid) const {
  Target t = TWIN_TRY(open_target(*this, m_fd, logical, "create directory"));
  if (::mkdirat(t.parent.get(), t.name.c_str(), 0700) != 0)
    return fail("cannot create directory {}: {}", where(*this, logical), reason(errno));
  FdGuard dir(
      ::openat(t.parent.get(), t.name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (dir.get() < 0 || ::fchown(dir.get(), uid, gid) != 0 || ::fchmod(dir.get(), mode) != 0)
    return fail("cannot set owner and mode of {}: {}", where(*this, logical), reason(errno));
  sync_directory(t.parent.get());
  return {};
}

Status SystemRoot::set_attributes(std::string_view logical, std::optional<std::uint32_t> mode,
                                  std::optional<std::uint32_t> uid,
                                  std::optional<std::uint32_t> gid) const {
  Target t = TWIN_TRY(open_target(*this, m_fd, logical, "change"));
  struct stat st {};
  if (::fstatat(t.parent.get(), t.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return fail("cannot change {}: {}", where(*this, logical), reason(errno));
  uid_t new_uid = uid ? *uid : static_cast<uid_t>(-1);
  gid_t new_gid = gid ? *gid : static_cast<gid_t>(-1);
  if (S_ISLNK(st.st_mode)) {
    if ((uid || gid) &&
        ::fchownat(t.parent.get(), t.name.c_str(), new_uid, new_gid, AT_SYMLINK_NOFOLLOW) != 0)
      return fail("cannot change owner of {}: {}", where(*this, logical), reason(errno));
    return {};
  }
  if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
    return fail("cannot change {}: it is a {}", where(*this, logical),
                file_type_name(file_type_of(st.st_mode)));
  // Through an fd opened with O_NOFOLLOW: a path swapped for a symlink meanwhile is refused
  // instead of followed.
  FdGuard fd(::openat(t.parent.get(), t.name.c_str(),
                      O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (fd.get() < 0)
    return fail("cannot change {}: {}", where(*this, logical), reason(errno));
  if ((uid || gid) && ::fchown(fd.get(), new_uid, new_gid) != 0)
    return fail("cannot change owner of {}: {}", where(*this, logical), reason(errno));
  if (mode && ::fchmod(fd.get(), *mode) != 0)
    return fail("cannot change mode of {}: {}", where(*this, logical), reason(errno));
  return {};
}

Result<std::string> SystemRoot::remove(std::string_view logical, std::string_view stamp) const {
  Target t = TWIN_TRY(open_target(*this, m_fd, logical, "remove"));
  int parent = t.parent.get();
  struct stat st {};
  if (::fstatat(parent, t.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT)
      return std::string();
    return fail("cannot remove {}: {}", where(*this, logical), reason(errno));
  }
  if (S_ISDIR(st.st_mode)) {
    if (::unlinkat(parent, t.name.c_str(), AT_REMOVEDIR) != 0)
      return fail("cannot remove {}: {}", where(*this, logical),
                  errno == ENOTEMPTY ? "the directory is not empty" : reason(errno));
    sync_directory(parent);
    return std::string();
  }
  std::string backup;
  if (!stamp.empty()) {
    backup = TWIN_TRY(make_backup(parent, t.name, stamp, true, logical));
  } else if (::unlinkat(parent, t.name.c_str(), 0) != 0) {
    return fail("cannot remove {}: {}", where(*this, logical), reason(errno));
  }
  sync_directory(parent);
  return backup;
}

} // namespace twin
