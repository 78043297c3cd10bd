// SPDX-License-Identifier: MIT
// Directory listings remembered by the directory's stat: git's untracked-cache idea.
//
// Why: a snapshot of an unchanged tree lists every directory twice (the machine's and its
// copy in live/filesystem), and on ext4 reading a directory with an htree index sorts all
// its names by hash first: 12% of a no-change snapshot of 20,000 files. Creating, removing
// or renaming an entry changes the directory's mtime and ctime (the ctime cannot be set
// back), so a directory whose inode, mtime and ctime are those recorded with a listing
// still holds the same names; only their stat is taken again. What a name is (file,
// directory, its content) is not cached here.
//
// Racy listings are not kept: one whose directory changed less than two seconds before it
// was read, when a change in the same timestamp tick could leave the stat as it was.
//
// The file ($GIT_DIR/twin/listings.cache) is saved sorted by key and only when something
// differs from what was loaded, so a no-change snapshot writes nothing.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/system_root.hpp"

namespace twin {

class ListingCache {
public:
  /// Loads the cache; a missing or damaged file gives an empty one.
  static ListingCache load(const std::string& path);
  /// Writes atomically when anything changed; failures are ignored (only an accelerator).
  void save(const std::string& path) const;

  /// The names the directory `key` held when it had `dir` as its stat, sorted by name as
  /// Dir::entries() sorts them; nullptr when not known for that stat. A hit is kept for the
  /// next run. Safe from several threads at once, also while one of them records.
  const std::vector<std::string_view>* lookup(std::string_view key, const FileStat& dir);
  /// Keeps the listing `entries` of the directory `key`, whose stat was `dir` before it
  /// was listed at `listed_ns` (the wall clock, in ns); racy ones are not kept. One thread
  /// at a time.
  void record(std::string_view key, const FileStat& dir, std::int64_t listed_ns,
              const std::vector<Dir::Entry>& entries);

private:
  struct Listing {
    std::uint64_t inode = 0;
    std::int64_t mtime_ns = 0, ctime_ns = 0;
    std::vector<std::string_view> names; // into m_text, or into `owned` when recorded
    std::shared_ptr<std::vector<std::string>> owned;
  };
  // Appends `key` and its listing as save() writes them.
  static void append(std::string& text, std::string_view key, const Listing& listing);

  std::unique_ptr<std::string> m_text = std::make_unique<std::string>(); // the file as loaded
  std::vector<std::string_view> m_keys;                                  // sorted
  std::vector<Listing> m_loaded;                                         // per key
  std::unique_ptr<char[]> m_kept; // per key: looked up and still valid (written by threads)
  std::map<std::string, Listing, std::less<>> m_recorded;
};

} // namespace twin
