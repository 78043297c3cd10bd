// SPDX-License-Identifier: MIT
// cron.user: every user's crontab (Debian's /var/spool/cron/crontabs/<user>) as observed
// state (live/cron.yaml) and desired state (state/cron.yaml); shapes in cron_document.hpp,
// parsing in crontab.hpp, planning in planner.hpp, installing in installer.hpp.
#pragma once

#include "core/plugin.hpp"

namespace twin::cron {

class CronUser final : public Plugin {
public:
  std::string_view name() const override { return "cron.user"; }
  std::string_view fragment() const override { return "cron"; }
  std::string_view summary() const override {
    return "users' crontabs: jobs, disabled jobs, comments and settings";
  }
  bool has_state() const override { return true; }
  bool secret_documents() const override { return true; } // crontabs are mode 0600
  const Value& live_schema() const override;
  const Value* state_schema() const override;
  /// A job is its user and command (a schedule edit keeps the job); `{user, ensure: absent}`
  /// has no command, which counts as the empty one.
  std::vector<MergeKey> merge_keys() const override { return {{"cron", {"user", "command"}}}; }

  Result<LiveObservation> collect(PluginContext& ctx,
                                  std::vector<std::string>& written) const override;
  Result<Value> seed_state(PluginContext& ctx, const Value& live,
                           std::vector<std::string>& written) const override;
  Result<AdoptSummary> adopt(PluginContext& ctx, const Value& live, const Value* base,
                             Value& desired) const override;
  Result<PluginPlan> plan(const PlanInput& input) const override;
  ActionOutcome apply(const Action& action, ApplyContext& ctx) const override;
  Result<AdoptSummary> adopt_named(PluginContext& ctx, const Value& live,
                                   const std::vector<std::string>& selectors,
                                   Value& desired) const override;
  /// Also checks that every user exists in /etc/passwd below config.root.
  std::vector<SchemaProblem> check_state(const Value& desired, const Config& config,
                                         const WorkTree& tree) const override;
};

} // namespace twin::cron
