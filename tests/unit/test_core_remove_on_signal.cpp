// SPDX-License-Identifier: MIT
// RemoveOnSignal in a child process ended by a signal: the files it watches are gone, the
// signal still ends the process, and a file no longer watched stays.
#include <catch2/catch.hpp>

#include "test_support.hpp"

#include <csignal>
#include <filesystem>
#include <optional>

#include <sys/wait.h>
#include <unistd.h>

#include "core/remove_on_signal.hpp"

using namespace twin;
namespace fs = std::filesystem;
using twin_test::TempDir;
using twin_test::write_file;

TEST_CASE("files watched by RemoveOnSignal are removed when a signal ends the process") {
  for (int signal : {SIGINT, SIGTERM}) {
    TempDir tmp{"signal"};
    fs::path lock = tmp.path() / "index.lock", other = tmp.path() / "released.lock";
    write_file(lock, "");
    write_file(other, "");
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) { // no Catch2 here: the child only watches, then is killed
      RemoveOnSignal watch(lock.string());
      std::optional<RemoveOnSignal> released;
      released.emplace(other.string());
      released.reset();
      ::raise(signal);
      ::_exit(0); // not reached: the signal ends the child
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == signal);
    CHECK_FALSE(fs::exists(lock));
    CHECK(fs::exists(other));
  }
}
