// SPDX-License-Identifier: MIT
#include "plugins/files_mirror/files_plugin.hpp"
#include "plugins/files_mirror/undo.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include <fmt/ranges.h>

#include "core/parallel.hpp"
#include "core/sha256.hpp"
#include "plugins/files_mirror/account_names.hpp"
#include "plugins/files_mirror/adoption.hpp"
#include "plugins/files_mirror/collector.hpp"
#include "plugins/files_mirror/file_entry.hpp"
#include "plugins/files_mirror/planner.hpp"
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
// The bytes come from live/filesystem when this run recorded them there, else straight
// from the machine (adopt observes without writing live/ first).
Status copy_to_desired(PluginContext& ctx, const std::string& logical, const std::string& twin_path,
                       std::vector<std::string>& written) {
  std::optional<std::string> content;
  if (ctx.record)
    content = TWIN_TRY(ctx.tree.read(mirror_path(k_live_tree, logical)));
  else
    content = TWIN_TRY(ctx.root.read_file(logical));
  if (!content)
    return fail("observed copy of '{}' is missing from {}", logical, k_live_tree);
  if (TWIN_TRY(ctx.tree.write_if_changed(twin_path, *content)))
    written.push_back(twin_path);
  return {};
}

// copy_to_desired for each (twin_path, logical path), in parallel; `written` gets the
// twin_paths that changed, in twin_path order.
Status copy_all_to_desired(PluginContext& ctx, const std::map<std::string, std::string>& copies,
                           std::vector<std::string>& written) {
  std::vector<std::pair<std::string, std::string>> jobs(copies.begin(), copies.end());
  std::vector<std::vector<std::string>> wrote(jobs.size());
  TWIN_CHECK(parallel_for_each(jobs.size(), [&](std::size_t i) {
    return copy_to_desired(ctx, jobs[i].second, jobs[i].first, wrote[i]);
  }));
  for (auto& w : wrote)
    written.insert(written.end(), w.begin(), w.end());
  return {};
}

