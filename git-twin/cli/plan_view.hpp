// SPDX-License-Identifier: MIT
// How plans and status read on a terminal and as JSON (plan, status, apply share them).
#pragma once

#include "core/plan_engine.hpp"

namespace twin::cli {

/// The diff-like lines of a plan, conflicts marked "!", on stdout.
void print_plan_lines(const Plan& plan);
/// "2 actions, 1 conflict; 3 local changes waiting to be adopted ..." (empty when nothing).
std::string plan_counts(const PlanResult& result);
/// One line per plugin: "files: DRIFT (3 actions needed)", "files: in sync", ...
std::string status_line(const PluginStatus& status);
Value status_value(const PlanResult& result);
/// Hooks are notifications, not guarantees: reset --hard, stash or a GUI move HEAD without
/// them. When plan/latest.yaml was made for another commit than HEAD, makes it again and
/// says so.
Status reconcile_plan(TwinEnv& env, std::span<const Plugin* const> plugins);

/// True when plan/latest.yaml exists and was made for another commit than HEAD.
Result<bool> saved_plan_is_behind(TwinEnv& env);

/// Observation warnings on stderr.
void print_observation_warnings(const Observation& observation);

} // namespace twin::cli
