// SPDX-License-Identifier: MIT
// git twin key export FILE | key import FILE: move the twin-crypt key to a second machine.
//
// The key never reaches a terminal: export writes a new file with mode 0600, and writes to
// stdout ("-") only when stdout is not a terminal (a pipe to ssh, say).
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "core/fs_util.hpp"
#include "core/git_repo.hpp"
#include "core/git_settings.hpp"
#include "core/secret_cipher.hpp"

namespace twin::cli {
namespace {

constexpr std::string_view k_usage = "usage: git twin key export [--force] FILE|-\n"
                                     "   or: git twin key import [--force] FILE|-";

Result<GitRepo> current_repo() {
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd))
    return fail("cannot determine the current directory");
  return GitRepo::discover(cwd);
}

Status export_key(const GitRepo& repo, const std::string& target, bool force) {
  auto key = TWIN_TRY(load_key(repo.git_dir()));
  if (!key)
    return fail("this twin has no key to export ({} is missing)", key_file(repo.git_dir()));
  std::string text = key->serialize();
  if (target == "-") {
    if (isatty(STDOUT_FILENO))
      return fail("refusing to print the key on a terminal; give a FILE, or pipe the output");
    if (int err = write_all(STDOUT_FILENO, text))
      return fail("cannot write the key: {}", std::strerror(err));
    return {};
  }
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (force ? O_TRUNC : O_EXCL);
  FdGuard fd(::open(target.c_str(), flags, 0600));
  if (fd.get() < 0)
    return fail("cannot write '{}': {}{}", target, std::strerror(errno),
                errno == EEXIST ? " (use --force to overwrite it)" : "");
  if (::fchmod(fd.get(), 0600) != 0)
    return fail("cannot make '{}' private: {}", target, std::strerror(errno));
  if (int err = write_all(fd.get(), text); err || ::fsync(fd.get()) != 0)
    return fail("cannot write '{}': {}", target, std::strerror(err ? err : errno));
  fmt::print(stderr,
             "exported the key (id {}) to {}: keep it as secret as the files it opens; on "
             "another clone run 'git twin key import {}'\n",
             key->id(), target, target);
  return {};
}

Result<std::string> read_key_text(const std::string& source) {
  if (source != "-")
    return read_whole_file(source);
  FdGuard fd(::dup(STDIN_FILENO));
  if (fd.get() < 0)
    return fail("cannot read standard input: {}", std::strerror(errno));
  std::string text;
  if (int err = read_all(fd.get(), 4096, text))
    return fail("cannot read '{}': {}", source, std::strerror(err));
  return text;
}

// The tracked files whose work-tree copy is still ciphertext: checked out without the key.
Result<std::vector<std::string>> locked_files(const GitRepo& repo) {
  auto listed = TWIN_TRY(run_git(process_runner(), repo.work_tree(), {"ls-files", "-z"}));
  std::vector<std::string> locked;
  for (std::size_t at = 0; at < listed.out.size();) {
    std::size_t end = listed.out.find('\0', at);
    std::string path = listed.out.substr(at, end - at);
    at = end == std::string::npos ? listed.out.size() : end + 1;
    FdGuard fd(::open((repo.work_tree() + "/" + path).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    char head[16];
    ssize_t n = fd.get() < 0 ? -1 : ::read(fd.get(), head, sizeof head);
    if (n > 0 && is_encrypted(std::string_view(head, static_cast<std::size_t>(n))))
      locked.push_back(path);
  }
  return locked;
}

Status import_key(const GitRepo& repo, const std::string& source, bool force) {
  std::string text = TWIN_TRY(read_key_text(source));
  auto key = SecretKey::parse(text);
  if (!key)
    return fail("'{}': {}", source, key.error().message);
  if (auto existing = TWIN_TRY(load_key(repo.git_dir()))) {
    if (existing->id() == key->id()) {
      fmt::print("this twin already has this key (id {})\n", key->id());
      return {};
    }
    if (!force)
      return fail("this twin already has another key (id {}); files encrypted with it would "
                  "no longer open. Use --force to replace it anyway",
                  existing->id());
  }
  // The key must open what is locked before anything changes: a wrong key would leave the
  // locked files unreadable where they are, and deleted by the checkout below.
  std::vector<std::string> locked = TWIN_TRY(locked_files(repo));
  for (const auto& path : locked) {
    std::string content = TWIN_TRY(read_whole_file(repo.work_tree() + "/" + path));
    if (auto opened = decrypt_secret(*key, path, content); !opened)
      return fail("'{}' is not this twin's key: {}: {}; nothing was changed", source, path,
                  opened.error().message);
  }
  TWIN_CHECK(store_key(repo.git_dir(), *key));
  TWIN_CHECK(configure_git(process_runner(), repo.work_tree()));

  // Check the locked files out again, now through the filter with the key.
  if (!locked.empty()) {
    std::string pathspecs;
    for (const auto& path : locked) {
      ::unlink((repo.work_tree() + "/" + path).c_str());
      pathspecs += path + '\0';
    }
    TWIN_CHECK(run_git(process_runner(), repo.work_tree(),
                       {"checkout", "--pathspec-from-file=-", "--pathspec-file-nul", "--"},
                       pathspecs));
  }
  fmt::print("imported the key (id {}); {} encrypted file{} unlocked\n", key->id(), locked.size(),
             locked.size() == 1 ? "" : "s");
  return {};
}

} // namespace

Result<int> cmd_key(std::span<const std::string> argv) {
  static const OptionSpec specs[] = {{"force", 'f', false}};
  Args args = TWIN_TRY(parse_args("key", argv, specs));
  if (args.positional.size() != 2)
    return usage_error("{}", k_usage);
  const std::string& action = args.positional[0];
  GitRepo repo = TWIN_TRY(current_repo());
  if (action == "export")
    TWIN_CHECK(export_key(repo, args.positional[1], args.flag("force")));
  else if (action == "import")
    TWIN_CHECK(import_key(repo, args.positional[1], args.flag("force")));
  else
    return usage_error("'{}' is not a key action\n{}", action, k_usage);
  return 0;
}

} // namespace twin::cli
