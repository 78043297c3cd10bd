// SPDX-License-Identifier: MIT
// Directories of live/filesystem that a snapshot may trust to be as the last one left them.
//
// Why: a snapshot of an unchanged machine would otherwise lstat every copy in
// live/filesystem (as many as the machine has files) only to find each as it was written,
// and that doubles what it costs next to `git status`. A copy is replaced, not rewritten, by
// everyone who changes it (git checkout, stash and reset unlink and create it; snapshot
// renames a new file into place), and replacing changes the directory's mtime. So a mirror
// directory whose inode and mtime are those it had when a snapshot last checked every copy
// in it still holds those copies: its listing's names and types are enough.
//
// What this cannot see: a copy rewritten in place by hand (opened for writing, not
// replaced). live/ is written by snapshot only; such an edit is noticed when the machine's
// file or the directory changes. Directories changed within k_racy_window_ns of being
// checked are not trusted (a change in the same timestamp tick could keep the mtime).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/system_root.hpp"

namespace twin::files {

class MirrorDirs {
public:
  /// A missing or damaged file trusts nothing.
  static MirrorDirs load(const std::string& path);
  /// Whether the mirror directory of `logical` ("/etc/app") is as it was when checked.
  bool trusted(std::string_view logical, const FileStat& mirror_dir) const;
  /// Records that every copy in the mirror directory of `logical` was checked now.
  void record(std::string_view logical, const FileStat& mirror_dir, std::int64_t now_ns);
  /// Keeps what this run recorded (directories gone since are forgotten); written only
  /// when it differs from what was loaded.
  void save(const std::string& path) const;

private:
  struct Stamp {
    std::uint64_t inode = 0;
    std::int64_t mtime_ns = 0;
    bool operator==(const Stamp&) const = default;
  };
  std::unordered_map<std::string, Stamp> m_loaded, m_recorded;
};

} // namespace twin::files
