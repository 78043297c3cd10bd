// SPDX-License-Identifier: MIT
// git twin apply [--yes] [--dry-run] [--prefer desired|live] [--root DIR]
// The one command that changes the machine.
#include <cstdio>
#include <iostream>
#include <unistd.h>

#include <fmt/format.h>

#include "cli/apply_run.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/plan_view.hpp"
#include "cli/report.hpp"
#include "cli/restore.hpp"
#include "cli/session.hpp"
#include "core/apply.hpp"
#include "core/apply_journal.hpp"
#include "core/output.hpp"
#include "core/repo_lock.hpp"
#include "plugins/registry.hpp"

namespace twin::cli {
namespace {

// A saved plan is applied only if it is exactly what the twin asks for right now: made
// from the same commit, the same desired files and the same observation, and with the
// same actions (so a plan file edited to add an action is refused).
Status check_saved_plan(const Plan& saved, const Plan& fresh) {
  constexpr std::string_view hint = "\nhint: run 'git twin plan' again, review it, then apply";
  if (saved.desired_commit != fresh.desired_commit)
    return fail("{} is stale: HEAD moved since it was made{}", k_plan_path, hint);
  if (saved.desired_digest != fresh.desired_digest)
    return fail("{} is stale: state/ or filesystem/ changed since it was made{}", k_plan_path,
                hint);
  if (saved.live_digest != fresh.live_digest)
    return fail("{} is stale: the machine changed since it was made{}", k_plan_path, hint);
  if (!same_actions(saved, fresh))
    return fail("{} does not match what the twin asks for (edited by hand?){}", k_plan_path, hint);
  return {};
}

// On a detached HEAD (git checkout <old commit>), the branch that was checked out before,
// which the restore will be committed on; nullopt when HEAD is on a branch.
Result<std::optional<std::string>> branch_to_restore_onto(Session& s) {
  Command symbolic;
  symbolic.argv = {"git", "symbolic-ref", "-q", "HEAD"};
  symbolic.cwd = s.repo.work_tree();
  if (TWIN_TRY(process_runner().run(symbolic)).ok())
    return std::optional<std::string>();
  Command previous;
  previous.argv = {"git", "rev-parse", "--abbrev-ref", "@{-1}"};
  previous.cwd = s.repo.work_tree();
  Completed done = TWIN_TRY(process_runner().run(previous));
  std::string branch = done.out.substr(0, done.out.find('\n'));
  Command is_branch;
  is_branch.argv = {"git", "show-ref", "--verify", "-q", "refs/heads/" + branch};
  is_branch.cwd = s.repo.work_tree();
  if (!done.ok() || branch.empty() || !TWIN_TRY(process_runner().run(is_branch)).ok())
    return fail("HEAD is detached and no branch was checked out before, so an apply here "
                "would not be kept in history\nhint: switch to a branch and use 'git twin "
                "restore <commit>'");
  return std::optional<std::string>(branch);
}

// "20261122081500" -> "2026-11-22 08:15:00 UTC"
std::string stamp_time(const std::string& stamp) {
  if (stamp.size() != 14)
    return stamp;
  return fmt::format("{}-{}-{} {}:{}:{} UTC", stamp.substr(0, 4), stamp.substr(4, 2),
                     stamp.substr(6, 2), stamp.substr(8, 2), stamp.substr(10, 2),
                     stamp.substr(12, 2));
}

Result<int> apply(const Args& args) {
  Prefer prefer = Prefer::none;
  if (auto p = args.value("prefer")) {
    if (*p == "desired")
      prefer = Prefer::desired;
    else if (*p == "live")
      prefer = Prefer::live;
    else
      return usage_error("--prefer takes 'desired' or 'live', not '{}'", *p);
  }
  Session s = TWIN_TRY(open_session(args));
  RepoLock lock = TWIN_TRY(RepoLock::acquire(s.repo.git_dir()));
  TWIN_CHECK(refuse_while_interrupted(s.repo.git_dir()));
  auto plugins = plugins::enabled(s.config);
  TwinEnv env{s.repo, s.tree, s.root, s.config, process_runner()};

  auto detached_from = TWIN_TRY(branch_to_restore_onto(s));
  Observation observation = TWIN_TRY(observe(env, plugins));
  print_observation_warnings(observation);
  PlanResult fresh = TWIN_TRY(make_plan(env, observation));
  if (auto saved = TWIN_TRY(load_saved_plan(s.tree)))
    TWIN_CHECK(check_saved_plan(*saved, fresh.plan));
  Plan plan = fresh.plan;
  if (prefer == Prefer::desired)
    plan = TWIN_TRY(make_plan(env, observation, Prefer::desired)).plan;
  std::vector<Conflict> adopt_live;
  if (prefer == Prefer::live)
    adopt_live = plan.conflicts;

  if (plan.actions.empty() && adopt_live.empty()) {
    if (plan.conflicts.empty()) {
      fmt::print("nothing to apply: the machine matches the twin\n");
      return 0;
    }
    print_plan_lines(plan);
    fmt::print("nothing applied: {} conflict{} skipped\n", plan.conflicts.size(),
               plan.conflicts.size() == 1 ? "" : "s");
    print_hint("resolve them with --prefer desired or --prefer live");
    return 0;
  }
  print_plan_lines(plan);
  for (const auto& c : adopt_live)
    fmt::print("< {}: keep the machine's {} (adopt into the twin)\n", c.plugin, c.resource);
  if (args.flag("dry-run")) {
    fmt::print("dry run: {} action{} would run; nothing was changed\n", plan.actions.size(),
               plan.actions.size() == 1 ? "" : "s");
    return 0;
  }
  if (!TWIN_TRY(
          confirm(s.config, args.flag("yes"), plan.actions.size() + adopt_live.size(), s.root))) {
    fmt::print("nothing applied\n");
    return 1;
  }

  if (detached_from) {
    // Time travel: what is applied is recorded on the branch, not on a detached HEAD that
    // the next checkout would leave behind.
    std::string x = fresh.plan.desired_commit;
    fmt::print("HEAD is detached at {}: restoring its desired state onto '{}' first, so the "
               "restore stays in history\n",
               x.substr(0, 12), *detached_from);
    TWIN_CHECK(run_git(env.runner, s.repo.work_tree(), {"checkout", "-q", *detached_from}));
    TWIN_CHECK(restore_desired(s, x, x.substr(0, 12)));
    Plan again = TWIN_TRY(make_plan(env, observation, prefer)).plan;
    if (!same_actions(again, plan))
      return fail("on '{}' the plan differs from the one shown; nothing was applied\nhint: run "
                  "'git twin plan' and review it",
                  *detached_from);
    plan = std::move(again);
  }

  SnapshotOptions options;
  for (const auto& c : adopt_live) {
    const Plugin* owner = plugins::find(c.plugin);
    AdoptSummary summary = TWIN_TRY(adopt_resources(env, *owner, {c.resource}));
    options.extra_paths.insert(options.extra_paths.end(), summary.written.begin(),
                               summary.written.end());
  }
  plan.conflicts.clear();

  ApplyRun run;
  run.stamp = utc_stamp();
  run.options = std::move(options);
  ApplyJournal journal = TWIN_TRY(ApplyJournal::begin(s.repo.git_dir(), plan, run.stamp, run.what));
  return run_and_record(s, env, plugins, plan, journal, std::move(run));
}

Result<int> resume_apply(const Args& args) {
  Session s = TWIN_TRY(open_session(args));
  RepoLock lock = TWIN_TRY(RepoLock::acquire(s.repo.git_dir()));
  auto plugins = plugins::enabled(s.config);
  TwinEnv env{s.repo, s.tree, s.root, s.config, process_runner()};
  auto state = TWIN_TRY(ApplyJournal::load(s.repo.git_dir()));
  if (!state)
    return fail("there is no interrupted apply to resume");
  Plan& plan = state->plan;
  if (TWIN_TRY(already_committed(s, *state))) {
    TWIN_CHECK(TWIN_TRY(ApplyJournal::reopen(s.repo.git_dir())).close());
    fmt::print("the interrupted apply was already recorded ({}) and committed; its journal is "
               "removed\n",
               state->history);
    return 0;
  }
  auto head = TWIN_TRY(s.repo.resolve("HEAD")).value_or("");
  if (head != plan.desired_commit)
    return fail("HEAD moved since the interrupted apply started (it applied {}, HEAD is {}); "
                "resuming would mix two desired states\nhint: check out {} to resume it",
                plan.desired_commit.substr(0, 12), head.substr(0, 12),
                plan.desired_commit.substr(0, 12));
  fmt::print("resuming the apply of {}: {} of {} actions have an outcome", stamp_time(state->stamp),
             state->outcomes.size(), plan.actions.size());
  if (!state->started.empty())
    fmt::print("; {} started and never finished, run again", state->started.size());
  fmt::print("\n");
  for (const auto& a : plan.actions)
    if (state->started.count(a.id))
      fmt::print("  again: {}\n", summary_line(a));
  std::size_t remaining = plan.actions.size() - state->outcomes.size();
  if (!TWIN_TRY(confirm(s.config, args.flag("yes"), remaining, s.root))) {
    fmt::print("nothing applied; the apply stays interrupted\n");
    return 1;
  }
  for (const auto& a : plan.actions)
    if (state->started.count(a.id))
      remove_cut_writes(s.root, a);
  SettledActions settled = settle_started(*state, s.root);
  ApplyJournal journal = TWIN_TRY(ApplyJournal::reopen(s.repo.git_dir()));
  ApplyRun run;
  run.stamp = state->stamp;
  run.what = state->what;
  run.history = state->history;
  run.earlier = std::move(state->outcomes);
  for (auto& r : settled.done) {
    TWIN_CHECK(journal.finished(r));
    run.earlier.push_back(std::move(r));
  }
  run.original_backups = std::move(settled.original_backups);
  return run_and_record(s, env, plugins, plan, journal, std::move(run));
}

} // namespace

Result<int> cmd_apply(std::span<const std::string> argv) {
  static const OptionSpec specs[] = {{"yes", 'y', false},
                                     {"dry-run", 'n', false},
                                     {"prefer", 0, true},
                                     {"root", 0, true},
                                     {"resume", 0, false}};
  Args args = TWIN_TRY(parse_args("apply", argv, specs));
  if (!args.positional.empty())
    return usage_error("'git twin apply' takes no arguments");
  if (args.flag("resume")) {
    if (args.value("prefer") || args.flag("dry-run"))
      return usage_error("--resume finishes the interrupted apply as it was planned: no "
                         "--prefer or --dry-run");
    return resume_apply(args);
  }
  return apply(args);
}

} // namespace twin::cli
