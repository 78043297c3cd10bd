// SPDX-License-Identifier: MIT
// Applying a plan: the one step that changes the machine.
//
// Actions run in plan order through their plugin's apply(); a failed action does not stop
// independent ones, and every action that depends on it is skipped. Backups of whatever is
// replaced or removed are made by the system root. The outcome of every action is recorded
// in plan/history/<UTC timestamp>.yaml and logs/current/index.yaml, which the re-snapshot
// after apply commits together with live/.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/plan.hpp"
#include "core/plugin.hpp"
#include "core/snapshot.hpp"

namespace twin {

struct ActionResult {
  Action action;
  ActionOutcome outcome;
};

struct ApplyRecord {
  std::vector<ActionResult> results;
  std::string stamp;        // YYYYMMDDHHMMSS (UTC), also the backup suffix
  std::string history_path; // plan/history/<timestamp>.yaml
  std::size_t done = 0, failed = 0, skipped = 0;
};

/// Who is told what execute_plan does, as it does it. `before_batch` runs before any action
/// of a batch touches the machine and `after_action` after each outcome (the apply journal
/// writes both down); an error from either stops the apply there and is returned.
struct ApplyObserver {
  std::function<Status(std::span<const Action>)> before_batch;
  std::function<Status(const ActionResult&)> after_action;
};

/// Runs the actions of `plan`. Consecutive independent actions of one plugin with the same
/// op go to its apply_batch together (one apt-get call installs all packages). `earlier`
/// are outcomes of an interrupted run of the same plan (resume): those actions are not run
/// again, and the record starts with them.
Result<ApplyRecord> execute_plan(const Plan& plan, std::span<const Plugin* const> plugins,
                                 ApplyContext& ctx, const ApplyObserver& observer,
                                 std::vector<ActionResult> earlier = {});

/// Writes plan/history/<timestamp>.yaml and the apply part of logs/current/index.yaml;
/// returns the repository paths written.
Result<std::vector<std::string>> record_apply(WorkTree& tree, const Plan& plan, ApplyRecord& record,
                                              const std::string& root);

/// "done", "failed", "skipped" (as records and the journal write them), and back (anything
/// else reads as failed).
std::string_view status_name(ActionOutcome::Status status);
ActionOutcome::Status status_from_name(std::string_view name);

/// The current UTC time as YYYYMMDDHHMMSS.
std::string utc_stamp();

} // namespace twin
