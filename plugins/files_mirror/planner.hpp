// SPDX-License-Identifier: MIT
// The files.mirror planner, as pure code: desired, live and base entries in, actions out.
//
// Per path, the sync model (core/sync.hpp) decides: desired changed -> actions that make
// the machine match; changed on the machine only -> local drift (snapshot adopts it);
// both, differently -> a conflict (or, with --prefer, one side wins). Paths not in
// state/files.yaml are unmanaged and never touched.
//
// Action ops and their fields:
//   write_file       path, from (twin_path), sha256, mode, owner, group
//   create_directory path, mode, owner, group
//   create_symlink   path, target, owner, group
//   set_attributes   path, and whichever of mode, owner, group must change
//   remove           path, type
// Creations come first, parents before children; removals last, children before parents.
// An action below a directory that is being created depends on that creation.
#pragma once

#include <vector>

#include "core/plugin.hpp"
#include "plugins/files_mirror/file_entry.hpp"

namespace twin::files {

/// `base` null: no sync point yet, the machine is taken as the base.
PluginPlan plan_files(const std::vector<DesiredFile>& desired, const std::vector<FileEntry>& live,
                      const std::vector<FileEntry>* base, const ContentDigest& desired_content,
                      Prefer prefer);

} // namespace twin::files
