// SPDX-License-Identifier: MIT
// A stat cache of sha256 digests: git's index idea. A file whose inode, size, mtime and ctime
// are unchanged is not read again. This is what makes a snapshot or a plan of an unchanged
// 20,000-file tree cost a stat walk instead of reading every file. Two users:
//   - files.mirror (<git-dir>/twin/files.cache): files on the machine, also keyed on their
//     copy in live/filesystem (so a copy changed by a checkout is rewritten);
//   - planning (<git-dir>/twin/desired.cache): the desired contents under filesystem/.
//
// Racy entries (modified within the last two seconds, when a same-tick change could keep
// the stat identical) are not stored, so they are always re-read.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "core/system_root.hpp"

namespace twin {

struct CacheEntry {
  std::uint64_t inode = 0, size = 0;
  std::int64_t mtime_ns = 0, ctime_ns = 0;
  std::string sha256;
  std::uint64_t copy_inode = 0; // the live/filesystem copy we wrote
  std::int64_t copy_mtime_ns = 0;
};

class StatCache {
public:
  static StatCache empty(std::uint64_t max_file_size);
  /// Loads the cache; a missing, old-format or corrupt file gives an empty cache.
  static StatCache load(const std::string& path, std::uint64_t max_file_size);
  /// Writes atomically; failures are ignored (the cache is only an accelerator).
  void save(const std::string& path, std::int64_t now_ns) const;

  /// The cached digest when `source` and `copy` still match what was recorded. With
  /// `check_copy` false (observing only, live/ untouched) the copy is not consulted.
  const CacheEntry* lookup(const std::string& logical, const FileStat& source, const FileStat* copy,
                           bool check_copy = true) const;
  void record(const std::string& logical, CacheEntry entry) { m_next[logical] = std::move(entry); }

private:
  std::uint64_t m_max_file_size = 0;
  std::unordered_map<std::string, CacheEntry> m_entries; // as loaded
  std::unordered_map<std::string, CacheEntry> m_next;    // this run's, saved
  std::string m_loaded_text;                             // the file as loaded
};

} // namespace twin
