// SPDX-License-Identifier: MIT
// packages.debian: the Debian packages of the root (live/packages.yaml), read from dpkg's
// status database and apt's automatic marks below the root (dpkg_status.hpp). One item per
// package dpkg knows beyond not-installed: name, architecture, version, status (dpkg's
// third Status word), manual (false when apt installed it as a dependency) and hold.
// A package installed for several architectures (multiarch) is named "name:arch" in each
// of its items, so that every item has its own identity.
//
// Desired: state/packages.yaml, packages to be present (optionally at a pinned version) or
// absent; the sync model per package is package_sync.hpp. Apply runs apt-get (apt_get.hpp):
// one call for all installs, then one for all removals, and reads dpkg's database again to
// report each package's outcome. A removal that would take other packages with it is
// refused (apt-get -s says which), so apply never removes what state/ did not name.
#pragma once

#include "core/plugin.hpp"
#include "plugins/packages_debian/package_sync.hpp"

namespace twin::packages {

class DebianPackages final : public Plugin {
public:
  std::string_view name() const override { return "packages.debian"; }
  std::string_view fragment() const override { return "packages"; }
  std::string_view summary() const override {
    return "Debian packages from dpkg's database; installs and removes them with apt-get";
  }
  bool has_state() const override { return true; }
  const Value& live_schema() const override;
  const Value* state_schema() const override;
  std::vector<MergeKey> merge_keys() const override { return {{"packages", {"name"}}}; }

  Result<LiveObservation> collect(PluginContext& ctx,
                                  std::vector<std::string>& written) const override;
  /// The manually installed packages, each {name, ensure: present}.
  Result<Value> seed_state(PluginContext& ctx, const Value& live,
                           std::vector<std::string>& written) const override;
  Result<AdoptSummary> adopt(PluginContext& ctx, const Value& live, const Value* base,
                             Value& desired) const override;
  Result<PluginPlan> plan(const PlanInput& input) const override;
  ActionOutcome apply(const Action& action, ApplyContext& ctx) const override;
  std::vector<Action> undo(const Action& done, const ActionOutcome& /*outcome*/,
                           std::vector<std::string>& cannot) const override {
    return undo_package_action(done, cannot);
  }
  std::vector<ActionOutcome> apply_batch(std::span<const Action> actions,
                                         ApplyContext& ctx) const override;
  /// Selectors are package names; none: every package state/ names, and every manually
  /// installed one.
  Result<AdoptSummary> adopt_named(PluginContext& ctx, const Value& live,
                                   const std::vector<std::string>& selectors,
                                   Value& desired) const override;
  std::vector<SchemaProblem> check_state(const Value& desired, const Config& config,
                                         const WorkTree& tree) const override;
};

} // namespace twin::packages
