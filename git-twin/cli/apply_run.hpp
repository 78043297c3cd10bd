// SPDX-License-Identifier: MIT
// What apply, apply --resume and undo share: asking for confirmation, and running a plan
// journaled (core/apply_journal.hpp) to its recorded, snapshotted and committed end.
#pragma once

#include <map>
#include <span>
#include <string>
#include <vector>

#include "cli/session.hpp"
#include "core/apply.hpp"
#include "core/apply_journal.hpp"
#include "core/snapshot.hpp"

namespace twin::cli {

/// True when the user agreed to change the machine (or --yes, or confirmation is off); an
/// error when it must ask and standard input is not a terminal.
Result<bool> confirm(const Config& config, bool yes, std::size_t count, const SystemRoot& root);

std::string_view outcome_word(ActionOutcome::Status s);

/// Removes the temp file a write cut by a crash left beside the target of `action`
/// (".NAME.twin-tmp-...", system_root_write.cpp): before it runs again (resume), or when the
/// apply is rolled back (undo).
void remove_cut_writes(const SystemRoot& root, const Action& action);

struct ApplyRun {
  std::string stamp;                 // the backup stamp, also the record's name
  std::string what = "apply";        // for the commit message: "apply", "undo of ..."
  std::vector<ActionResult> earlier; // outcomes of an interrupted run (resume)
  std::map<std::string, std::string> original_backups; // resume: see settle_started
  std::string history;     // resume: the record the interrupted run wrote, to rewrite
  SnapshotOptions options; // extra paths to commit with the re-snapshot
};

/// True when the apply `state` journals was recorded and committed (the crash came after
/// the commit): its journal only has to go.
Result<bool> already_committed(const Session& s, const JournalState& state);

/// Runs `plan` (all of it, or what an interrupted run left) with the journal, then records
/// the outcome, re-snapshots, commits, and closes the journal. Returns the exit code.
Result<int> run_and_record(Session& s, TwinEnv& env, std::span<const Plugin* const> plugins,
                           const Plan& plan, ApplyJournal& journal, ApplyRun run);

} // namespace twin::cli
