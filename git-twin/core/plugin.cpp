// SPDX-License-Identifier: MIT
#include "core/plugin.hpp"

namespace twin {

Result<Value> Plugin::seed_state(PluginContext&, const Value&, std::vector<std::string>&) const {
  return fail("plugin '{}' has no desired state to seed", name());
}

Result<AdoptSummary> Plugin::adopt(PluginContext&, const Value&, const Value*, Value&) const {
  return AdoptSummary{};
}

std::vector<SchemaProblem> Plugin::check_state(const Value&, const Config&, const WorkTree&) const {
  return {};
}

} // namespace twin
