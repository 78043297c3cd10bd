// SPDX-License-Identifier: MIT
// Planning again after git moved HEAD (the post-checkout, post-merge and post-rewrite
// hooks), looking only at what moved.
//
// A hook runs on every checkout, so it must cost little. When plan/latest.yaml was made at
// the commit HEAD left, and the plan memo (core/plan_memo.hpp) shows that nothing the plan
// was made from changed except files under filesystem/, only the resources whose twin_path
// changed are planned again, from the items the memo kept, and merged into the saved plan.
// The result is the plan a full plan would make against the same observation of the
// machine; the machine is not observed again (apply always observes afresh and refuses a
// plan the machine has moved away from).
#pragma once

#include <optional>
#include <span>
#include <string>

#include "core/plan_engine.hpp"

namespace twin {

/// Re-plans after HEAD moved from `old_commit`; nullopt when the saved plan and the memo do
/// not allow it (the caller then plans in full with refresh_plan).
Result<std::optional<PlanResult>>
replan_changed(TwinEnv& env, std::span<const Plugin* const> plugins, const std::string& old_commit);

} // namespace twin
