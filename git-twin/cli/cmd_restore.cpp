// SPDX-License-Identifier: MIT
// git twin restore REV: the time machine that keeps history. The desired state of REV
// (state/ and filesystem/) becomes a new commit on the current branch, then a plan shows
// what apply would change to bring the machine back to it.
#include <fmt/format.h>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/plan_view.hpp"
#include "cli/restore.hpp"
#include "cli/session.hpp"
#include "core/apply_journal.hpp"
#include "core/repo_lock.hpp"
#include "plugins/registry.hpp"

namespace twin::cli {

Status restore_desired(Session& s, const std::string& commit, const std::string& label) {
  Runner& runner = process_runner();
  const std::string& top = s.repo.work_tree();
  // Replace, not overlay: paths added since REV must go too.
  TWIN_CHECK(
      run_git(runner, top, {"rm", "-r", "-q", "--ignore-unmatch", "--", "state", "filesystem"}));
  for (const char* dir : {"state", "filesystem"})
    if (!TWIN_TRY(run_git(runner, top, {"ls-tree", "--name-only", commit, "--", dir})).out.empty())
      TWIN_CHECK(run_git(runner, top, {"checkout", commit, "--", dir}));
  auto head = TWIN_TRY(
      commit_paths(runner, s.repo, {"state", "filesystem"},
                   fmt::format("git twin restore {}\n\nDesired state as of {}.", label, commit)));
  if (head)
    fmt::print("restored the desired state of {} as commit {}\n", label, head->substr(0, 12));
  else
    fmt::print("the desired state already equals {}'s\n", label);
  return {};
}

Result<int> cmd_restore(std::span<const std::string> argv) {
  static const OptionSpec specs[] = {{"root", 0, true}};
  Args args = TWIN_TRY(parse_args("restore", argv, specs));
  if (args.positional.size() != 1)
    return usage_error("usage: git twin restore <rev>");
  Session s = TWIN_TRY(open_session(args));
  RepoLock lock = TWIN_TRY(RepoLock::acquire(s.repo.git_dir()));
  TWIN_CHECK(refuse_while_interrupted(s.repo.git_dir()));
  const std::string& rev = args.positional[0];
  auto commit = TWIN_TRY(s.repo.resolve(rev));
  if (!commit)
    return fail("'{}' does not name a commit", rev);
  auto status = TWIN_TRY(run_git(process_runner(), s.repo.work_tree(),
                                 {"status", "--porcelain", "--", "state", "filesystem"}));
  if (!status.out.empty())
    return fail("state/ or filesystem/ has uncommitted changes; commit or discard them first");
  TWIN_CHECK(restore_desired(s, *commit, rev));

  auto plugins = plugins::enabled(s.config);
  TwinEnv env{s.repo, s.tree, s.root, s.config, process_runner()};
  PlanResult result = TWIN_TRY(refresh_plan(env, plugins));
  print_plan_lines(result.plan);
  std::string counts = plan_counts(result);
  fmt::print("{}\n", counts.empty() ? "nothing to apply: the machine already matches"
                                    : counts + "; run 'git twin apply' to bring the machine back");
  return 0;
}

} // namespace twin::cli
