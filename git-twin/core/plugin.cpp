// SPDX-License-Identifier: MIT
#include "core/plugin.hpp"

namespace twin {

Result<Value> Plugin::seed_state(PluginContext&, const Value&, std::vector<std::string>&) const {
  return fail("plugin '{}' has no desired state to seed", name());
}

Result<AdoptSummary> Plugin::adopt(PluginContext&, const Value&, const Value*, Value&) const {
  return AdoptSummary{};
}

Result<PluginPlan> Plugin::plan(const PlanInput&) const {
  return PluginPlan{};
}

bool Plugin::reacts(const Value&) const {
  return false;
}

std::vector<Action> Plugin::plan_reactions(const PlanInput&, std::span<const Action>) const {
  return {};
}

ActionOutcome Plugin::apply(const Action& action, ApplyContext&) const {
  return {ActionOutcome::Status::failed,
          fmt::format("plugin '{}' cannot apply '{}'", name(), action.op),
          {}};
}

std::vector<Action> Plugin::undo(const Action& done, const ActionOutcome&,
                                 std::vector<std::string>& cannot) const {
  cannot.push_back(fmt::format("{}: {} cannot undo '{}'", done.id, name(), done.op));
  return {};
}

std::vector<ActionOutcome> Plugin::apply_batch(std::span<const Action> actions,
                                               ApplyContext& ctx) const {
  std::vector<ActionOutcome> outcomes;
  outcomes.reserve(actions.size());
  for (const Action& action : actions)
    outcomes.push_back(apply(action, ctx));
  return outcomes;
}

Result<AdoptSummary> Plugin::adopt_named(PluginContext&, const Value&,
                                         const std::vector<std::string>&, Value&) const {
  return fail("plugin '{}' has no desired state to adopt into", name());
}

std::vector<SchemaProblem> Plugin::check_state(const Value&, const Config&, const WorkTree&) const {
  return {};
}

} // namespace twin
