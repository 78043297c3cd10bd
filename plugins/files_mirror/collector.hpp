// SPDX-License-Identifier: MIT
// The files.mirror collector: walks every filesystem root below the system root and keeps
// live/filesystem/ equal to what it finds.
//
// For each path it records type, mode, owner and group (by name as the root's passwd and
// group files say, the number otherwise); for regular files size and sha256, and the bytes
// go to live/filesystem/<path> (only when they changed); symlinks keep their target and are
// never followed; sockets, FIFOs and devices are recorded as skipped. Files over the size
// limit keep no content. An unreadable file or directory is reported and the walk goes on.
#pragma once

#include <string>
#include <vector>

#include "core/plugin.hpp"
#include "plugins/files_mirror/file_entry.hpp"

namespace twin::files {

struct CollectResult {
  std::vector<FileEntry> entries; // sorted by path
};

/// `repo_logical`: the twin repository's own location as a logical path below the root,
/// when it lies inside a mirrored tree (it is never mirrored into itself); empty otherwise.
Result<CollectResult> collect_files(PluginContext& ctx, const std::string& repo_logical,
                                    std::vector<std::string>& written);

} // namespace twin::files
