// SPDX-License-Identifier: MIT
// git twin undo [APPLY] [--yes] [--dry-run] [--root DIR]: the apply recorded in
// plan/history/<APPLY>.yaml (the last one by default) turned back into a plan
// (core/undo.hpp), shown, confirmed and applied like any apply: journaled, with backups,
// recorded, re-snapshotted and committed. The snapshot then adopts the machine's restored
// state into state/ and filesystem/ as a local change, so the twin follows the machine back.
#include <algorithm>

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

} // namespace

Result<int> cmd_undo(std::span<const std::string> argv) {
  static const OptionSpec specs[] = {
      {"yes", 'y', false}, {"dry-run", 'n', false}, {"root", 0, true}};
  Args args = TWIN_TRY(parse_args("undo", argv, specs));
  if (args.positional.size() > 1)
    return usage_error("usage: git twin undo [APPLY] [--yes] [--dry-run]");
  Session s = TWIN_TRY(open_session(args));
  RepoLock lock = TWIN_TRY(RepoLock::acquire(s.repo.git_dir()));
  if (auto interrupted = refuse_while_interrupted(s.repo.git_dir()); !interrupted)
    return fail("{}; then 'git twin undo' rolls the whole apply back", interrupted.error().message);
  auto plugins = plugins::enabled(s.config);
  TwinEnv env{s.repo, s.tree, s.root, s.config, process_runner()};

  std::optional<std::string> given;
  if (!args.positional.empty())
    given = args.positional[0];
  std::string path = TWIN_TRY(record_path(s.tree, given));
  auto text = TWIN_TRY(s.tree.read(path));
  if (!text)
    return fail("there is no apply record {}", path);
  Value record = TWIN_TRY(parse_yaml(*text, path));
  std::string head = TWIN_TRY(s.repo.resolve("HEAD")).value_or("");
  UndoPlan undo = TWIN_TRY(plan_undo(record, *text, path, head, plugins, s.config));

  fmt::print("undo of the apply of {} ({}):\n", record.get_string("applied_at", "?"), path);
  for (const auto& reason : undo.cannot)
    print_warning("cannot undo " + reason);
  if (undo.plan.actions.empty()) {
    fmt::print("nothing to undo\n");
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
  run.what = "undo of " + path;
  ApplyJournal journal = TWIN_TRY(ApplyJournal::begin(s.repo.git_dir(), undo.plan, run.stamp));
  int code = TWIN_TRY(run_and_record(s, env, plugins, undo.plan, journal, std::move(run)));
  return undo.cannot.empty() ? code : 1;
}

} // namespace twin::cli
