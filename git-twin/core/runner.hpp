// SPDX-License-Identifier: MIT
// The runner seam: every child process git-twin starts goes through a Runner.
//
// Commands are argv vectors, never a shell string. The real implementation
// (process_runner.cpp, the only file that includes Boost.Process) captures stdout and stderr
// without deadlock, feeds stdin, enforces a timeout by killing the whole process group, and
// reports a missing executable as a failed result instead of throwing. Tests substitute a
// fake that records argv.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace twin {

struct Command {
  std::vector<std::string> argv;                         // argv[0] is looked up in PATH
  std::string input;                                     // written to stdin, then closed
  std::map<std::string, std::optional<std::string>> env; // overrides; nullopt removes
  std::string cwd;                                       // empty: inherit
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};
  // Interactive: the child shares our stdin, stdout and stderr (git push and pull: progress,
  // credential prompts); nothing is captured and `input` is not used.
  bool interactive = false;
};

struct Completed {
  int exit_code = -1; // valid when !timed_out
  bool timed_out = false;
  std::string out;
  std::string err;
  bool ok() const { return !timed_out && exit_code == 0; }
};

class Runner {
public:
  virtual ~Runner() = default;
  /// Runs the command to completion. Fails (Error) only when it could not be started
  /// (executable not found, fork failure); a non-zero exit is a Completed.
  virtual Result<Completed> run(const Command& command) = 0;
  /// Runs independent commands, several at a time where the runner can (the real one runs
  /// io_threads() at once, and commands that read input one after the other); the results
  /// come in the commands' order. By default one after the other.
  virtual std::vector<Result<Completed>> run_all(const std::vector<Command>& commands);
};

/// The real runner (Boost.Process). Call once at startup: ignore SIGPIPE, default SIGCHLD.
Runner& process_runner();
void prepare_process_signals();

/// "git add -- a b" style rendering of argv for messages (quotes what needs it).
std::string describe_argv(const std::vector<std::string>& argv);

/// Why a finished command failed, for messages: "timed out", or "exited 3: <the last line
/// of its error output>" (of its output when it wrote no errors).
std::string failure_reason(const Completed& done);

} // namespace twin
