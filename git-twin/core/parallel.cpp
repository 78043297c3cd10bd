// SPDX-License-Identifier: MIT
#include "core/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

namespace twin {

unsigned io_threads() {
  return std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
}

void on_threads(unsigned threads, const std::function<void(unsigned)>& work) {
  std::vector<std::thread> pool;
  try {
    for (unsigned t = 1; t < threads; ++t)
      pool.emplace_back(work, t);
  } catch (const std::system_error&) {
    // No more threads to be had: the ones started, and this one, do it all.
  }
  work(0);
  for (auto& t : pool)
    t.join();
}

Status parallel_for_each(std::size_t count, const std::function<Status(std::size_t)>& job) {
  // Below this, starting threads costs more than it saves.
  constexpr std::size_t k_min_parallel = 64;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  std::optional<Error> error;
  auto record = [&](Error e) {
    std::lock_guard lock(error_mutex);
    if (!error)
      error = std::move(e);
    failed = true;
  };
  unsigned threads = count < k_min_parallel ? 1 : io_threads();
  // Jobs are taken in runs of neighbours: neighbouring jobs are mostly files of one
  // directory, and two threads creating files in one directory wait for each other on its
  // lock in the kernel.
  const std::size_t run = std::clamp<std::size_t>(count / (8 * threads), 1, 64);
  auto work = [&](unsigned) {
    for (std::size_t first; !failed && (first = next.fetch_add(run)) < count;) {
      for (std::size_t i = first; i < std::min(first + run, count) && !failed; ++i) {
        try {
          if (auto status = job(i); !status)
            record(status.error());
        } catch (const std::exception& e) {
          record(Error{e.what()});
        }
      }
    }
  };
  on_threads(threads, work);
  if (error)
    return tl::unexpected(*error);
  return {};
}

} // namespace twin
