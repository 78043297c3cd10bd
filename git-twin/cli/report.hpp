// SPDX-License-Identifier: MIT
// Printing what a snapshot did (used by init and snapshot).
#pragma once

#include "core/snapshot.hpp"

namespace twin::cli {

/// Prints one line per plugin on stdout and warnings on stderr; returns the exit code
/// (1 when a plugin failed).
int print_snapshot_report(const SnapshotReport& report);

} // namespace twin::cli
