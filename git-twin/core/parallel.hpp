// SPDX-License-Identifier: MIT
// Running independent jobs on a few threads.
//
// Why: a snapshot of a large tree is mostly system calls (stat, open, write) that the kernel
// serves in parallel, and the machines we run on have two cores or more. git's own tree
// walks (preload-index, checkout) use threads for the same reason.
#pragma once

#include <cstddef>
#include <functional>

#include "core/error.hpp"

namespace twin {

/// Threads worth using for file-system work: the cores, at most 4, at least 1.
unsigned io_threads();

/// Calls work(0) .. work(threads - 1), each on a thread of its own (work(0) on this one), and
/// returns when all have returned. When no more threads can be had, the ones started and
/// this one are all there is: `work` must share what it does through a common queue or
/// counter. `work` must not throw.
void on_threads(unsigned threads, const std::function<void(unsigned)>& work);

/// Runs job(0) .. job(count - 1), each exactly once, on up to io_threads() threads. The
/// first failure is returned; jobs not yet started then do not start. A job that throws
/// fails like one that returns an error. Small batches run on the calling thread alone;
/// larger ones are handed out in runs of neighbouring jobs.
Status parallel_for_each(std::size_t count, const std::function<Status(std::size_t)>& job);

} // namespace twin
