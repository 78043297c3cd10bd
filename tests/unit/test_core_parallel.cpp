// SPDX-License-Identifier: MIT
// parallel_for_each: every job runs once, whatever the thread count; the first failure
// comes back and stops jobs not yet started; a throwing job fails like an erring one.
#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "core/parallel.hpp"

using namespace twin;

TEST_CASE("parallel_for_each runs every job exactly once", "[parallel]") {
  for (std::size_t count : {0u, 1u, 63u, 64u, 5000u}) {
    std::vector<std::atomic<int>> runs(count);
    auto status = parallel_for_each(count, [&](std::size_t i) -> Status {
      ++runs[i];
      return {};
    });
    INFO(count);
    CHECK(status);
    for (std::size_t i = 0; i < count; ++i)
      REQUIRE(runs[i] == 1);
  }
  CHECK(io_threads() >= 1);
  CHECK(io_threads() <= 4);
}

TEST_CASE("parallel_for_each returns a failure and starts nothing after it", "[parallel]") {
  std::atomic<std::size_t> started{0};
  auto status = parallel_for_each(10000, [&](std::size_t i) -> Status {
    ++started;
    if (i == 100)
      return fail("job {} failed", i);
    return {};
  });
  REQUIRE_FALSE(status);
  CHECK(status.error().message == "job 100 failed");
  CHECK(started < 10000); // the jobs after the failure, less the few already running
}

TEST_CASE("a job that throws fails parallel_for_each with its message", "[parallel]") {
  auto status = parallel_for_each(200, [&](std::size_t i) -> Status {
    if (i == 7)
      throw std::runtime_error("out of something");
    return {};
  });
  REQUIRE_FALSE(status);
  CHECK(status.error().message == "out of something");
}
