// SPDX-License-Identifier: MIT
// Local drift adoption for files.mirror, as pure code: observed (live), last-sync (base)
// and desired entries in, decisions out. files_plugin.cpp carries them out.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/plugin.hpp"
#include "plugins/files_mirror/file_entry.hpp"

namespace twin::files {

struct AdoptDecision {
  enum class Kind {
    add,      // new on the machine, not in state/: append the live entry
    replace,  // changed on the machine only: desired item becomes the live entry
    remove,   // removed on the machine only: drop the desired item
    conflict, // changed on both sides, differently: leave desired alone, report
  };
  Kind kind;
  std::string path;
  std::size_t desired_index = 0; // replace, remove, conflict
  std::optional<FileEntry> live; // add, replace
};

/// Applies the sync model (core/sync.hpp) to every path whose observation moved since the
/// base. A path missing from state/ that existed at the base is unmanaged (the owner
/// dropped it) and left alone; one that is new on the machine joins the mirror. Skipped
/// and unreadable observations are never adopted. Decisions come sorted by path.
std::vector<AdoptDecision> decide_adoption(const std::vector<FileEntry>& live,
                                           const std::vector<FileEntry>& base,
                                           const std::vector<DesiredFile>& desired,
                                           const ContentDigest& desired_content);

} // namespace twin::files
