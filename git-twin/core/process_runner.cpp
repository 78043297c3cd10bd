// SPDX-License-Identifier: MIT
// The real Runner, on Boost.Process 1.74 (v1). This is the only file that includes it.
//
// Traps of 1.74 avoided here (docs/tech-notes section 6): child::wait_for waits the whole
// timeout, so the timeout is an asio steady_timer on the same io_context; exit_code() is
// garbage after a kill, so "timed out" is tracked here; a plain ipstream pair deadlocks, so
// both streams are captured asynchronously into futures; and the kill goes to a bp::group so
// that grandchildren holding the pipes die too.
#include "core/runner.hpp"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <future>
#include <optional>
#include <vector>

#include <sys/wait.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/process.hpp>
#include <boost/process/extend.hpp>

#include "core/parallel.hpp"

namespace twin {

namespace bp = boost::process;

namespace {

bool future_ready(const std::future<std::string>& f) {
  return f.valid() && f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

// A future that was never fulfilled (pipe still held open by a process that escaped the
// group kill) yields no text instead of blocking.
std::string take(std::future<std::string>& f) {
  if (!future_ready(f))
    return {};
  try {
    return f.get();
  } catch (const std::exception&) {
    return {};
  }
}

// Interactive runs capture nothing: their output futures are ready and empty from the start.
std::future<std::string> ready_future() {
  std::promise<std::string> empty;
  empty.set_value({});
  return empty.get_future();
}

class ProcessRunner final : public Runner {
public:
  Result<Completed> run(const Command& command) override;
  std::vector<Result<Completed>> run_all(const std::vector<Command>& commands) override;
};

// Each run() has its own io_context, pipes and process group; the threads share nothing but
// inherited descriptors: Boost.Process 1.74 does not make its pipes close-on-exec, so a child
// started at the same moment as another can hold the other's stdin open. Commands that read
// input therefore run one after the other: two could otherwise wait for each other's end
// of input until the timeout.
std::vector<Result<Completed>> ProcessRunner::run_all(const std::vector<Command>& commands) {
  if (std::any_of(commands.begin(), commands.end(),
                  [](const Command& c) { return !c.input.empty() || c.interactive; }))
    return Runner::run_all(commands);
  std::vector<std::optional<Result<Completed>>> done(commands.size());
  std::atomic<std::size_t> next{0};
  on_threads(static_cast<unsigned>(std::min<std::size_t>(io_threads(), commands.size())),
             [&](unsigned) {
               for (std::size_t i; (i = next++) < commands.size();) {
                 try {
                   done[i] = run(commands[i]);
                 } catch (const std::exception& e) { // nothing may leave a thread
                   done[i] = fail("cannot run '{}': {}", commands[i].argv.at(0), e.what());
                 }
               }
             });
  std::vector<Result<Completed>> results;
  for (auto& d : done)
    results.push_back(std::move(*d));
  return results;
}

Result<Completed> ProcessRunner::run(const Command& command) {
  if (command.argv.empty())
    return fail("cannot run an empty command");
  const std::string& argv0 = command.argv[0];

  // Resolved here rather than by Boost so that "not found" is a plain Error, not a throw.
  boost::filesystem::path exe = argv0;
  if (argv0.find('/') == std::string::npos) {
    exe = bp::search_path(argv0);
    if (exe.empty())
      return fail("cannot run '{}': not found in PATH", argv0);
  }
  std::vector<std::string> args(command.argv.begin() + 1, command.argv.end());

  // The child's environment, built here rather than with bp::environment: its lookup in
  // 1.74 reads past the end of shorter variable names (AddressSanitizer reports it).
  std::vector<std::string> env_strings;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    std::string_view name = entry.substr(0, entry.find('='));
    if (!command.env.count(std::string(name)))
      env_strings.emplace_back(entry);
  }
  for (const auto& [name, value] : command.env)
    if (value)
      env_strings.push_back(name + "=" + *value);
  std::vector<char*> envp;
  for (auto& e : env_strings)
    envp.push_back(e.data());
  envp.push_back(nullptr);

  // Destroyed in reverse order: the child (which would kill a still-running process) goes
  // before the group and the io_context whose pending handlers own the pipes.
  boost::asio::io_context ioc;
  bp::group group;
  std::future<std::string> out;
  std::future<std::string> err;
  bool exited = false;
  bool timed_out = false;
  std::error_code wait_error;
  std::error_code start_error;

  auto on_exit = bp::on_exit([&](int, const std::error_code& ec) {
    exited = true;
    wait_error = ec;
  });
  // bp::start_dir ignores a failing chdir (1.74) and would run the command in our own
  // directory. This reports the failure through Boost's error pipe and never execs.
  auto change_dir = bp::extend::on_exec_setup([&](auto& exec) {
    exec.env = envp.data();
    if (!command.cwd.empty() && ::chdir(command.cwd.c_str()) != 0) {
      exec.set_error(std::error_code(errno, std::system_category()), "chdir failed");
      ::_exit(127);
    }
  });
  // After a failed start (exec or chdir error reported by the child) 1.74 returns without
  // reaping the forked child: reap it here so that no zombie is left behind.
  auto reap_failed = bp::extend::on_error([](auto& exec, const std::error_code&) {
    if (exec.pid > 0) {
      ::kill(exec.pid, SIGKILL); // a no-op on the usual, already exited, child
      ::waitpid(exec.pid, nullptr, 0);
    }
  });
  // Boost.Process takes its properties at compile time, so stdin (a buffer or null) is
  // chosen by calling this with different tails.
  auto launch = [&](auto&& stdin_property) {
    return bp::child(exe, bp::args(args), std::forward<decltype(stdin_property)>(stdin_property),
                     bp::std_out > out, bp::std_err > err, on_exit, change_dir, reap_failed, ioc,
                     group, start_error);
  };

  bp::child child;
  try {
    if (command.interactive) {
      child =
          bp::child(exe, bp::args(args), on_exit, change_dir, reap_failed, ioc, group, start_error);
      out = ready_future();
      err = ready_future();
    } else {
      child = command.input.empty() ? launch(bp::std_in < bp::null)
                                    : launch(bp::std_in < boost::asio::buffer(command.input));
    }
  } catch (const std::exception& e) {
    return fail("cannot run '{}': {}", argv0, e.what());
  }
  if (start_error && !command.cwd.empty())
    return fail("cannot run '{}' in '{}': {}", argv0, command.cwd, start_error.message());
  if (start_error)
    return fail("cannot run '{}': {}", argv0, start_error.message());

  // The timer is not cancelled by the exit: a grandchild may still hold the pipes, and the
  // deadline covers collecting the output too.
  boost::asio::steady_timer timer(ioc, command.timeout);
  timer.async_wait([&](const boost::system::error_code& ec) {
    if (ec)
      return; // cancelled
    timed_out = true;
    std::error_code ignored;
    group.terminate(ignored); // SIGKILL to the whole process group
    // The child itself may have left the group (setsid); it is not reaped yet, so its pid
    // cannot have been reused.
    if (!exited)
      ::kill(child.id(), SIGKILL);
  });

  // Run until the child is reaped and both streams reached EOF; after a timeout, stop as
  // soon as the child is reaped even if something outside the group still holds a pipe.
  while (!(exited && (timed_out || (future_ready(out) && future_ready(err)))) && ioc.run_one()) {
  }
  timer.cancel();
  // A clean run leaves alone whatever it deliberately started in the background (with its
  // output redirected); the group destructor would otherwise SIGKILL it.
  if (!timed_out)
    group.detach();

  if (wait_error)
    return fail("cannot wait for '{}': {}", argv0, wait_error.message());

  Completed result;
  result.timed_out = timed_out;
  int status = child.native_exit_code();
  if (!timed_out)
    result.exit_code = WIFEXITED(status)     ? WEXITSTATUS(status)
                       : WIFSIGNALED(status) ? 128 + WTERMSIG(status) // like a shell's $?
                                             : -1;
  result.out = take(out);
  result.err = take(err);
  return result;
}

} // namespace

std::vector<Result<Completed>> Runner::run_all(const std::vector<Command>& commands) {
  std::vector<Result<Completed>> results;
  for (const auto& command : commands)
    results.push_back(run(command));
  return results;
}

Runner& process_runner() {
  static ProcessRunner runner;
  return runner;
}

void prepare_process_signals() {
  // A child that exits without reading all of its stdin would otherwise kill us with
  // SIGPIPE; an inherited SIG_IGN for SIGCHLD would auto-reap children and lose exit codes.
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGCHLD, SIG_DFL);
}

