// SPDX-License-Identifier: MIT
// The live memo (<git-dir>/twin/live.memo): for each live/<fragment>.yaml, the fingerprint
// of the observation it was written from, the git blob id of its text and the stat of the
// file as written. When a new observation has the same fingerprint and the file still has
// that stat, the file already holds the document: a snapshot of an unchanged machine then
// neither builds, emits, writes nor hashes it.
//
// Like the stat cache, entries written within the last two seconds are not kept (a same-tick
// rewrite could keep the stat), and any damage to the file just empties the memo.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/system_root.hpp"

namespace twin {

class LiveMemo {
public:
  static LiveMemo load(const std::string& git_dir);
  /// Writes atomically when anything changed; failures are ignored (an accelerator only).
  void save(std::int64_t now_ns) const;

  /// The blob id of `path`'s text when the file, as `current` describes it, is the text last
  /// recorded for `fingerprint`.
  std::optional<std::string> blob_for(const std::string& path, const std::string& fingerprint,
                                      const FileStat& current) const;
  void record(const std::string& path, std::string fingerprint, std::string blob,
              const FileStat& written);

private:
  struct Entry {
    std::string fingerprint, blob;
    std::uint64_t inode = 0, size = 0;
    std::int64_t mtime_ns = 0, ctime_ns = 0;
  };
  std::string m_file;
  std::map<std::string, Entry> m_entries;
  bool m_changed = false;
};

} // namespace twin
