// SPDX-License-Identifier: MIT
// git twin undo: a recorded apply (plan/history/<id>.yaml) turned back into a plan that puts
// back what it replaced. Every action that was done asks its plugin (Plugin::undo) for the
// actions that reverse it: a file comes back from its backup, a created one goes, a unit
// enabled is disabled, a package installed anew is removed. Plugins are undone in reverse
// apply order and each plugin's actions last first; what cannot be undone is listed.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/apply_journal.hpp"
#include "core/config.hpp"
#include "core/plan.hpp"
#include "core/plugin.hpp"

namespace twin {

struct UndoPlan {
  Plan plan;
  std::vector<std::string> cannot; // "<action id>: why it cannot be undone"
};

/// Pure: the undo plan of the actions an apply carried out (`done`, in the order they ran).
Result<UndoPlan> plan_undo_results(std::vector<ActionResult> done, std::string_view source,
                                   const std::string& digest, const std::string& head,
                                   std::span<const Plugin* const> plugins, const Config& config);

/// What an interrupted apply did, as far as its journal and the machine tell: the recorded
/// outcomes, and for each action started without one (the crash came first), what the
/// machine shows: a backup named with the apply's stamp means a file was replaced or
/// removed; a file, link or directory the plan was to create that exists was created.
/// Other started actions count as done: their undo (disable, stop, set back) is harmless
/// when they never ran.
std::vector<ActionResult> interrupted_outcomes(const JournalState& state, const SystemRoot& root);

/// True when a plan/history record is itself an undo (its actions have "/undo/" ids): an
/// undo of it would restore only part of what the undo changed.
bool is_undo_record(const Value& record);

/// Pure. `record` is a parsed plan/history record; `record_text` pins the plan (its digests
/// are the record's sha256, the commit is `head`). Paths of files.mirror actions must lie in
/// the configured roots: a record is repository content, which a pull request can change.
Result<UndoPlan> plan_undo(const Value& record, std::string_view record_text,
                           std::string_view record_path, const std::string& head,
                           std::span<const Plugin* const> plugins, const Config& config);

} // namespace twin
