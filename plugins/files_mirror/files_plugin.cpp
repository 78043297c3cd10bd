// SPDX-License-Identifier: MIT
#include "plugins/files_mirror/files_plugin.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/ranges.h>

#include "core/sha256.hpp"
#include "plugins/files_mirror/adoption.hpp"
#include "plugins/files_mirror/collector.hpp"
#include "plugins/files_mirror/file_entry.hpp"
#include "plugins/plugin_schema.hpp"

namespace twin::files {
namespace {

constexpr std::string_view k_live_tree = "live/filesystem";

// The twin repository's own location as a logical path below the root, if it is there.
std::string repo_logical_path(const PluginContext& ctx) {
  const std::string& root = ctx.root.physical();
  const std::string& repo = ctx.tree.dir();
  if (root == "/")
    return repo;
  if (repo.size() > root.size() && repo.compare(0, root.size(), root) == 0 &&
      repo[root.size()] == '/')
    return repo.substr(root.size());
  return {};
}

// Copies the observed bytes of `logical` into the desired tree at `twin_path`.
Status copy_to_desired(PluginContext& ctx, const std::string& logical, const std::string& twin_path,
                       std::vector<std::string>& written) {
  auto content = TWIN_TRY(ctx.tree.read(mirror_path(k_live_tree, logical)));
  if (!content)
    return fail("observed copy of '{}' is missing from {}", logical, k_live_tree);
  if (TWIN_TRY(ctx.tree.write_if_changed(twin_path, *content)))
    written.push_back(twin_path);
  return {};
}

bool adoptable(const FileEntry& e) {
  return !e.skipped() && e.content != Content::unreadable;
}

// The desired item for an observed entry, keeping the shape the owner chose: a field they
// left out stays unmanaged, a custom twin_path stays where it is.
Value adopted_item(const FileEntry& live, const DesiredFile* previous) {
  Value item = desired_value(live);
  if (!previous)
    return item;
  auto& map = item.as_map();
  if (!previous->mode)
    map.erase("mode");
  if (!previous->owner)
    map.erase("owner");
  if (!previous->group)
    map.erase("group");
  if (previous->twin_path && map.count("twin_path"))
    map["twin_path"] = *previous->twin_path;
  return item;
}

Value& files_list(Value& document) {
  Value& list = document["files"];
  if (!list.is_list())
    list = Value::list();
  return list;
}

} // namespace

const Value& FilesMirror::live_schema() const {
  return *plugins::plugin_schema("files_mirror").find("live");
}

const Value* FilesMirror::state_schema() const {
  return plugins::plugin_schema("files_mirror").find("state");
}

Result<Value> FilesMirror::collect(PluginContext& ctx, std::vector<std::string>& written) const {
  CollectResult result = TWIN_TRY(collect_files(ctx, repo_logical_path(ctx), written));
  Value document;
  Value& list = files_list(document);
  list.as_list().reserve(result.entries.size());
  for (const auto& e : result.entries)
    list.push_back(live_value(e));
  return document;
}

Result<Value> FilesMirror::seed_state(PluginContext& ctx, const Value& live,
                                      std::vector<std::string>& written) const {
  Value document;
  Value& list = files_list(document);
  for (const FileEntry& e : TWIN_TRY(live_entries(live))) {
    if (!adoptable(e))
      continue;
    Value item = desired_value(e);
    if (const Value* twin_path = item.find("twin_path"))
      TWIN_CHECK(copy_to_desired(ctx, e.path, twin_path->as_string(), written));
    list.push_back(std::move(item));
  }
  return document;
}

Result<AdoptSummary> FilesMirror::adopt(PluginContext& ctx, const Value& live_doc,
                                        const Value* base_doc, Value& desired_doc) const {
  std::vector<FileEntry> live = TWIN_TRY(live_entries(live_doc));
  std::vector<FileEntry> base;
  if (base_doc)
    base = TWIN_TRY(live_entries(*base_doc));
  std::vector<DesiredFile> desired = TWIN_TRY(desired_entries(desired_doc));

  // Reading a twin_path can fail (a symlink in the repository); such content counts as
  // missing, which makes the path a conflict rather than an adoption.
  ContentDigest digest = [&](const std::string& twin_path) -> std::optional<std::string> {
    auto content = ctx.tree.read(twin_path);
    if (!content || !*content)
      return std::nullopt;
    return sha256_hex(**content);
  };
  auto decisions = decide_adoption(live, base, desired, digest);

  AdoptSummary summary;
  Value::List& items = files_list(desired_doc).as_list();
  std::set<std::size_t> removed;
  for (const auto& d : decisions) {
    const DesiredFile* previous =
        d.kind == AdoptDecision::Kind::add ? nullptr : &desired[d.desired_index];
    switch (d.kind) {
    case AdoptDecision::Kind::add:
    case AdoptDecision::Kind::replace: {
      Value item = adopted_item(*d.live, previous);
      if (const Value* twin_path = item.find("twin_path"))
        TWIN_CHECK(copy_to_desired(ctx, d.path, twin_path->as_string(), summary.written));
      if (previous)
        items[d.desired_index] = std::move(item);
      else
        items.push_back(std::move(item));
      summary.adopted.push_back(d.path);
      break;
    }
    case AdoptDecision::Kind::remove:
      removed.insert(d.desired_index);
      if (previous->twin_path) {
        TWIN_CHECK(ctx.tree.remove(*previous->twin_path));
        summary.written.push_back(*previous->twin_path);
      }
      summary.adopted.push_back(d.path);
      break;
    case AdoptDecision::Kind::conflict:
      summary.conflicts.push_back(d.path);
      break;
    }
  }

  if (!summary.adopted.empty()) {
    Value::List kept;
    kept.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i)
      if (!removed.count(i))
        kept.push_back(std::move(items[i]));
    std::stable_sort(kept.begin(), kept.end(), [](const Value& a, const Value& b) {
      return a.get_string("path") < b.get_string("path");
    });
    items = std::move(kept);
  }
  return summary;
}

