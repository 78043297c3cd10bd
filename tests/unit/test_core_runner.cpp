// SPDX-License-Identifier: MIT
// The Boost.Process runner against real /bin/sh fixtures: verbatim argv, separate streams,
// stdin, large data without deadlock, timeouts that kill the whole process group, missing
// executables, environment overrides and working directory.
#include <catch2/catch.hpp>

#include "test_support.hpp"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/runner.hpp"

using namespace twin;
namespace fs = std::filesystem;

using twin_test::TempDir;

namespace {

Command cmd(std::vector<std::string> argv, std::string input = {}) {
  Command command;
  command.argv = std::move(argv);
  command.input = std::move(input);
  return command;
}

Completed run_ok(Command command) {
  prepare_process_signals();
  auto result = process_runner().run(command);
  INFO(describe_argv(command.argv));
  REQUIRE(result);
  return std::move(*result);
}

Completed sh(const std::string& script) {
  return run_ok(cmd({"sh", "-c", script}));
}

double elapsed_ms(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// True once `pid` is gone or a zombie (a container's pid 1 may not reap orphans).
bool process_dead(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat)
    return ::kill(pid, 0) != 0;
  std::string line;
  std::getline(stat, line);
  auto paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z';
}

// True when this process has no child left, not even a zombie. The pause gives a child
// that failed to start time to exit (it reports the error before exiting).
bool no_child_left() {
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

} // namespace

TEST_CASE("argv is passed verbatim, without a shell", "[runner]") {
  auto result = run_ok(cmd({"printf", "[%s]", "a b", "$HOME", "*", "", "'q'", "x;y"}));
  CHECK(result.ok());
  CHECK(result.exit_code == 0);
  CHECK(result.out == "[a b][$HOME][*][]['q'][x;y]");
  CHECK(result.err.empty());

  auto absolute = run_ok(cmd({"/bin/printf", "%s", "*"}));
  CHECK(absolute.out == "*");
}

TEST_CASE("stdin is fed and then closed", "[runner]") {
  auto result = run_ok(cmd({"cat"}, "hello\nworld"));
  CHECK(result.ok());
  CHECK(result.out == "hello\nworld");

  // Without input, stdin is /dev/null: cat ends at once instead of waiting.
  CHECK(run_ok(cmd({"cat"})).out.empty());
}

TEST_CASE("exit codes are reported, signals as 128+n", "[runner]") {
  auto three = sh("exit 3");
  CHECK(three.exit_code == 3);
  CHECK_FALSE(three.timed_out);
  CHECK_FALSE(three.ok());
  CHECK(sh("true").ok());
  CHECK(sh("kill -TERM $$").exit_code == 128 + SIGTERM);
}

TEST_CASE("stdout and stderr are captured separately", "[runner]") {
  auto result = sh("echo out; echo err >&2; echo out2");
  CHECK(result.out == "out\nout2\n");
  CHECK(result.err == "err\n");
}

TEST_CASE("1 MiB goes through cat, large outputs on both streams do not deadlock", "[runner]") {
  std::string input(1024 * 1024, '\0');
  for (std::size_t i = 0; i < input.size(); ++i)
    input[i] = static_cast<char>(i * 7 % 251);
  auto echoed = run_ok(cmd({"cat"}, input));
  CHECK(echoed.ok());
  CHECK(echoed.out.size() == input.size());
  CHECK(echoed.out == input);

  auto both = sh("head -c 2000000 /dev/zero; head -c 3000000 /dev/zero >&2; echo done");
  CHECK(both.ok());
  CHECK(both.out.size() == 2000005);
  CHECK(both.err.size() == 3000000);
}

TEST_CASE("a child that does not read its stdin does not kill us", "[runner]") {
  auto result = run_ok(cmd({"true"}, std::string(4 * 1024 * 1024, 'x')));
  CHECK(result.ok());
}

TEST_CASE("a timeout kills the child quickly and reports timed_out", "[runner]") {
  Command command = cmd({"sleep", "5"});
  command.timeout = std::chrono::milliseconds(200);
  auto start = std::chrono::steady_clock::now();
  auto result = run_ok(command);
  double ms = elapsed_ms(start);
  CHECK(result.timed_out);
  CHECK_FALSE(result.ok());
  CHECK(ms >= 150);
  CHECK(ms < 2000);
}

TEST_CASE("a timeout kills grandchildren holding the pipes", "[runner]") {
  TempDir tmp{"runner"};
  std::string pid_file = (tmp.path() / "pid").string();
  Command command = cmd({"sh", "-c", "sleep 5 & echo $! > \"$1\"; wait", "sh", pid_file});
  command.timeout = std::chrono::milliseconds(200);
  auto start = std::chrono::steady_clock::now();
  auto result = run_ok(command);
  CHECK(result.timed_out);
  CHECK(elapsed_ms(start) < 2000);

  pid_t grandchild = 0;
  std::ifstream(pid_file) >> grandchild;
  REQUIRE(grandchild > 0);
  bool dead = false;
  for (int i = 0; i < 100 && !dead; ++i) {
    dead = process_dead(grandchild);
    if (!dead)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(dead);
}

TEST_CASE("a normal run is not slowed down by the timeout", "[runner]") {
  Command command = cmd({"true"});
  command.timeout = std::chrono::seconds(30);
  auto start = std::chrono::steady_clock::now();
  CHECK(run_ok(command).ok());
  CHECK(elapsed_ms(start) < 1000);
}

TEST_CASE("a missing executable is an Error, not a throw", "[runner]") {
  prepare_process_signals();
  auto by_name = process_runner().run(cmd({"twin-no-such-command-xyz", "arg"}));
  REQUIRE_FALSE(by_name);
  CHECK(by_name.error().message == "cannot run 'twin-no-such-command-xyz': not found in PATH");

  auto by_path = process_runner().run(cmd({"/nonexistent/twin-tool"}));
  REQUIRE_FALSE(by_path);
  CHECK_THAT(by_path.error().message, Catch::StartsWith("cannot run '/nonexistent/twin-tool'"));

  CHECK_FALSE(process_runner().run(Command{}));
  // The forked child that failed to exec was reaped: no zombie is left behind.
  CHECK(no_child_left());
}

TEST_CASE("environment overrides set and remove variables", "[runner]") {
  ::setenv("TWIN_RUNNER_KEEP", "kept", 1);
  ::setenv("TWIN_RUNNER_DROP", "dropped", 1);
  Command command =
      cmd({"sh", "-c", "echo \"$TWIN_RUNNER_KEEP|${TWIN_RUNNER_DROP-unset}|$TWIN_RUNNER_NEW\""});
  CHECK(run_ok(command).out == "kept|dropped|\n");

  command.env["TWIN_RUNNER_DROP"] = std::nullopt;
  command.env["TWIN_RUNNER_NEW"] = "new value";
  command.env["TWIN_RUNNER_KEEP"] = "changed";
  CHECK(run_ok(command).out == "changed|unset|new value\n");
  // The parent's environment is untouched.
  CHECK(std::string(std::getenv("TWIN_RUNNER_DROP")) == "dropped");
  ::unsetenv("TWIN_RUNNER_KEEP");
  ::unsetenv("TWIN_RUNNER_DROP");
}

TEST_CASE("cwd sets the working directory", "[runner]") {
  TempDir tmp{"runner"};
  Command command = cmd({"pwd", "-P"});
  command.cwd = tmp.path().string();
  CHECK(run_ok(command).out == fs::canonical(tmp.path()).string() + "\n");

  char here[4096];
  REQUIRE(::getcwd(here, sizeof here));
  CHECK(run_ok(cmd({"pwd", "-P"})).out == fs::canonical(here).string() + "\n");

  prepare_process_signals();
  command.cwd = (tmp.path() / "missing").string();
  auto missing = process_runner().run(command);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message ==
        "cannot run 'pwd' in '" + command.cwd + "': No such file or directory");
  CHECK(no_child_left()); // the child that could not chdir was reaped
}

TEST_CASE("runs from several threads at once keep their results apart", "[runner]") {
  prepare_process_signals();
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &failures] {
      for (int i = 0; i < 10; ++i) {
        std::string expected = std::to_string(t * 100 + i);
        auto result = process_runner().run(
            cmd({"sh", "-c", "echo $1; exit $2", "sh", expected, std::to_string(i)}));
        if (!result || result->out != expected + "\n" || result->exit_code != i)
          ++failures[t];
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  CHECK(failures == std::vector<int>(4, 0));
}

TEST_CASE("run_all runs its commands at the same time and returns results in order", "[runner]") {
  prepare_process_signals();
  TempDir tmp{"runner"};
  // Each command announces itself and waits for the other: run one after the other, the
  // first would time out.
  auto waiting = [&](const std::string& mine, const std::string& other, const std::string& say) {
    Command c =
        cmd({"sh", "-c", "touch \"$1\"; while [ ! -e \"$2\" ]; do sleep 0.01; done; echo \"$3\"",
             "sh", (tmp.path() / mine).string(), (tmp.path() / other).string(), say});
    c.timeout = std::chrono::seconds(20);
    return c;
  };
  auto results =
      process_runner().run_all({waiting("a", "b", "first"), waiting("b", "a", "second")});
  REQUIRE(results.size() == 2);
  REQUIRE(results[0]);
  REQUIRE(results[1]);
  CHECK(results[0]->ok());
  CHECK(results[1]->ok());
  CHECK(results[0]->out == "first\n");
  CHECK(results[1]->out == "second\n");
  CHECK(no_child_left());
}

TEST_CASE("describe_argv quotes what the shell would need", "[runner]") {
  CHECK(describe_argv({"git", "add", "--", "a", "b"}) == "git add -- a b");
  CHECK(describe_argv({"printf", "%s", "a b", "$HOME", "*", ""}) ==
        "printf %s 'a b' '$HOME' '*' ''");
  CHECK(describe_argv({"echo", "it's"}) == "echo 'it'\\''s'");
  CHECK(describe_argv({"x", "k=v,w:1+2@h/p.q_r-s"}) == "x k=v,w:1+2@h/p.q_r-s");
  CHECK(describe_argv({"x", "a\nb"}) == "x 'a\nb'");
  CHECK(describe_argv({}).empty());
}

TEST_CASE("failure_reason: the last line of the errors, else of the output", "[runner]") {
  CHECK(failure_reason(Completed{3, false, "", "warning\nE: it broke\n\n"}) ==
        "exited 3: E: it broke");
  CHECK(failure_reason(Completed{1, false, "only output  \n", ""}) == "exited 1: only output");
  CHECK(failure_reason(Completed{2, false, "", ""}) == "exited 2");
  CHECK(failure_reason(Completed{-1, true, "", "partial"}) == "timed out");
}
