// SPDX-License-Identifier: MIT
// files.mirror: whole trees (config filesystem_roots) as desired and observed state.
// Observed: live/files.yaml + live/filesystem/<path>. Desired: state/files.yaml +
// filesystem/<path> (the content at twin_path is the truth; sha256 there is informational).
#pragma once

#include "core/plugin.hpp"

namespace twin::files {

class FilesMirror final : public Plugin {
public:
  std::string_view name() const override { return "files.mirror"; }
  std::string_view fragment() const override { return "files"; }
  std::string_view summary() const override {
    return "mirror whole trees with content, mode, owner and group";
  }
  bool has_state() const override { return true; }
  const Value& live_schema() const override;
  const Value* state_schema() const override;
  std::vector<MergeKey> merge_keys() const override { return {{"files", {"path"}}}; }

  Result<LiveObservation> collect(PluginContext& ctx,
                                  std::vector<std::string>& written) const override;
  Result<Value> seed_state(PluginContext& ctx, const Value& live,
                           std::vector<std::string>& written) const override;
  Result<AdoptSummary> adopt(PluginContext& ctx, const Value& live, const Value* base,
                             Value& desired) const override;
  Result<PluginPlan> plan(const PlanInput& input) const override;
  ActionOutcome apply(const Action& action, ApplyContext& ctx) const override;
  std::vector<Action> undo(const Action& done, const ActionOutcome& outcome,
                           std::vector<std::string>& cannot) const override;
  Result<AdoptSummary> adopt_named(PluginContext& ctx, const Value& live,
                                   const std::vector<std::string>& selectors,
                                   Value& desired) const override;
  std::vector<SchemaProblem> check_state(const Value& desired, const Config& config,
                                         const WorkTree& tree) const override;
};

} // namespace twin::files
