// SPDX-License-Identifier: MIT
// Undoing files.mirror actions (git twin undo): a replaced or removed path comes back from
// the backup apply kept beside it (<path>.twinbak-<stamp>, a hard link or the moved file, so
// content, mode and owner are the old ones), a created one is removed, changed attributes
// are set back from the was_mode / was_owner / was_group the action recorded. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/plan.hpp"
#include "core/plugin.hpp"

namespace twin::files {

std::vector<Action> undo_file_action(const Action& done, const ActionOutcome& outcome,
                                     std::vector<std::string>& cannot);

/// True when `backup` names a backup of `path` as apply makes them (the same directory,
/// "<name>.twinbak-" and a stamp): a restore never reads any other file, whatever an edited
/// record says.
bool is_backup_of(std::string_view backup, std::string_view path);

} // namespace twin::files
