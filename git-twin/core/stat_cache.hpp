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
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/system_root.hpp"

namespace twin {

struct CacheEntry {
  std::uint64_t inode = 0, size = 0;
  std::int64_t mtime_ns = 0, ctime_ns = 0;
  std::string sha256;
  std::uint64_t copy_inode = 0; // the live/filesystem copy we wrote
  std::int64_t copy_mtime_ns = 0;
  friend bool operator==(const CacheEntry&, const CacheEntry&) = default;
};

class StatCache {
public:
  static StatCache empty(std::uint64_t max_file_size);
  /// Loads the cache; a missing, old-format or corrupt file gives an empty cache.
  static StatCache load(const std::string& path, std::uint64_t max_file_size);
  /// Writes atomically; failures are ignored (the cache is only an accelerator).
  void save(const std::string& path, std::int64_t now_ns) const;

  /// The cached digest when `source` and `copy` still match what was recorded; a hit is
  /// kept for the next run as if recorded again. With `check_copy` false (observing only,
  /// live/ untouched) the copy is not consulted.
  const CacheEntry* lookup(std::string_view logical, const FileStat& source, const FileStat* copy,
                           bool check_copy = true);
  /// Keeps `entry` for the next run. Only what is recorded in a run is saved.
  void record(std::string_view logical, const CacheEntry& entry);

private:
  struct Loaded {
    CacheEntry entry;
    bool kept = false; // recorded again, unchanged, in this run
  };
  std::uint64_t m_max_file_size = 0;
  // The file as loaded; m_entries' keys point into it (a unique_ptr, so moving the cache
  // never moves the text).
  std::unique_ptr<std::string> m_loaded_text = std::make_unique<std::string>();
  std::unordered_map<std::string_view, Loaded> m_entries;
  std::unordered_map<std::string, CacheEntry> m_changed; // recorded this run, not as loaded
};

} // namespace twin
