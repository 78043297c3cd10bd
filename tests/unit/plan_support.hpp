// SPDX-License-Identifier: MIT
// Helpers for the planner tests of every plugin.
#pragma once

#include <string>
#include <vector>

#include "core/plugin.hpp"

namespace twin_test {

/// The ids of a plugin plan's actions, in order.
inline std::vector<std::string> ids(const twin::PluginPlan& plan) {
  std::vector<std::string> out;
  for (const auto& a : plan.actions)
    out.push_back(a.id);
  return out;
}

} // namespace twin_test