// An item's path, without a copy ("" when it has none: the schema requires one).
std::string_view path_of(const Value& item) {
  const Value* path = item.find("path");
  return path && path->is_string() ? std::string_view(path->as_string()) : std::string_view();
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

Result<LiveObservation> FilesMirror::collect(PluginContext& ctx,
                                             std::vector<std::string>& written) const {
  CollectResult result = TWIN_TRY(collect_files(ctx, repo_logical_path(ctx), written));
  auto entries = std::make_shared<std::vector<FileEntry>>(std::move(result.entries));
  return LiveObservation::lazy(live_fingerprint(*entries), entries->size(), [entries] {
    Value document;
    Value& list = files_list(document);
    list.as_list().reserve(entries->size());
    for (const auto& e : *entries)
      list.push_back(live_value(e));
    return document;
  });
}

Result<Value> FilesMirror::seed_state(PluginContext& ctx, const Value& live,
                                      std::vector<std::string>& written) const {
  Value document;
  Value& list = files_list(document);
  std::map<std::string, std::string> copies; // twin_path -> logical path
  for (const FileEntry& e : TWIN_TRY(live_entries(live))) {
    if (!adoptable(e))
      continue;
    Value item = desired_value(e);
    if (const Value* twin_path = item.find("twin_path"))
      copies[twin_path->as_string()] = e.path;
    list.push_back(std::move(item));
  }
  TWIN_CHECK(copy_all_to_desired(ctx, copies, written));
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
  // Copies into filesystem/ are made after the decisions, on several threads: adopting a
  // whole new tree copies thousands of files. Keyed by twin_path: should two entries share
  // one, the last decision's copy wins, as it would one after the other.
  std::map<std::string, std::string> copies; // twin_path -> logical path
  for (const auto& d : decisions) {
    const DesiredFile* previous =
        d.kind == AdoptDecision::Kind::add ? nullptr : &desired[d.desired_index];
    switch (d.kind) {
    case AdoptDecision::Kind::add:
    case AdoptDecision::Kind::replace: {
      Value item = adopted_item(*d.live, previous);
      if (const Value* twin_path = item.find("twin_path")) {
        // A directory of desired files in the way (the twin wants /etc/x/ to hold files,
        // the machine has a file /etc/x): both sides differ, which is a conflict.
        auto in_the_way = TWIN_TRY(ctx.tree.stat(twin_path->as_string()));
        if (in_the_way && in_the_way->type == FileType::directory) {
          summary.conflicts.push_back(d.path);
          break;
        }
        copies[twin_path->as_string()] = d.path;
      }
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
        copies.erase(*previous->twin_path); // a copy decided before goes, as it used to
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

  TWIN_CHECK(copy_all_to_desired(ctx, copies, summary.written));

  if (!summary.adopted.empty()) {
    Value::List kept;
    kept.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i)
      if (!removed.count(i))
        kept.push_back(std::move(items[i]));
    // Usually in order already (additions come in path order after the kept items of a
    // first snapshot, which are none); the check is cheaper than a sort that copies both
    // paths at every comparison.
    auto by_path = [](const Value& a, const Value& b) { return path_of(a) < path_of(b); };
    if (!std::is_sorted(kept.begin(), kept.end(), by_path))
      std::stable_sort(kept.begin(), kept.end(), by_path);
    items = std::move(kept);
  }
  return summary;
}

Result<PluginPlan> FilesMirror::plan(const PlanInput& input) const {
  std::vector<DesiredFile> desired = TWIN_TRY(desired_entries(input.desired));
  std::vector<FileEntry> live = TWIN_TRY(live_entries(input.live));
  std::optional<std::vector<FileEntry>> base;
  if (input.base)
    base = TWIN_TRY(live_entries(*input.base));
  return plan_files(desired, live, base ? &*base : nullptr, input.desired_content, input.prefer);
}

namespace {

ActionOutcome failed(std::string message) {
  return {ActionOutcome::Status::failed, std::move(message), {}};
}

std::uint32_t parse_mode(const std::string& text) {
  return static_cast<std::uint32_t>(std::stoul(text, nullptr, 8));
}

// Owner and group names as the root knows them (read per action: an earlier action of the
// same apply may have changed /etc/passwd).
Result<std::pair<std::uint32_t, std::uint32_t>> owner_ids(const SystemRoot& root,
                                                          const Value& fields) {
  auto names = AccountNames::of_root(root);
  // (uint32_t)-1 leaves the owner or group as the process creates it.
  std::uint32_t uid = static_cast<std::uint32_t>(-1), gid = static_cast<std::uint32_t>(-1);
  if (const Value* user = fields.find("owner")) {
    auto id = names.uid(user->as_string());
    if (!id)
      return fail("user '{}' does not exist on the machine", user->as_string());
    uid = *id;
  }
  if (const Value* group_name = fields.find("group")) {
    auto id = names.gid(group_name->as_string());
    if (!id)
      return fail("group '{}' does not exist on the machine", group_name->as_string());
    gid = *id;
  }
  return std::pair{uid, gid};
}

ActionOutcome done_with(Result<std::string> backup) {
  if (!backup)
    return failed(backup.error().message);
  ActionOutcome outcome;
  if (!backup->empty())
    outcome.backups.push_back(*backup);
  return outcome;
}

// Puts a backup's content (or link target), mode and owner back at `path`; the backup
// stays, and what it replaces is backed up in turn.
ActionOutcome restore_backup(ApplyContext& ctx, const std::string& path,
                             const std::string& backup) {
  if (!is_backup_of(backup, path))
    return failed(fmt::format("'{}' is not a backup of {}", backup, path));
  auto st = ctx.root.lstat(backup);
  if (!st)
    return failed(st.error().message);
  if (st->type == FileType::symlink) {
    auto target = ctx.root.read_link(backup);
    if (!target)
      return failed(target.error().message);
    return done_with(ctx.root.write_symlink(path, *target, st->uid, st->gid, ctx.backup_stamp));
  }
  if (st->type != FileType::file)
    return failed(
        fmt::format("{} is a {}, not a file or symlink", backup, file_type_name(st->type)));
  auto content = ctx.root.read_file(backup);
  if (!content)
    return failed(content.error().message);
  return done_with(
      ctx.root.write_file(path, *content, st->mode, st->uid, st->gid, ctx.backup_stamp));
}

} // namespace

std::vector<Action> FilesMirror::undo(const Action& done, const ActionOutcome& outcome,
                                      std::vector<std::string>& cannot) const {
  return undo_file_action(done, outcome, cannot);
}

ActionOutcome FilesMirror::apply(const Action& action, ApplyContext& ctx) const {
  const Value& f = action.fields;
  std::string path = f.get_string("path");
  if (auto ok = check_logical_path(path); !ok)
    return failed(ok.error().message);

  if (action.op == "remove")
    return done_with(ctx.root.remove(path, ctx.backup_stamp));
  if (action.op == "restore_backup")
    return restore_backup(ctx, path, f.get_string("backup"));
  if (action.op == "set_attributes") {
    std::optional<std::uint32_t> mode, uid, gid;
    if (const Value* m = f.find("mode"))
      mode = parse_mode(m->as_string());
    if (f.find("owner") || f.find("group")) {
      auto ids = owner_ids(ctx.root, f);
      if (!ids)
        return failed(ids.error().message);
      if (f.find("owner"))
        uid = ids->first;
      if (f.find("group"))
        gid = ids->second;
    }
    auto changed = ctx.root.set_attributes(path, mode, uid, gid);
    return changed ? ActionOutcome{} : failed(changed.error().message);
  }

  auto ids = owner_ids(ctx.root, f);
  if (!ids)
    return failed(ids.error().message);
  auto [uid, gid] = *ids;
  if (action.op == "create_directory") {
    auto made = ctx.root.make_directory(path, parse_mode(f.get_string("mode", "0755")), uid, gid);
    return made ? ActionOutcome{} : failed(made.error().message);
  }
  if (action.op == "create_symlink")
    return done_with(
        ctx.root.write_symlink(path, f.get_string("target"), uid, gid, ctx.backup_stamp));
  if (action.op == "write_file") {
    std::string from = f.get_string("from");
    auto content = ctx.tree.read(from);
    if (!content)
      return failed(content.error().message);
    if (!*content)
      return failed(fmt::format("'{}' is missing from the twin", from));
    // The plan pinned the content; anything else would apply what nobody reviewed.
    if (sha256_hex(**content) != f.get_string("sha256"))
      return failed(fmt::format("'{}' changed since the plan was made; run 'git twin plan'", from));
    return done_with(ctx.root.write_file(path, **content, parse_mode(f.get_string("mode", "0644")),
                                         uid, gid, ctx.backup_stamp));
  }
  return failed(fmt::format("unknown files.mirror operation '{}'", action.op));
}

Result<AdoptSummary> FilesMirror::adopt_named(PluginContext& ctx, const Value& live_doc,
                                              const std::vector<std::string>& selectors,
                                              Value& desired_doc) const {
  auto selected = [&](const std::string& path) {
    if (selectors.empty())
      return true;
    return std::any_of(selectors.begin(), selectors.end(),
                       [&](const std::string& s) { return path_is_within(s, path); });
  };
  std::map<std::string, FileEntry, std::less<>> live;
  for (auto& e : TWIN_TRY(live_entries(live_doc)))
    if (selected(e.path))
      live.emplace(e.path, std::move(e));
  Value::List& items = files_list(desired_doc).as_list();
  std::vector<DesiredFile> desired = TWIN_TRY(desired_entries(desired_doc));

  // Every name must match something before anything is written.
  for (const auto& s : selectors) {
    bool observed = std::any_of(live.begin(), live.end(),
                                [&](const auto& entry) { return path_is_within(s, entry.first); });
    bool wanted = std::any_of(desired.begin(), desired.end(),
                              [&](const DesiredFile& d) { return path_is_within(s, d.path); });
    if (!observed && !wanted)
      return fail("nothing is observed or desired at '{}'", s);
  }

  std::set<std::string> matched;
  AdoptSummary summary;
  Value::List kept;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const DesiredFile& d = desired[i];
    if (!selected(d.path)) {
      kept.push_back(std::move(items[i]));
      continue;
    }
    matched.insert(d.path);
    auto l = live.find(d.path);
    if (l == live.end() || !adoptable(l->second)) {
      if (l == live.end()) { // gone from the machine: gone from desired too
        if (d.twin_path) {
          TWIN_CHECK(ctx.tree.remove(*d.twin_path));
          summary.written.push_back(*d.twin_path);
        }
        summary.adopted.push_back(d.path);
      } else {
        kept.push_back(std::move(items[i]));
      }
      continue;
    }
    Value item = adopted_item(l->second, &d);
    if (const Value* twin_path = item.find("twin_path"))
      TWIN_CHECK(copy_to_desired(ctx, d.path, twin_path->as_string(), summary.written));
    if (!(item == items[i]))
      summary.adopted.push_back(d.path);
    kept.push_back(std::move(item));
  }
  for (const auto& [path, entry] : live) {
    if (matched.count(path) || !adoptable(entry))
      continue;
    matched.insert(path);
    Value item = adopted_item(entry, nullptr);
    if (const Value* twin_path = item.find("twin_path"))
      TWIN_CHECK(copy_to_desired(ctx, path, twin_path->as_string(), summary.written));
    kept.push_back(std::move(item));
    summary.adopted.push_back(path);
  }
  std::stable_sort(kept.begin(), kept.end(), [](const Value& a, const Value& b) {
    return a.get_string("path") < b.get_string("path");
  });
  items = std::move(kept);
  return summary;
}

std::vector<SchemaProblem> FilesMirror::check_state(const Value& desired, const Config& config,
                                                    const WorkTree& tree) const {
  std::vector<SchemaProblem> problems;
  const Value* list = desired.find("files");
  if (!list || !list->is_list())
    return problems;
  std::map<std::string, int, std::less<>> seen;
  auto max_size = static_cast<std::uint64_t>(config.max_file_size_mb * 1024 * 1024);
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
    bool inside = std::any_of(config.filesystem_roots.begin(), config.filesystem_roots.end(),
                              [&](const std::string& r) { return path_is_within(r, path); });
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
        else if ((*st)->size > max_size)
          // Apply would read it whole and write it, yet snapshot records only the size of a
          // file this big: the machine could never be seen to match, a conflict forever.
          problem("twin_path",
                  fmt::format("'{}' is {} bytes, over snapshot.max_file_size_mb ({} MB)", twin_path,
                              (*st)->size, config.max_file_size_mb));
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
