// SPDX-License-Identifier: MIT
#include "plugins/files_mirror/planner.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/ranges.h>

#include "core/secret_cipher.hpp"
#include "core/sync.hpp"

namespace twin::files {
namespace {

constexpr std::string_view k_plugin = "files.mirror";

// What differs between two sides, for conflict messages (never the content itself).
std::string differences(const std::optional<FileFacts>& a, const std::optional<FileFacts>& b) {
  if (!a || !b)
    return !a ? "removed in the twin, changed on the machine"
              : "changed in the twin, removed on the machine";
  std::vector<std::string> fields;
  if (a->type != b->type)
    fields.push_back("type");
  if (a->content != b->content)
    fields.push_back("content");
  if (a->mode != b->mode)
    fields.push_back("mode");
  if (a->owner != b->owner)
    fields.push_back("owner");
  if (a->group != b->group)
    fields.push_back("group");
  if (a->target != b->target)
    fields.push_back("target");
  return fmt::format("twin and machine differ in {}", fmt::join(fields, ", "));
}

Action make_action(std::string op, const std::string& path, Action::Change change) {
  Action a;
  a.plugin = std::string(k_plugin);
  a.id = fmt::format("{}/{}/{}", k_plugin, op, path.substr(1));
  a.op = std::move(op);
  a.resource = path;
  a.change = change;
  a.fields["path"] = path;
  return a;
}

// The actions that turn `now` (may be absent) into `want` for one path.
std::vector<Action> converge(const DesiredFile& d, const FileFacts* want, const FileEntry* now,
                             const std::optional<std::string>& want_digest) {
  const std::string& path = d.path;
  std::vector<Action> out;
  if (!want) {
    if (now) {
      Action a = make_action("remove", path, Action::Change::remove);
      a.fields["type"] = std::string(file_type_name(now->type));
      out.push_back(std::move(a));
    }
    return out;
  }
  bool dir = want->type == FileType::directory;
  std::string mode = want->mode.value_or(now ? now->mode : dir ? "0755" : "0644");
  // Owner and group that state/ leaves out: what the machine has, or, for something new,
  // whoever apply runs as (nothing is chowned).
  std::optional<std::string> owner = want->owner ? want->owner
                                     : now       ? std::optional<std::string>(now->owner)
                                                 : std::nullopt;
  std::optional<std::string> group = want->group ? want->group
                                     : now       ? std::optional<std::string>(now->group)
                                                 : std::nullopt;
  auto set_owner = [&](Action& a) {
    if (owner)
      a.fields["owner"] = *owner;
    if (group)
      a.fields["group"] = *group;
  };
  Action::Change change = now ? Action::Change::modify : Action::Change::create;
  bool same_type = now && now->type == want->type;

  if (want->type == FileType::file && d.twin_path &&
      (!same_type || want->content != facts_of(*now).content)) {
    Action a = make_action("write_file", path, change);
    a.fields["from"] = *d.twin_path;
    a.fields["sha256"] = want_digest.value_or("");
    a.fields["mode"] = mode;
    set_owner(a);
    out.push_back(std::move(a));
    return out;
  }
  if (want->type == FileType::symlink && (!same_type || want->target != now->target)) {
    Action a = make_action("create_symlink", path, change);
    a.fields["target"] = want->target.value_or("");
    set_owner(a);
    out.push_back(std::move(a));
    return out;
  }
  if (dir && !same_type) {
    Action a = make_action("create_directory", path, change);
    a.fields["mode"] = mode;
    set_owner(a);
    out.push_back(std::move(a));
    return out;
  }
  if (!same_type) // a file without content to write: nothing can create it
    return out;
  // What each changed attribute was ("was_mode"...): the apply record then says how to
  // put it back (git twin undo).
  Action a = make_action("set_attributes", path, Action::Change::modify);
  if (want->mode && *want->mode != now->mode && now->type != FileType::symlink) {
    a.fields["mode"] = *want->mode;
    a.fields["was_mode"] = now->mode;
  }
  if (want->owner && *want->owner != now->owner) {
    a.fields["owner"] = *want->owner;
    a.fields["was_owner"] = now->owner;
  }
  if (want->group && *want->group != now->group) {
    a.fields["group"] = *want->group;
    a.fields["was_group"] = now->group;
  }
  if (a.fields.as_map().size() > 1)
    out.push_back(std::move(a));
  return out;
}

std::string parent_of(const std::string& path) {
  std::size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

} // namespace

PluginPlan plan_files(const std::vector<DesiredFile>& desired,
                      const std::vector<FileEntry>& live_list,
                      const std::vector<FileEntry>* base_list, const ContentDigest& digest,
                      Prefer prefer) {
  std::map<std::string, const FileEntry*, std::less<>> live, base;
  for (const auto& e : live_list)
    live.emplace(e.path, &e);
  for (const auto& e : base_list ? *base_list : live_list)
    base.emplace(e.path, &e);

  PluginPlan plan;
  // New on the machine and not in state/: snapshot will adopt it into the mirror.
  std::set<std::string, std::less<>> named;
  for (const DesiredFile& d : desired)
    named.insert(d.path);
  for (const auto& [path, e] : live)
    if (!named.count(path) && !base.count(path) && !e->skipped() &&
        e->content != Content::unreadable)
      plan.local_drift.push_back(path);

  std::vector<Action> creates, removes;
  for (const DesiredFile& d : desired) {
    auto l = live.find(d.path);
    auto b = base.find(d.path);
    const FileEntry* now_entry = l == live.end() ? nullptr : l->second;
    const FileEntry* base_entry = b == base.end() ? nullptr : b->second;
    if (now_entry && now_entry->skipped())
      continue; // sockets, FIFOs, devices are never managed
    std::optional<std::string> want_digest;
    if (d.twin_path && !d.absent)
      want_digest = digest(*d.twin_path);
    if (want_digest && is_locked_digest(*want_digest)) {
      plan.locked.push_back(d.path); // ciphertext without the key: never written anywhere
      continue;
    }
    std::optional<FileFacts> want =
        desired_facts(d, [&](const std::string&) { return want_digest; });
    std::optional<FileFacts> was, now;
    if (base_entry)
      was = project(facts_of(*base_entry), d);
    if (now_entry)
      now = project(facts_of(*now_entry), d);

    SyncCase c = classify(want, was, now);
    if (c == SyncCase::conflict) {
      if (prefer == Prefer::none || prefer == Prefer::live) {
        plan.conflicts.push_back({std::string(k_plugin), d.path, differences(want, now)});
        continue;
      }
      c = SyncCase::desired_changed;
    }
    if (c == SyncCase::live_changed)
      plan.local_drift.push_back(d.path);
    if (c != SyncCase::desired_changed)
      continue;
    for (Action& a : converge(d, want ? &*want : nullptr, now_entry, want_digest))
      (a.change == Action::Change::remove ? removes : creates).push_back(std::move(a));
  }

  // Parents before children for creations, children before parents for removals.
  std::sort(creates.begin(), creates.end(),
            [](const Action& a, const Action& b) { return a.resource < b.resource; });
  std::sort(removes.begin(), removes.end(),
            [](const Action& a, const Action& b) { return a.resource > b.resource; });
  // Each action depends on its nearest ancestor's creation (or, for removals, each
  // directory's removal on its children's).
  std::map<std::string, std::size_t, std::less<>> created_dirs, removed;
  for (std::size_t i = 0; i < creates.size(); ++i)
    if (creates[i].op == "create_directory")
      created_dirs.emplace(creates[i].resource, i);
  for (std::size_t i = 0; i < removes.size(); ++i)
    removed.emplace(removes[i].resource, i);
  for (Action& a : creates)
    for (std::string p = parent_of(a.resource); p != "/"; p = parent_of(p))
      if (auto it = created_dirs.find(p); it != created_dirs.end()) {
        a.depends_on.push_back(creates[it->second].id);
        break;
      }
  for (const Action& a : removes)
    for (std::string p = parent_of(a.resource); p != "/"; p = parent_of(p))
      if (auto it = removed.find(p); it != removed.end()) {
        removes[it->second].depends_on.push_back(a.id);
        break;
      }
  for (Action& a : creates)
    plan.actions.push_back(std::move(a));
  for (Action& a : removes)
    plan.actions.push_back(std::move(a));
  return plan;
}

} // namespace twin::files
