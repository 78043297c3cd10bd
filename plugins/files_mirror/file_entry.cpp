// SPDX-License-Identifier: MIT
#include "plugins/files_mirror/file_entry.hpp"

#include <fmt/format.h>

#include "core/sha256.hpp"
#include "core/yaml_emitter.hpp"

namespace twin::files {
namespace {

std::optional<FileType> parse_type(std::string_view name) {
  for (FileType t : {FileType::file, FileType::directory, FileType::symlink, FileType::fifo,
                     FileType::socket, FileType::char_device, FileType::block_device})
    if (file_type_name(t) == name)
      return t;
  return std::nullopt;
}

std::optional<std::string> optional_string(const Value& item, std::string_view key) {
  const Value* v = item.find(key);
  if (!v || !v->is_string())
    return std::nullopt;
  return v->as_string();
}

Error bad_item(const Value& item, std::string_view what) {
  return Error{fmt::format("line {}: {}", item.mark.line, what)};
}

} // namespace

bool FileEntry::skipped() const {
  return type != FileType::file && type != FileType::directory && type != FileType::symlink;
}

std::string format_mode(std::uint32_t mode) {
  // By hand: called for every observed path, and fmt's format parsing cost more than this.
  std::string out(4, '0');
  for (int i = 3; i >= 0; --i, mode >>= 3)
    out[static_cast<std::size_t>(i)] = static_cast<char>('0' + (mode & 07));
  return out;
}

std::string mirror_path(std::string_view tree, std::string_view logical) {
  return std::string(tree) + std::string(logical);
}

Value live_value(const FileEntry& entry) {
  Value v;
  v["path"] = entry.path;
  v["type"] = std::string(file_type_name(entry.type));
  v["mode"] = entry.mode;
  v["owner"] = entry.owner;
  v["group"] = entry.group;
  if (entry.type == FileType::file) {
    v["size"] = static_cast<std::int64_t>(entry.size);
    if (entry.content == Content::stored)
      v["sha256"] = entry.sha256;
    else if (entry.content == Content::too_large)
      v["content"] = "too_large";
    else if (entry.content == Content::unreadable)
      v["content"] = "unreadable";
  } else if (entry.type == FileType::symlink) {
    v["target"] = entry.target;
  } else if (entry.skipped()) {
    v["skipped"] = true;
  }
  return v;
}

std::string live_fingerprint(const std::vector<FileEntry>& entries) {
  // Bump the version when live_value or the emitter changes what a document looks like.
  // Fed to the digest in blocks: the whole text of 20,000 entries is megabytes of fresh
  // memory, and a snapshot of an unchanged machine computes this every time.
  Sha256Stream digest;
  std::string text = fmt::format("files.mirror live/files.yaml 1 emitter {}\n", k_emitter_format);
  constexpr std::size_t block = 64 * 1024;
  text.reserve(block + 4096);
  for (const FileEntry& e : entries) {
    if (text.size() >= block) {
      digest.update(text);
      text.clear();
    }
    for (std::string_view field :
         {std::string_view(e.path), file_type_name(e.type), std::string_view(e.mode),
          std::string_view(e.owner), std::string_view(e.group), std::string_view(e.sha256),
          std::string_view(e.target)}) {
      text += field;
      text += '\0';
    }
    text += std::to_string(e.size);
    text += static_cast<char>('0' + static_cast<int>(e.content));
    text += '\n';
  }
  digest.update(text);
  return digest.hex();
}

Result<FileEntry> entry_from_live(const Value& item) {
  FileEntry e;
  e.path = item.get_string("path");
  auto type = parse_type(item.get_string("type"));
  if (e.path.empty() || !type)
    return tl::unexpected(bad_item(item, "file entry without a valid path and type"));
  e.type = *type;
  e.mode = item.get_string("mode");
  e.owner = item.get_string("owner");
  e.group = item.get_string("group");
  if (const Value* size = item.find("size"); size && size->is_int())
    e.size = static_cast<std::uint64_t>(size->as_int());
  e.target = item.get_string("target");
  e.sha256 = item.get_string("sha256");
  std::string content = item.get_string("content");
  if (e.type != FileType::file)
    e.content = Content::none;
  else if (content == "too_large")
    e.content = Content::too_large;
  else if (content == "unreadable")
    e.content = Content::unreadable;
  else
    e.content = Content::stored;
  return e;
}

Value desired_value(const FileEntry& entry) {
  Value v;
  v["path"] = entry.path;
  v["type"] = std::string(file_type_name(entry.type));
  v["mode"] = entry.mode;
  v["owner"] = entry.owner;
  v["group"] = entry.group;
  if (entry.type == FileType::file && entry.content == Content::stored) {
    v["sha256"] = entry.sha256;
    v["twin_path"] = mirror_path("filesystem", entry.path);
  }
  if (entry.type == FileType::symlink)
    v["target"] = entry.target;
  return v;
}

Result<DesiredFile> desired_from_value(const Value& item) {
  DesiredFile d;
  d.mark = item.mark;
  d.path = item.get_string("path");
  if (d.path.empty())
    return tl::unexpected(bad_item(item, "file entry without a path"));
  d.absent = item.get_string("ensure", "present") == "absent";
  if (const Value* type = item.find("type"); type && type->is_string())
    d.type = parse_type(type->as_string());
  d.mode = optional_string(item, "mode");
  d.owner = optional_string(item, "owner");
  d.group = optional_string(item, "group");
  d.twin_path = optional_string(item, "twin_path");
  d.target = optional_string(item, "target");
  d.sha256 = optional_string(item, "sha256");
  return d;
}

FileFacts facts_of(const FileEntry& entry) {
  FileFacts f;
  f.type = entry.type;
  f.mode = entry.mode;
  f.owner = entry.owner;
  f.group = entry.group;
  if (entry.type == FileType::file)
    f.content =
        entry.content == Content::stored ? entry.sha256 : "size:" + std::to_string(entry.size);
  if (entry.type == FileType::symlink)
    f.target = entry.target;
  return f;
}

std::optional<FileFacts>
desired_facts(const DesiredFile& d,
              const std::function<std::optional<std::string>(const std::string&)>& digest) {
  if (d.absent)
    return std::nullopt;
  FileFacts f;
  f.type = d.type.value_or(FileType::unknown);
  f.mode = d.mode;
  f.owner = d.owner;
  f.group = d.group;
  f.target = d.target;
  if (d.twin_path)
    f.content = digest(*d.twin_path).value_or("missing:" + *d.twin_path);
  return f;
}

FileFacts project(FileFacts facts, const DesiredFile& desired) {
  if (!desired.mode)
    facts.mode.reset();
  if (!desired.owner)
    facts.owner.reset();
  if (!desired.group)
    facts.group.reset();
  if (!desired.twin_path)
    facts.content.reset();
  if (!desired.target)
    facts.target.reset();
  return facts;
}

Result<std::vector<FileEntry>> live_entries(const Value& document) {
  std::vector<FileEntry> out;
  const Value* list = document.find("files");
  if (!list || !list->is_list())
    return out;
  out.reserve(list->as_list().size());
  for (const Value& item : list->as_list())
    out.push_back(TWIN_TRY(entry_from_live(item)));
  return out;
}

Result<std::vector<DesiredFile>> desired_entries(const Value& document) {
  std::vector<DesiredFile> out;
  const Value* list = document.find("files");
  if (!list || !list->is_list())
    return out;
  out.reserve(list->as_list().size());
  for (const Value& item : list->as_list())
    out.push_back(TWIN_TRY(desired_from_value(item)));
  return out;
}

} // namespace twin::files
