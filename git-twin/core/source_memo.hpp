// SPDX-License-Identifier: MIT
// What a collector made of its source files last time, keyed by their stat: the idea of
// git's index, for collectors whose whole input is a few files (dpkg's database).
//
// A collector's fingerprint is a digest of its source files' content, which costs a full
// read and hash. When every source file has exactly the stat it had when the fingerprint
// was computed (device, inode, size, mtime and ctime to the nanosecond; dpkg replaces its
// status file by rename, so every write brings a new inode and ctime), the fingerprint and
// resource count are recalled instead. Files changed within k_racy_window_ns of being
// recorded are not recorded (a change in the same timestamp tick could keep the stat).
// The memo is an accelerator: a missing or unreadable memo means doing the full work.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>

#include "core/system_root.hpp"

namespace twin {

struct SourceFile {
  std::string path;             // as the collector names it ("/var/lib/dpkg/status")
  std::optional<FileStat> stat; // nullopt: the file does not exist
  /// The same file with the same stat (what the memo compares).
  bool operator==(const SourceFile& other) const;
};

struct SourceSummary {
  std::string fingerprint;
  std::size_t resources = 0;
};

/// The summary recorded for exactly these files with exactly these stats, by a collector of
/// the same `version` (one line of text: what the collector makes of the same files), if any.
std::optional<SourceSummary> recall_source_memo(const std::string& memo_path,
                                                std::string_view version,
                                                std::span<const SourceFile> files);

/// Records `summary` for `files`, unless one of them changed too recently to be trusted.
void keep_source_memo(const std::string& memo_path, std::string_view version,
                      std::span<const SourceFile> files, const SourceSummary& summary);

} // namespace twin
