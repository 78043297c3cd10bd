// SPDX-License-Identifier: MIT
// git twin snapshot [--no-commit] [-m MSG] [--root DIR]
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/plan_view.hpp"
#include "cli/remote.hpp"
#include "cli/report.hpp"
#include "cli/session.hpp"
#include "core/apply_journal.hpp"
#include "core/repo_lock.hpp"
#include "plugins/registry.hpp"

namespace twin::cli {

Result<int> cmd_snapshot(std::span<const std::string> argv) {
  static const OptionSpec specs[] = {
      {"no-commit", 0, false}, {"message", 'm', true}, {"root", 0, true}, {"push", 0, false}};
  Args args = TWIN_TRY(parse_args("snapshot", argv, specs));
  if (!args.positional.empty())
    return usage_error("'git twin snapshot' takes no arguments");
  Session s = TWIN_TRY(open_session(args));
  RepoLock lock = TWIN_TRY(RepoLock::acquire(s.repo.git_dir()));
  TWIN_CHECK(refuse_while_interrupted(s.repo.git_dir()));

  SnapshotOptions options;
  options.commit = s.config.auto_commit && !args.flag("no-commit");
  options.message = args.value("message").value_or("");
  options.log_plugins = plugins::enabled_log_plugins(s.config);
  auto plugins = plugins::enabled(s.config);
  TwinEnv env{s.repo, s.tree, s.root, s.config, process_runner()};
  // A plan already behind HEAD (a reset that ran no hook) is made again afterwards; one that
  // only our own commit leaves behind is removed instead: apply then plans afresh, and a
  // snapshot does not pay for a plan nobody asked for.
  bool behind_before = TWIN_TRY(saved_plan_is_behind(env));
  SnapshotReport report = TWIN_TRY(take_snapshot(env, plugins, options));
  int code = print_snapshot_report(report);
  if (behind_before)
    TWIN_CHECK(reconcile_plan(env, plugins));
  else if (report.commit)
    TWIN_CHECK(s.tree.remove(std::string(k_plan_path)));
  if (args.flag("push"))
    TWIN_CHECK(push_twin(s.repo, {}));
  return code;
}

} // namespace twin::cli
