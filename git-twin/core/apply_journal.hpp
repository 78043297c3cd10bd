// SPDX-License-Identifier: MIT
// The apply journal: what an apply in progress is about to do and what it did, kept
// outside the work tree in $GIT_DIR/twin/apply-journal so that an apply killed halfway
// (power loss, kill -9) is noticed by the next command and can be finished
// (`git twin apply --resume`).
//
// One record per line (compact JSON), appended and fsync'ed before the apply goes on:
//   {"event":"begin","stamp":...,"plan":{...}}   the whole plan, before any action
//   {"event":"start","ids":[...]}                 before a batch of actions runs
//   {"event":"outcome","id":...,"status":...,...} after each action
//   {"event":"recorded","history":...}           the record is written, the commit next
// The file is created by rename, so it never exists half-made; a last line cut by a crash
// is ignored. It is removed once the apply is recorded and committed.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "core/apply.hpp"
#include "core/error.hpp"
#include "core/plan.hpp"
#include "core/system_root.hpp"

namespace twin {

/// What the journal of an unfinished apply says.
struct JournalState {
  Plan plan;
  std::string stamp;                  // the apply's backup stamp (YYYYMMDDHHMMSS)
  std::string what;                   // "apply", "undo of ...": for the commit message
  std::vector<ActionResult> outcomes; // recorded outcomes, in the order they happened
  std::set<std::string> started;      // actions started whose outcome was never recorded
  std::string history;                // plan/history/... once the outcome was recorded
};

/// The first backup an apply with `stamp` made of `path` ("<path>.twinbak-<stamp>", then
/// "-1", "-2"... when an action ran again): the state before that apply.
std::optional<std::string> first_backup_of(const SystemRoot& root, const std::string& path,
                                           const std::string& stamp);

/// What resume makes of the actions an interrupted apply started without an outcome.
struct SettledActions {
  std::vector<ActionResult> done; // the machine shows them done: not run again
  // Actions to run again whose path was already backed up by the interrupted run: that
  // backup, not the one the second run makes of the new content, is what undo restores.
  std::map<std::string, std::string> original_backups; // action id -> backup
};
SettledActions settle_started(const JournalState& state, const SystemRoot& root);

class ApplyJournal {
public:
  /// Starts the journal of a new apply; fails when one already exists (an unfinished apply).
  static Result<ApplyJournal> begin(const std::string& git_dir, const Plan& plan,
                                    const std::string& stamp, const std::string& what);
  /// Continues the journal of an unfinished apply (resume).
  static Result<ApplyJournal> reopen(const std::string& git_dir);
  /// The state of an unfinished apply; nullopt when there is none.
  static Result<std::optional<JournalState>> load(const std::string& git_dir);
  /// $GIT_DIR/twin/apply-journal
  static std::string path(const std::string& git_dir);

  ApplyJournal(ApplyJournal&& other) noexcept;
  ApplyJournal& operator=(ApplyJournal&&) = delete;
  ApplyJournal(const ApplyJournal&) = delete;
  ~ApplyJournal();

  Status started(std::span<const Action> batch);
  Status finished(const ActionResult& result);
  /// The outcome is in `history` (not committed yet): a resume rewrites that file.
  Status recorded(const std::string& history);
  /// The apply is recorded and committed: the journal goes.
  Status close();

private:
  ApplyJournal(std::string path, int fd) : m_path(std::move(path)), m_fd(fd) {}
  Status append(const Value& record);
  std::string m_path;
  int m_fd = -1;
};

/// One line for a command's start: "an apply was interrupted ...", or "" when none.
std::string interrupted_apply_notice(const std::string& git_dir);

/// Fails while an apply is interrupted: a snapshot, adopt or restore would commit a half
/// applied machine as if it were a sync point, and move HEAD away from the plan the
/// journal holds.
Status refuse_while_interrupted(const std::string& git_dir);

} // namespace twin