std::vector<SchemaProblem> FilesMirror::check_state(const Value& desired, const Config& config,
                                                    const WorkTree& tree) const {
  std::vector<SchemaProblem> problems;
  const Value* list = desired.find("files");
  if (!list || !list->is_list())
    return problems;
  std::map<std::string, int, std::less<>> seen;
  for (size_t i = 0; i < list->as_list().size(); ++i) {
    const Value& item = list->as_list()[i];
    std::string pointer = fmt::format("/files/{}", i);
    auto problem = [&](std::string field, std::string message) {
      const Value* node = field.empty() ? &item : item.find(field);
      problems.push_back(SchemaProblem{field.empty() ? pointer : pointer + "/" + field,
                                       node ? node->mark : item.mark, std::move(message)});
    };
    std::string path = item.get_string("path");
    if (auto ok = check_logical_path(path); !ok) {
      problem("path", ok.error().message);
      continue;
    }
    bool inside = std::any_of(
        config.filesystem_roots.begin(), config.filesystem_roots.end(), [&](const std::string& r) {
          return path == r || (path.size() > r.size() && path.compare(0, r.size(), r) == 0 &&
                               path[r.size()] == '/');
        });
    if (!inside)
      problem("path", fmt::format("'{}' is outside filesystem_roots ({})", path,
                                  fmt::join(config.filesystem_roots, ", ")));
    if (auto [it, fresh] = seen.emplace(path, item.mark.line); !fresh)
      problem("path", fmt::format("'{}' is listed twice (first at line {})", path, it->second));
    bool absent = item.get_string("ensure", "present") == "absent";
    std::string type = item.get_string("type");
    if (const Value* tp = item.find("twin_path"); tp && tp->is_string()) {
      const std::string& twin_path = tp->as_string();
      if (auto ok = check_repo_path(twin_path); !ok || twin_path.rfind("filesystem/", 0) != 0) {
        problem("twin_path", fmt::format("'{}' must be a path inside filesystem/", twin_path));
      } else if (!absent) {
        if (type != "file")
          problem("twin_path", "only a file has a twin_path");
        auto st = tree.stat(twin_path);
        if (!st)
          problem("twin_path", st.error().message);
        else if (!*st)
          problem("twin_path", fmt::format("'{}' does not exist in the twin", twin_path));
        else if ((*st)->type != FileType::file)
          problem("twin_path", fmt::format("'{}' is not a regular file", twin_path));
      }
    }
    if (!absent && type == "symlink" && !item.find("target"))
      problem("", "a symlink needs a target");
    if (!absent && type != "symlink" && item.find("target"))
      problem("target", "only a symlink has a target");
  }
  return problems;
}

} // namespace twin::files
