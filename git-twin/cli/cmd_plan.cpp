// SPDX-License-Identifier: MIT
// git twin plan [--json] [--exit-code] [--root DIR]
#include <fmt/format.h>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/plan_view.hpp"
#include "cli/session.hpp"
#include "core/repo_lock.hpp"
#include "core/schema.hpp"
#include "plugins/registry.hpp"

namespace twin::cli {

Result<int> cmd_plan(std::span<const std::string> argv) {
  static const OptionSpec specs[] = {
      {"json", 0, false}, {"exit-code", 0, false}, {"root", 0, true}};
  Args args = TWIN_TRY(parse_args("plan", argv, specs));
  if (!args.positional.empty())
    return usage_error("'git twin plan' takes no arguments");
  Session s = TWIN_TRY(open_session(args));
  RepoLock lock = TWIN_TRY(RepoLock::acquire(s.repo.git_dir()));
  auto plugins = plugins::enabled(s.config);
  TwinEnv env{s.repo, s.tree, s.root, s.config, process_runner()};

  Observation observation;
  PlanResult result = TWIN_TRY(refresh_plan(env, plugins, &observation));
  print_observation_warnings(observation);
  Value document = plan_to_value(result.plan);

  if (args.flag("json")) {
    fmt::print("{}\n", to_json(document, true));
  } else {
    print_plan_lines(result.plan);
    std::string counts = plan_counts(result);
    if (result.plan.actions.empty() && result.plan.conflicts.empty())
      fmt::print("nothing to apply: the machine matches the twin{}{}\n", counts.empty() ? "" : "; ",
                 counts);
    else
      fmt::print("{}\nplan written to {}; run 'git twin apply' to apply it\n", counts, k_plan_path);
  }
  if (args.flag("exit-code") && result.pending())
    return static_cast<int>(ExitCode::pending);
  return 0;
}

} // namespace twin::cli
