// SPDX-License-Identifier: MIT
#include "core/sync.hpp"

namespace twin {

std::string_view sync_case_name(SyncCase c) {
  switch (c) {
  case SyncCase::in_sync:
    return "in sync";
  case SyncCase::desired_changed:
    return "desired changed";
  case SyncCase::live_changed:
    return "local drift";
  case SyncCase::converged:
    return "converged";
  case SyncCase::conflict:
    return "conflict";
  }
  return "?";
}

} // namespace twin
