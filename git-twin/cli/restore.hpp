// SPDX-License-Identifier: MIT
// Bringing the desired state of an earlier commit onto the current branch (restore, and
// apply on a detached HEAD).
#pragma once

#include <string>

#include "cli/session.hpp"

namespace twin::cli {

/// Replaces state/ and filesystem/ with those of `commit` and commits that on the current
/// branch ("git twin restore <label>"). Nothing else in the tree changes.
Status restore_desired(Session& s, const std::string& commit, const std::string& label);

} // namespace twin::cli
