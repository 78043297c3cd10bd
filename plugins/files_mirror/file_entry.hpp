// SPDX-License-Identifier: MIT
// The files.mirror resource model: one entry per path, in its live form
// (live/files.yaml, what the machine has) and its desired form (state/files.yaml).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/system_root.hpp"
#include "core/value.hpp"

namespace twin::files {

/// Where the bytes of a regular file went in live/filesystem.
enum class Content {
  stored,     // copied to live/filesystem/<path>
  too_large,  // over snapshot.max_file_size_mb: only size and metadata are recorded
  unreadable, // could not be read (reported at snapshot)
  none,       // not a regular file
};

/// One observed path.
struct FileEntry {
  std::string path; // logical, absolute
  FileType type = FileType::unknown;
  std::string mode; // four octal digits: "0644", "4755"
  std::string owner;
  std::string group;
  std::uint64_t size = 0; // regular files
  std::string sha256;     // regular files with Content::stored
  std::string target;     // symlinks
  Content content = Content::none;

  bool skipped() const; // sockets, FIFOs, devices: recorded, never managed
};

/// One desired path (an item of state/files.yaml).
struct DesiredFile {
  std::string path;
  bool absent = false; // ensure: absent
  std::optional<FileType> type;
  std::optional<std::string> mode, owner, group;
  std::optional<std::string> twin_path; // content of a regular file, repository-relative
  std::optional<std::string> target;    // symlinks
  std::optional<std::string> sha256;    // informational; the content at twin_path is the truth
  Mark mark;
};

/// What the sync model compares for one path. Fields the desired entry leaves out are
/// unmanaged and projected away (std::nullopt) on every side before comparing.
struct FileFacts {
  FileType type = FileType::unknown;
  std::optional<std::string> mode, owner, group;
  std::optional<std::string> content; // sha256 of the bytes
  std::optional<std::string> target;
  friend bool operator==(const FileFacts&, const FileFacts&) = default;
};

std::string format_mode(std::uint32_t mode);
/// "filesystem/etc/motd" for "/etc/motd" (tree = "filesystem" or "live/filesystem").
std::string mirror_path(std::string_view tree, std::string_view logical);

Value live_value(const FileEntry& entry);
/// A digest of everything live_value records of `entries`: equal fingerprints give equal
/// live documents (LiveObservation::lazy).
std::string live_fingerprint(const std::vector<FileEntry>& entries);
/// Reads a live/files.yaml item (a document we wrote; unexpected shapes are errors).
Result<FileEntry> entry_from_live(const Value& item);
/// The state item that makes `entry` the desired state (twin_path in filesystem/).
Value desired_value(const FileEntry& entry);
Result<DesiredFile> desired_from_value(const Value& item);

/// Facts of an observed entry, with content taken from its sha256.
FileFacts facts_of(const FileEntry& entry);
/// What a desired entry asks for (nullopt for ensure: absent); content is the digest of its
/// twin_path as `digest` reports it ("missing:<path>" when the file is not there).
std::optional<FileFacts>
desired_facts(const DesiredFile& desired,
              const std::function<std::optional<std::string>(const std::string&)>& digest);

/// Projects `facts` onto the fields `desired` manages.
FileFacts project(FileFacts facts, const DesiredFile& desired);

/// Parses the `files` list of a live or state document into entries keyed by path.
Result<std::vector<FileEntry>> live_entries(const Value& document);
Result<std::vector<DesiredFile>> desired_entries(const Value& document);

} // namespace twin::files
