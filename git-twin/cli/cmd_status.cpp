// SPDX-License-Identifier: MIT
// git twin status [--json] [--exit-code] [--root DIR]: one line per plugin.
#include <fmt/format.h>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/plan_view.hpp"
#include "cli/session.hpp"
#include "core/output.hpp"
#include "core/schema.hpp"
#include "plugins/registry.hpp"

namespace twin::cli {

Result<int> cmd_status(std::span<const std::string> argv) {
  static const OptionSpec specs[] = {
      {"json", 0, false}, {"exit-code", 0, false}, {"root", 0, true}};
  Args args = TWIN_TRY(parse_args("status", argv, specs));
  if (!args.positional.empty())
    return usage_error("'git twin status' takes no arguments");
  Session s = TWIN_TRY(open_session(args));
  auto plugins = plugins::enabled(s.config);
  TwinEnv env{s.repo, s.tree, s.root, s.config, process_runner()};

  // status only reads; it rewrites plan/latest.yaml only when that was made for another
  // HEAD (hooks missed a reset or stash), so a plan someone reviewed is never replaced.
  bool behind = TWIN_TRY(saved_plan_is_behind(env));
  Observation observation = TWIN_TRY(observe(env, plugins));
  PlanResult result = TWIN_TRY(make_plan(env, observation));
  if (behind)
    TWIN_TRY(refresh_plan(env, plugins));
  print_observation_warnings(observation);
  if (behind)
    print_hint(fmt::format("{} was made for an earlier HEAD (a reset, stash or tool that runs "
                           "no hook); it is up to date again",
                           k_plan_path));
  if (args.flag("json")) {
    fmt::print("{}\n", to_json(status_value(result), true));
  } else {
    for (const auto& st : result.status)
      fmt::print("{}\n", status_line(st));
  }
  if (args.flag("exit-code") && result.pending())
    return static_cast<int>(ExitCode::pending);
  return 0;
}

} // namespace twin::cli
