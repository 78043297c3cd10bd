// SPDX-License-Identifier: MIT
// Storing many new blobs in one pack file instead of a loose object file each.
//
// Why: a first snapshot stores about 20,000 new blobs. As loose objects that is 20,000 files
// created in .git/objects, on top of the 40,000 copies in the work tree, and the kernel's
// work for them was a large part of the snapshot. git itself writes objects straight into a
// pack where it expects many (fast-import, and git add's bulk check-in of large files); a
// pack here is written the same way and in the same format (pack version 2, index version
// 2, see git's Documentation/gitformat-pack.txt), so every git command reads it as its own,
// and `git gc` later repacks it with the rest.
//
// The pack appears all at once: it is written under a temporary name (git gc removes
// leftover tmp_pack_* files of a run that was killed), synced, and renamed into place before
// its index, which is what makes git look at it. Until finish() no blob is in the
// repository.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <git2/oid.h>

#include "core/error.hpp"
#include "core/remove_on_signal.hpp"

namespace twin {

/// Where an object sits in a pack, as the pack's index records it.
struct PackEntry {
  git_oid id;
  std::uint64_t offset = 0; // from the start of the pack file
  std::uint32_t crc32 = 0;  // of the object's bytes in the pack (header and compressed data)
};

/// The index (version 2) of a pack holding `entries`, whose own checksum (the pack's last 20
/// bytes) is `pack_checksum`. Sorts `entries` by id. Pure: no I/O.
std::string pack_index(std::vector<PackEntry>& entries, const unsigned char (&pack_checksum)[20]);

/// A pack of blobs being written. add() may be called from several threads at once.
class BlobPack {
public:
  /// Starts a pack in `pack_dir` (a repository's objects/pack), compressing at zlib's `level`.
  static Result<std::unique_ptr<BlobPack>> start(const std::string& pack_dir, int level);
  /// Removes what was written when finish() did not complete.
  ~BlobPack();
  BlobPack(const BlobPack&) = delete;
  BlobPack& operator=(const BlobPack&) = delete;

  /// Stores `content` as a blob and returns its id (git's: SHA-1 of "blob <size>\0" and the
  /// bytes as given; no filter is applied, that is the caller's business). Bytes added
  /// before are stored once.
  Result<git_oid> add(std::string_view content);
  /// Completes the pack and its index and moves both into place. With no blob added it
  /// writes nothing. Fails when an add() failed: then no blob of this pack is stored.
  Status finish();

private:
  BlobPack(std::string pack_dir, std::string temp_path, int fd, int level);
  // Appends one object's bytes to the pack; the caller holds m_mutex.
  Status append(std::string_view bytes, const git_oid& id, std::uint32_t crc32);
  Status write_buffer();

  struct IdHash {
    std::size_t operator()(const git_oid& id) const;
  };
  struct IdEqual {
    bool operator()(const git_oid& a, const git_oid& b) const;
  };

  std::string m_pack_dir;
  std::string m_temp_path; // the pack while it is written; empty once renamed or removed
  std::string m_temp_index_path;
  // Both temporary files are removed if a signal ends the process.
  std::optional<RemoveOnSignal> m_temp_watch, m_temp_index_watch;
  int m_fd = -1;
  int m_level = 1;
  std::mutex m_mutex;                                     // guards everything below
  std::unordered_set<git_oid, IdHash, IdEqual> m_claimed; // added, or being compressed
  std::vector<PackEntry> m_entries;
  std::string m_buffer;        // object bytes not yet written to the file
  std::uint64_t m_written = 0; // bytes in the file (the header comes first)
  bool m_failed = false;
};

} // namespace twin