std::string describe_argv(const std::vector<std::string>& argv) {
  auto is_safe = [](unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           std::string_view("_./=:,+@%-").find(static_cast<char>(c)) != std::string_view::npos;
  };
  std::string out;
  for (const std::string& arg : argv) {
    if (!out.empty())
      out += ' ';
    bool safe = !arg.empty();
    for (unsigned char c : arg)
      safe = safe && is_safe(c);
    if (safe) {
      out += arg;
      continue;
    }
    out += '\'';
    for (char c : arg) {
      if (c == '\'')
        out += "'\\''"; // close the quote, an escaped quote, reopen
      else
        out += c;
    }
    out += '\'';
  }
  return out;
}

std::string failure_reason(const Completed& done) {
  if (done.timed_out)
    return "timed out";
  std::string_view text = done.err.find_first_not_of(" \t\r\n") == std::string::npos
                              ? std::string_view(done.out)
                              : std::string_view(done.err);
  std::size_t end = text.find_last_not_of(" \t\r\n");
  if (end == std::string_view::npos)
    return fmt::format("exited {}", done.exit_code);
  std::size_t start = text.rfind('\n', end);
  start = start == std::string_view::npos ? 0 : start + 1;
  return fmt::format("exited {}: {}", done.exit_code, text.substr(start, end - start + 1));
}

} // namespace twin
