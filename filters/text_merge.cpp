// SPDX-License-Identifier: MIT
#include "filters/text_merge.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/fs_util.hpp"

namespace twin::filters {
namespace {

// A private directory (mode 0700) holding the inputs, removed with everything in it: the
// texts may be decrypted secrets.
class ScratchDir {
public:
  static Result<ScratchDir> make(std::string parent) {
    if (parent.empty()) {
      const char* tmp = std::getenv("TMPDIR");
      parent = tmp && *tmp ? tmp : "/tmp";
    }
    std::string pattern = parent + "/.twin-merge-XXXXXX";
    if (!mkdtemp(pattern.data()))
      return fail("cannot create a scratch directory in '{}': {}", parent, std::strerror(errno));
    return ScratchDir(std::move(pattern));
  }
  ScratchDir(ScratchDir&& other) noexcept : m_path(std::move(other.m_path)) {
    other.m_path.clear();
  }
  ~ScratchDir() {
    if (m_path.empty())
      return;
    for (const auto& name : m_files)
      ::unlink((m_path + "/" + name).c_str());
    ::rmdir(m_path.c_str());
  }

  Result<std::string> write(const std::string& name, std::string_view text) {
    std::string path = m_path + "/" + name;
    FdGuard fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (fd.get() < 0)
      return fail("cannot create '{}': {}", path, std::strerror(errno));
    m_files.push_back(name);
    if (int e = write_all(fd.get(), text))
      return fail("cannot write '{}': {}", path, std::strerror(e));
    return path;
  }

private:
  explicit ScratchDir(std::string path) : m_path(std::move(path)) {}
  std::string m_path;
  std::vector<std::string> m_files;
};

} // namespace

Result<TextMerge> merge_text(std::string_view base, std::string_view ours, std::string_view theirs,
                             Runner& runner, const TextMergeOptions& options) {
  ScratchDir dir = TWIN_TRY(ScratchDir::make(options.scratch_dir));
  std::string ours_file = TWIN_TRY(dir.write("ours", ours));
  std::string base_file = TWIN_TRY(dir.write("base", base));
  std::string theirs_file = TWIN_TRY(dir.write("theirs", theirs));
  Command command;
  command.argv = {"git", "merge-file", "-p"};
  if (options.diff3)
    command.argv.push_back("--diff3");
  for (const char* label : {"ours", "base", "theirs"})
    command.argv.insert(command.argv.end(), {"-L", label});
  command.argv.insert(command.argv.end(), {ours_file, base_file, theirs_file});
  Completed done = TWIN_TRY(runner.run(command));
  // git merge-file exits with the number of conflicts (at most 127), or negative (255)
  // when it cannot merge at all.
  // Only its error output is quoted: the standard output may be a decrypted secret.
  if (done.timed_out || done.exit_code < 0 || done.exit_code > 127) {
    done.out.clear();
    return fail("git merge-file failed: {}", failure_reason(done));
  }
  return TextMerge{std::move(done.out), done.exit_code != 0};
}

} // namespace twin::filters
