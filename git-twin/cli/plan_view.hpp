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
/// Observation warnings on stderr.
void print_observation_warnings(const Observation& observation);

} // namespace twin::cli
