// SPDX-License-Identifier: MIT
// git twin hook <name> [ARGS...]: plumbing, run by the shims in $GIT_DIR/hooks.
#include <cstdlib>
#include <optional>
#include <unistd.h>

#include <fmt/format.h>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/session.hpp"
#include "core/repo_lock.hpp"
#include "hooks/handlers.hpp"
#include "hooks/shims.hpp"
#include "plugins/registry.hpp"

namespace twin::cli {

Result<int> cmd_hook(std::span<const std::string> argv) {
  if (argv.empty())
    return usage_error("usage: git twin hook <name> [<args>...]");
  const std::string& name = argv[0];
  std::span<const std::string> args = argv.subspan(1);
  bool known = false;
  for (std::string_view n : hooks::hook_names())
    known = known || n == name;
  if (!known)
    return usage_error("'{}' is not a hook git-twin handles", name);
  bool gate = name == "pre-commit";

  // A post-* hook must never fail git's command: every problem is a note and exit 0.
  auto soft = [&](const Error& e) -> Result<int> {
    fmt::print(stderr, "git-twin: warning: {} hook skipped: {}\n", name, e.message);
    return gate ? 1 : 0;
  };
  if (hooks::is_internal(name, args))
    return 0;
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd))
    return soft(Error{"cannot determine the current directory"});
  auto repo = GitRepo::discover(cwd);
  if (!repo)
    return soft(repo.error());
  std::string reason = hooks::skip_reason(name, args, repo->git_dir());
  if (!reason.empty()) {
    fmt::print(stderr, "git-twin: {}; {} hook does nothing\n", reason, name);
    return 0;
  }
  setenv("GIT_TWIN_IN_HOOK", "1", 1);

  // Validation reads only; the post-* hooks write plan/latest.yaml and so take the lock,
  // without waiting: a hook must not hold up git.
  std::optional<RepoLock> lock;
  if (!gate) {
    auto taken = RepoLock::acquire(repo->git_dir(), std::chrono::milliseconds(0));
    if (!taken) {
      fmt::print(stderr, "git-twin: another git-twin command is running; {} hook skipped\n", name);
      return 0;
    }
    lock.emplace(std::move(*taken));
  }
  Args none;
  auto session = open_session(none);
  if (!session && gate) {
    // pre-commit judges what is staged, not the work tree: with an invalid config.yaml in
    // the work tree, validate with the defaults (the staged config.yaml is checked itself).
    auto tree = WorkTree::open(repo->work_tree());
    auto root = SystemRoot::open("/");
    if (!tree || !root)
      return soft(session.error());
    Session fallback{std::move(*repo), std::move(*tree), Config{}, std::move(*root)};
    fallback.config.enabled_plugins = plugins::names();
    TwinEnv env{fallback.repo, fallback.tree, fallback.root, fallback.config, process_runner()};
    return hooks::pre_commit(env, plugins::enabled(fallback.config), plugins::names());
  }
  if (!session)
    return soft(session.error());
  auto plugins = plugins::enabled(session->config);
  TwinEnv env{session->repo, session->tree, session->root, session->config, process_runner()};
  if (gate)
    return hooks::pre_commit(env, plugins, plugins::names());
  // Where HEAD was before: post-checkout is told; a merge leaves it in ORIG_HEAD.
  std::optional<std::string> previous;
  if (name == "post-checkout" && !args.empty())
    previous = args[0];
  else if (name == "post-merge")
    if (auto orig = env.repo.resolve("ORIG_HEAD"))
      previous = *orig;
  return hooks::refresh_after_git(env, plugins, previous);
}

} // namespace twin::cli
