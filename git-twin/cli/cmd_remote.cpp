// SPDX-License-Identifier: MIT
// git twin push [ARGS...], git twin pull [ARGS...]: the network through the git CLI, so
// the user's credential helpers, ssh config and remotes work as they set them up.
#include <unistd.h>

#include <fmt/format.h>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/plan_view.hpp"
#include "cli/remote.hpp"
#include "cli/session.hpp"
#include "core/repo_lock.hpp"
#include "hooks/handlers.hpp"
#include "plugins/registry.hpp"

namespace twin::cli {

Status push_twin(const GitRepo& repo, std::span<const std::string> extra) {
  Command push;
  push.argv = {"git", "push"};
  push.argv.insert(push.argv.end(), extra.begin(), extra.end());
  push.cwd = repo.work_tree();
  push.interactive = true;
  push.timeout = std::chrono::hours(1);
  push.env["GIT_TWIN_INTERNAL"] = "1";
  Completed done = TWIN_TRY(process_runner().run(push));
  if (!done.ok())
    return fail("git push failed{}", done.timed_out ? " (timed out)" : "");
  return {};
}

Result<int> cmd_push(std::span<const std::string> argv) {
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd))
    return fail("cannot determine the current directory");
  GitRepo repo = TWIN_TRY(GitRepo::discover(cwd));
  TWIN_CHECK(push_twin(repo, argv));
  return 0;
}

Result<int> cmd_pull(std::span<const std::string> argv) {
  // --root is ours; everything else goes to git pull as it is.
  Args args;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    if (argv[i] == "--root" && i + 1 < argv.size())
      args.values["root"] = argv[++i];
    else if (argv[i].rfind("--root=", 0) == 0)
      args.values["root"] = argv[i].substr(7);
    else
      args.positional.push_back(argv[i]);
  }
  Session s = TWIN_TRY(open_session(args));
  RepoLock lock = TWIN_TRY(RepoLock::acquire(s.repo.git_dir()));
  Command pull;
  pull.argv = {"git", "pull", "--ff-only"};
  pull.argv.insert(pull.argv.end(), args.positional.begin(), args.positional.end());
  pull.cwd = s.repo.work_tree();
  pull.interactive = true;
  pull.timeout = std::chrono::hours(1);
  pull.env["GIT_TWIN_INTERNAL"] = "1"; // the plan below replaces the post-merge hook's
  Completed done = TWIN_TRY(process_runner().run(pull));
  if (!done.ok())
    return fail("git pull --ff-only failed{}\nhint: a twin only fast-forwards: merge by hand "
                "('git pull' then resolve), or snapshot first if the machine changed",
                done.timed_out ? " (timed out)" : "");

  // The pulled config may enable other plugins or point elsewhere: read it again.
  Session fresh = TWIN_TRY(open_session(args));
  auto plugins = plugins::enabled(fresh.config);
  TwinEnv env{fresh.repo, fresh.tree, fresh.root, fresh.config, process_runner()};
  PlanResult result = TWIN_TRY(refresh_plan(env, plugins));
  print_plan_lines(result.plan);
  fmt::print("{}\n", hooks::pending_summary(result));
  if (!result.plan.actions.empty())
    fmt::print("run 'git twin apply' to apply\n");
  return 0;
}

} // namespace twin::cli
