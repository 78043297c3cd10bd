// SPDX-License-Identifier: MIT
// git twin undo [APPLY] [--yes] [--dry-run] [--root DIR]: the apply recorded in
// plan/history/<APPLY>.yaml (the last one by default; an interrupted apply, from its
// journal, when there is one) turned back into a plan
// (core/undo.hpp), shown, confirmed and applied like any apply: journaled, with backups,
// recorded, re-snapshotted and committed. The snapshot then adopts the machine's restored
// state into state/ and filesystem/ as a local change, so the twin follows the machine back.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "cli/apply_run.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/plan_view.hpp"
#include "cli/session.hpp"
#include "core/output.hpp"
#include "core/repo_lock.hpp"
#include "core/undo.hpp"
#include "core/yaml_reader.hpp"
#include "plugins/registry.hpp"

namespace twin::cli {
namespace {

constexpr std::string_view k_history = "plan/history";

// "2026-11-22T081500Z", "2026-11-22T081500Z.yaml" or "plan/history/2026-11-22T081500Z.yaml"
// -> the record's repository path; nothing that could leave plan/history.
Result<std::string> record_path(const WorkTree& tree, const std::optional<std::string>& given) {
  if (!given) {
    std::vector<std::string> names;
    for (const auto& e : TWIN_TRY(tree.list(std::string(k_history))))
      if (!e.directory && e.name.size() > 5 && e.name.ends_with(".yaml"))
        names.push_back(e.name);
    if (names.empty())
      return fail("there is no recorded apply to undo ({} is empty)", k_history);
    // Names are UTC times; "_N" for a second apply in the same second sorts after.
    return std::string(k_history) + "/" + *std::max_element(names.begin(), names.end());
  }
  std::string name = *given;
  if (name.rfind(std::string(k_history) + "/", 0) == 0)
    name = name.substr(k_history.size() + 1);
  if (!name.ends_with(".yaml"))
    name += ".yaml";
  if (name.find('/') != std::string::npos || name.front() == '.')
    return usage_error("'{}' is not the name of an apply record in {}/", *given, k_history);
  return std::string(k_history) + "/" + name;
}

// The interrupted apply ends here: its journal is kept beside the new one's place, as the
// only account of what it did, and the undo starts a journal of its own.
Status retire_interrupted_journal(const std::string& git_dir, const std::string& stamp) {
  std::string from = ApplyJournal::path(git_dir);
  std::string to = from + ".undone-" + stamp;
  if (std::rename(from.c_str(), to.c_str()) != 0)
    return fail("cannot move the apply journal aside to '{}': {}", to, std::strerror(errno));
  return {};
}

Status restore_interrupted_journal(const std::string& git_dir, const std::string& stamp) {
  std::string to = ApplyJournal::path(git_dir);
  std::string from = to + ".undone-" + stamp;
  if (std::rename(from.c_str(), to.c_str()) != 0)
    return fail("cannot move '{}' back: {}", from, std::strerror(errno));
  return {};
}

} // namespace

Result<int> cmd_undo(std::span<const std::string> argv) {
  static const OptionSpec specs[] = {
      {"yes", 'y', false}, {"dry-run", 'n', false}, {"root", 0, true}};
  Args args = TWIN_TRY(parse_args("undo", argv, specs));
  if (args.positional.size() > 1)
    return usage_error("usage: git twin undo [APPLY] [--yes] [--dry-run]");
  Session s = TWIN_TRY(open_session(args));
  RepoLock lock = TWIN_TRY(RepoLock::acquire(s.repo.git_dir()));
  auto plugins = plugins::enabled(s.config);
  TwinEnv env{s.repo, s.tree, s.root, s.config, process_runner()};
  std::string head = TWIN_TRY(s.repo.resolve("HEAD")).value_or("");

  // An interrupted apply is undone from its journal: it has no record yet.
  auto interrupted = TWIN_TRY(ApplyJournal::load(s.repo.git_dir()));
  if (interrupted && TWIN_TRY(already_committed(s, *interrupted))) {
    // The crash came after the commit: it is an apply like any other, with its record.
    TWIN_CHECK(TWIN_TRY(ApplyJournal::reopen(s.repo.git_dir())).close());
    interrupted.reset();
  }
  if (interrupted && !args.positional.empty())
    return fail("an apply was interrupted; undo it first ('git twin undo' without a name), or "
                "finish it with 'git twin apply --resume'");
  UndoPlan undo;
  std::string what;
  if (interrupted) {
    what = "undo of the interrupted apply of " + interrupted->stamp;
    undo = TWIN_TRY(plan_undo_results(interrupted_outcomes(*interrupted, s.root),
                                      ApplyJournal::path(s.repo.git_dir()),
                                      interrupted->plan.desired_digest, head, plugins, s.config));
    fmt::print("undo of the interrupted apply of {}:\n", interrupted->stamp);
  } else {
    std::optional<std::string> given;
    if (!args.positional.empty())
      given = args.positional[0];
    std::string path = TWIN_TRY(record_path(s.tree, given));
    auto text = TWIN_TRY(s.tree.read(path));
    if (!text)
      return fail("there is no apply record {}", path);
    Value record = TWIN_TRY(parse_yaml(*text, path));
    if (is_undo_record(record))
      return fail("{} records an undo; to have the changes it undid again, revert the undo's "
                  "commit (git revert) and run 'git twin apply'",
                  path);
    undo = TWIN_TRY(plan_undo(record, *text, path, head, plugins, s.config));
    what = "undo of " + path;
    fmt::print("undo of the apply of {} ({}):\n", record.get_string("applied_at", "?"), path);
  }
  for (const auto& reason : undo.cannot)
    print_warning("cannot undo " + reason);
  // Temp files a cut write left are removed once the user agreed to roll back.
  auto remove_cut = [&] {
    for (const auto& a : interrupted->plan.actions)
      if (interrupted->started.count(a.id))
        remove_cut_writes(s.root, a);
  };
  if (undo.plan.actions.empty()) {
    if (interrupted && !args.flag("dry-run")) {
      remove_cut();
      TWIN_CHECK(retire_interrupted_journal(s.repo.git_dir(), interrupted->stamp));
      fmt::print("the interrupted apply changed nothing; its journal is set aside\n");
    } else {
      fmt::print("nothing to undo\n");
    }
    return undo.cannot.empty() ? 0 : 1;
  }
  print_plan_lines(undo.plan);
  if (args.flag("dry-run")) {
    fmt::print("dry run: {} action{} would run; nothing was changed\n", undo.plan.actions.size(),
               undo.plan.actions.size() == 1 ? "" : "s");
    return 0;
  }
  if (!TWIN_TRY(confirm(s.config, args.flag("yes"), undo.plan.actions.size(), s.root))) {
    fmt::print("nothing undone\n");
    return 1;
  }
  ApplyRun run;
  run.stamp = utc_stamp();
  run.what = what;
  if (interrupted) {
    remove_cut();
    TWIN_CHECK(retire_interrupted_journal(s.repo.git_dir(), interrupted->stamp));
    // The interrupted apply got as far as its record: committed with the undo, history
    // then tells both.
    if (!interrupted->history.empty())
      run.options.extra_paths.push_back(interrupted->history);
  }
  auto journal = ApplyJournal::begin(s.repo.git_dir(), undo.plan, run.stamp, run.what);
  if (!journal) {
    // Without a journal of its own the rollback must not start; the interrupted apply's
    // journal goes back, so every command still notices it.
    if (interrupted)
      (void)restore_interrupted_journal(s.repo.git_dir(), interrupted->stamp);
    return tl::unexpected(journal.error());
  }
  int code = TWIN_TRY(run_and_record(s, env, plugins, undo.plan, *journal, std::move(run)));
  return undo.cannot.empty() ? code : 1;
}

} // namespace twin::cli
