// SPDX-License-Identifier: MIT
// Is the root at hand the machine this twin describes?
//
// A few checks of desired state look at the machine (a user named in state/cron.yaml must
// exist in the root's /etc/passwd). They make sense where the twin lives, not in a clone on
// a laptop or in CI, where `validate` and the pre-commit hook check the documents only.
#pragma once

#include <string>

#include "core/work_tree.hpp"

namespace twin {

/// True when the twin has recorded no hostname yet (live/system.yaml), or when the root's
/// /etc/hostname names the host it recorded.
bool root_is_the_twins_machine(const std::string& root, const WorkTree& tree);

} // namespace twin
