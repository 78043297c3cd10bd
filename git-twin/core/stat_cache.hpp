// SPDX-License-Identifier: MIT
// A stat cache of sha256 digests: git's index idea. A file whose inode, size, mtime and ctime
// are unchanged is not read again. This is what makes a snapshot or a plan of an unchanged
// 20,000-file tree cost a stat walk instead of reading every file. Two users:
//   - files.mirror (<git-dir>/twin/files.cache): files on the machine, also keyed on their
//     copy in live/filesystem (so a copy changed by a checkout is rewritten);
//   - planning (<git-dir>/twin/desired.cache): the desired contents under filesystem/.
//
// Racy entries (modified within two seconds before the file was read, or before the cache
// is saved, when a same-tick change could keep the stat identical) are not stored, so they
// are always re-read.
//
// The file is saved sorted by path; loading only indexes where each entry starts (one pass,
// no parsing, no allocation per entry), and an entry is parsed when it is looked up. A
// snapshot of an unchanged 20,000-file tree otherwise spent 20 ms parsing the whole cache.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
  /// Keeps `entry` for the next run, unless it is racy for a file read at `read_ns` (the
  /// wall clock, in ns, taken before the read): a change in the same timestamp tick as its
  /// mtime, after the read, could have left the stat as recorded. Only what is recorded in
  /// a run is saved.
  void record(std::string_view logical, const CacheEntry& entry, std::int64_t read_ns);

private:
  // The loaded entry at `index`, parsed on first use; null when its line is damaged.
  const CacheEntry* parsed(std::size_t index);
  std::string_view path_at(std::size_t index) const;
  // The index of `logical` among the loaded entries, or npos.
  std::size_t find(std::string_view logical) const;

  std::uint64_t m_max_file_size = 0;
  // The file as loaded (a unique_ptr, so moving the cache never moves the text), where each
  // entry starts, sorted by path, and per entry: kept (recorded again, unchanged, in this
  // run) and where its parsed form is in m_parsed (-1: not parsed yet).
  std::unique_ptr<std::string> m_loaded_text = std::make_unique<std::string>();
  std::vector<std::uint32_t> m_starts, m_lengths; // of each entry's path
  std::vector<char> m_kept;
  std::vector<std::int32_t> m_slot;
  std::deque<std::optional<CacheEntry>> m_parsed;           // nullopt: a damaged line
  std::map<std::string, CacheEntry, std::less<>> m_changed; // recorded this run, not as loaded
};

} // namespace twin
