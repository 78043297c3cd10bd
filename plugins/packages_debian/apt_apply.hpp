// SPDX-License-Identifier: MIT
// packages.debian's apply: a run of install actions, or of remove actions, carried out with
// apt-get (apt_get.hpp) below the root, one outcome per action.
//
// Every name and version is checked again (the plan file could have been edited). Then
// apt-get simulates the run (-s) and the run is refused, before anything changes, when apt
// would do something nobody reviewed:
//   - choose packages by regex, glob or virtual name ("Note, selecting ...");
//   - remove a package during an install, or install one during a removal;
//   - remove a package the plan does not name (what depends on a removed package).
// A package apt cannot find fails alone: the others are simulated again without it. After
// the real run, dpkg's database is read again and each package is judged by what it says.
// Downgrades are allowed only when a pinned version is older than the installed one.
#pragma once

#include <span>
#include <vector>

#include "core/plugin.hpp"

namespace twin::packages {

/// `actions`: all "install" or all "remove" (packages.debian/<op>/<name>).
std::vector<ActionOutcome> apply_with_apt(std::span<const Action> actions, ApplyContext& ctx);

} // namespace twin::packages
