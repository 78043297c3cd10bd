// SPDX-License-Identifier: MIT
#include "cli/apply_run.hpp"

#include <cstdio>
#include <iostream>
#include <unistd.h>

#include <fmt/format.h>

#include "cli/report.hpp"
#include "core/plan_engine.hpp"
#include "plugins/registry.hpp"

namespace twin::cli {

Result<bool> confirm(const Config& config, bool yes, std::size_t count, const SystemRoot& root) {
  if (yes || !config.require_confirmation)
    return true;
  if (!isatty(STDIN_FILENO))
    return fail("apply needs confirmation and standard input is not a terminal\nhint: pass "
                "--yes, or set apply.require_confirmation: false in config.yaml");
  fmt::print(stderr, "Apply {} action{} to {}? [y/N] ", count, count == 1 ? "" : "s",
             root.is_host() ? std::string("this machine") : "root " + root.physical());
  std::fflush(stderr);
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

std::string_view outcome_word(ActionOutcome::Status s) {
  switch (s) {
  case ActionOutcome::Status::done:
    return "done";
  case ActionOutcome::Status::failed:
    return "FAILED";
  case ActionOutcome::Status::skipped:
    return "skipped";
  }
  return "";
}

// Runs the plan (all of it, or what an interrupted run left), journaled, then records the
// outcome, re-snapshots and commits; the journal goes last.
Result<int> run_and_record(Session& s, TwinEnv& env, std::span<const Plugin* const> plugins,
                           const Plan& plan, ApplyJournal& journal, ApplyRun run) {
  const std::string& stamp = run.stamp;
  SnapshotOptions& options = run.options;
  ApplyContext ctx{s.root, env.runner, s.tree, s.config.backup_replaced_files ? stamp : ""};
  ApplyObserver observer;
  observer.before_batch = [&](std::span<const Action> batch) { return journal.started(batch); };
  // An action run again on resume backs up what its first run wrote; the original is the
  // backup the first run made.
  auto with_original_backup = [&](ActionResult r) {
    if (auto it = run.original_backups.find(r.action.id); it != run.original_backups.end())
      r.outcome.backups = {it->second};
    return r;
  };
  observer.after_action = [&](const ActionResult& done) {
    ActionResult r = with_original_backup(done);
    std::string line =
        fmt::format("{}: {}", outcome_word(r.outcome.status), summary_line(r.action));
    if (!r.outcome.message.empty())
      line += ": " + r.outcome.message;
    fmt::print("{}\n", line);
    std::fflush(stdout);
    return journal.finished(r);
  };
  ApplyRecord record = TWIN_TRY(execute_plan(plan, plugins, ctx, observer, std::move(run.earlier)));
  for (auto& r : record.results)
    r = with_original_backup(std::move(r));
  record.stamp = stamp;
  record.history_path = run.history;
  auto recorded = TWIN_TRY(record_apply(s.tree, plan, record, s.root.physical()));
  TWIN_CHECK(journal.recorded(record.history_path));
  TWIN_CHECK(s.tree.remove(std::string(k_plan_path))); // applied: no longer the plan

  // The desired state that was applied is committed with what the machine now is.
  options.commit = true;
  options.log_plugins = plugins::enabled_log_plugins(s.config); // what happened after it
  options.extra_paths.insert(options.extra_paths.end(), recorded.begin(), recorded.end());
  options.extra_paths.push_back("state");
  options.extra_paths.push_back("filesystem");
  options.message =
      fmt::format("git twin {}: {} done, {} failed, {} skipped\n\nrecord: {}", run.what,
                  record.done, record.failed, record.skipped, record.history_path);
  SnapshotReport report = TWIN_TRY(take_snapshot(env, plugins, options));
  int snapshot_code = print_snapshot_report(report);
  TWIN_CHECK(journal.close());
  fmt::print("applied: {} done, {} failed, {} skipped (record: {})\n", record.done, record.failed,
             record.skipped, record.history_path);
  return record.failed || record.skipped || snapshot_code ? 1 : 0;
}

// A write cut by a crash leaves its temp file (".NAME.twin-tmp-...", system_root_write.cpp)
// beside the target, which it never replaced: removed before the action runs again.
void remove_cut_writes(const SystemRoot& root, const Action& action) {
  std::string path = action.fields.get_string("path");
  if (path.size() < 2 || path.front() != '/')
    return;
  std::string parent = path.substr(0, path.rfind('/'));
  if (parent.empty())
    parent = "/";
  std::string prefix = "." + path.substr(path.rfind('/') + 1) + ".twin-tmp-";
  auto dir = root.open_dir(parent);
  if (!dir)
    return;
  auto entries = dir->entries();
  if (!entries)
    return;
  for (const auto& e : *entries)
    if (e.name.rfind(prefix, 0) == 0 && e.stat.type == FileType::file) {
      if (auto removed = root.remove(join_logical(parent, e.name), ""); removed)
        fmt::print("removed {}, left by a write the crash cut short\n",
                   join_logical(parent, e.name));
    }
}

Result<bool> already_committed(const Session& s, const JournalState& state) {
  if (state.history.empty())
    return false;
  auto head = TWIN_TRY(s.repo.resolve("HEAD"));
  if (!head || *head == state.plan.desired_commit)
    return false;
  return TWIN_TRY(s.repo.blob_id(*head, state.history)).has_value();
}

} // namespace twin::cli
