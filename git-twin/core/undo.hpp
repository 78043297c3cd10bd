// SPDX-License-Identifier: MIT
// git twin undo: a recorded apply (plan/history/<id>.yaml) turned back into a plan that puts
// back what it replaced. Every action that was done asks its plugin (Plugin::undo) for the
// actions that reverse it: a file comes back from its backup, a created one goes, a unit
// enabled is disabled, a package installed anew is removed. Plugins are undone in reverse
// apply order and each plugin's actions last first; what cannot be undone is listed.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/plan.hpp"
#include "core/plugin.hpp"

namespace twin {

struct UndoPlan {
  Plan plan;
  std::vector<std::string> cannot; // "<action id>: why it cannot be undone"
};

/// Pure. `record` is a parsed plan/history record; `record_text` pins the plan (its digests
/// are the record's sha256, the commit is `head`). Paths of files.mirror actions must lie in
/// the configured roots: a record is repository content, which a pull request can change.
Result<UndoPlan> plan_undo(const Value& record, std::string_view record_text,
                           std::string_view record_path, const std::string& head,
                           std::span<const Plugin* const> plugins, const Config& config);

} // namespace twin
