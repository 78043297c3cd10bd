// SPDX-License-Identifier: MIT
// What `git twin hook <name>` does. Hooks are notifications, not guarantees (reset --hard,
// stash and libgit2 fire none), so every git-twin command also reconciles on its own; the
// handlers only keep plan/latest.yaml fresh and refuse invalid commits.
//
// Rules for every handler: never change the machine, never prompt, never recurse (git runs
// by git-twin itself carry GIT_TWIN_INTERNAL=1, and handlers export GIT_TWIN_IN_HOOK=1),
// do nothing while a rebase, cherry-pick or revert sequence is in progress (but plan
// when post-rewrite ends a rebase), and skip
// with a note when another git-twin command holds the lock. Output goes to stderr with a
// "git-twin: " prefix, since it is interleaved with git's.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/plan_engine.hpp"

namespace twin::hooks {

/// True when the hook has nothing to do whatever the repository holds: git run by git-twin
/// itself, or a checkout that moved no branch. Decided before the repository is opened.
bool is_internal(std::string_view name, std::span<const std::string> args);

/// Why a hook should do nothing now although it is not internal (a rebase, cherry-pick or
/// revert in progress), or "" when it should run. `args` are git's arguments.
std::string skip_reason(std::string_view name, std::span<const std::string> args,
                        const std::string& git_dir);

/// post-checkout, post-merge, post-rewrite: regenerate plan/latest.yaml and print one short
/// block saying what is pending. Always returns 0 (git makes post-checkout's status the
/// checkout's); a failure is a warning. `previous_head`: the commit git moved HEAD from, when
/// known; then only what changed is planned again, if the saved plan allows (core/replan.hpp).
int refresh_after_git(TwinEnv& env, std::span<const Plugin* const> plugins,
                      const std::optional<std::string>& previous_head);

/// pre-commit: validate the staged config.yaml and state/*.yaml (as they will be committed,
/// read from the index git names in GIT_INDEX_FILE); with hooks.pre_commit_snapshot on,
/// refresh live/ and stage it. Returns 1 to refuse the commit.
/// `known_plugins` are every plugin name a staged config.yaml may enable.
int pre_commit(TwinEnv& env, std::span<const Plugin* const> plugins,
               const std::vector<std::string>& known_plugins);

/// The one-line summary of a plan for notes: "3 actions pending (files.mirror 3)".
std::string pending_summary(const PlanResult& result);

} // namespace twin::hooks
