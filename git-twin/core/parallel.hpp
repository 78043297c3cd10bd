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

/// Runs job(0) .. job(count - 1), each exactly once, on up to io_threads() threads. The
/// first failure is returned; jobs not yet started then do not start. A job that throws
/// fails like one that returns an error. Small batches run on the calling thread alone.
Status parallel_for_each(std::size_t count, const std::function<Status(std::size_t)>& job);

} // namespace twin
