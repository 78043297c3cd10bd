// SPDX-License-Identifier: MIT
// services.systemd: systemd units as desired and observed state (state/services.yaml,
// live/services.yaml; shapes in service_model.hpp).
//
// Observed natively: unit-file states come from reading the unit directories below the
// root (unit_files.hpp), not from systemctl; only when systemd runs on "/" is one
// `systemctl list-units --all -o json` asked for the active states. Applied through
// systemctl ([--root=R] enable|disable|mask|unmask|start|stop -- <unit>), one unit per
// call, after the unit name has been checked again; start and stop are skipped, not
// faked, where no systemd runs.
#pragma once

#include "core/plugin.hpp"
#include "plugins/services_systemd/planner.hpp"

namespace twin::services {

class SystemdServices final : public Plugin {
public:
  std::string_view name() const override { return "services.systemd"; }
  std::string_view fragment() const override { return "services"; }
  std::string_view summary() const override { return "systemd units: enabled, masked, running"; }
  bool has_state() const override { return true; }
  const Value& live_schema() const override;
  const Value* state_schema() const override;
  std::vector<MergeKey> merge_keys() const override { return {{"services", {"name"}}}; }

  Result<LiveObservation> collect(PluginContext& ctx,
                                  std::vector<std::string>& written) const override;
  Result<Value> seed_state(PluginContext& ctx, const Value& live,
                           std::vector<std::string>& written) const override;
  Result<AdoptSummary> adopt(PluginContext& ctx, const Value& live, const Value* base,
                             Value& desired) const override;
  Result<PluginPlan> plan(const PlanInput& input) const override;
  bool reacts(const Value& desired) const override;
  std::vector<Action> plan_reactions(const PlanInput& input,
                                     std::span<const Action> earlier) const override;
  ActionOutcome apply(const Action& action, ApplyContext& ctx) const override;
  std::vector<Action> undo(const Action& done, const ActionOutcome& /*outcome*/,
                           std::vector<std::string>& cannot) const override {
    return undo_unit_action(done, cannot);
  }
  Result<AdoptSummary> adopt_named(PluginContext& ctx, const Value& live,
                                   const std::vector<std::string>& selectors,
                                   Value& desired) const override;
  std::vector<SchemaProblem> check_state(const Value& desired, const Config& config,
                                         const WorkTree& tree) const override;
};

/// True when systemd runs on this root: the root is "/" and /run/systemd/system exists
/// (sd_booted()'s test).
bool systemd_running(const SystemRoot& root);

/// The systemctl argv for one action on `root`.
std::vector<std::string> systemctl_argv(const SystemRoot& root, std::string_view op,
                                        const std::string& unit);

} // namespace twin::services
