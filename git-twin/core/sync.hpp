// SPDX-License-Identifier: MIT
// The sync model of DESIGN.md section 2, as one pure function.
//
// Every resource has three versions: desired (state/), base (live at the last sync point)
// and live (observed now). nullopt means "does not exist" on that side. Callers decide
// what a resource missing from state/ means (usually: unmanaged, skip it).
#pragma once

#include <optional>

namespace twin {

enum class SyncCase {
  in_sync,         // desired == base == live
  desired_changed, // the owner changed the twin: plan an action
  live_changed,    // the machine changed by hand: local drift, adopt it
  converged,       // both changed, to the same: nothing to do
  conflict,        // both changed, differently
};

template <class T>
SyncCase classify(const std::optional<T>& desired, const std::optional<T>& base,
                  const std::optional<T>& live) {
  bool desired_moved = desired != base;
  bool live_moved = live != base;
  if (!desired_moved && !live_moved)
    return SyncCase::in_sync;
  if (desired_moved && !live_moved)
    return SyncCase::desired_changed;
  if (!desired_moved)
    return SyncCase::live_changed;
  return desired == live ? SyncCase::converged : SyncCase::conflict;
}

} // namespace twin
