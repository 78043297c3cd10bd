// SPDX-License-Identifier: MIT
#include "core/undo.hpp"

#include <map>

#include <fmt/format.h>

#include "core/apply.hpp"
#include "core/sha256.hpp"
#include "core/system_root.hpp"

namespace twin {
namespace {

// The apply's action and outcome as the record keeps them.
ActionResult recorded_result(const Value& item) {
  ActionResult r;
  r.action.id = item.get_string("id");
  r.action.plugin = item.get_string("plugin");
  r.action.op = item.get_string("op");
  r.action.resource = item.get_string("resource");
  // Records made before "change" was recorded say nothing: modify is the safe reading (an
  // unbacked file is then left alone rather than removed).
  r.action.change = change_from_name(item.get_string("change", "modify"));
  if (const Value* fields = item.find("action"); fields && fields->is_map())
    r.action.fields = *fields;
  r.outcome.status = item.get_string("status") == "done" ? ActionOutcome::Status::done
                                                         : ActionOutcome::Status::skipped;
  if (const Value* backups = item.find("backups"); backups && backups->is_list())
    for (const auto& b : backups->as_list())
      if (b.is_string())
        r.outcome.backups.push_back(b.as_string());
  return r;
}

bool inside_roots(const std::string& path, const Config& config) {
  for (const auto& root : config.filesystem_roots)
    if (path_is_within(root, path))
      return true;
  return false;
}

} // namespace

Result<UndoPlan> plan_undo(const Value& record, std::string_view record_text,
                           std::string_view record_path, const std::string& head,
                           std::span<const Plugin* const> plugins, const Config& config) {
  const Value* results = record.find("results");
  if (!results || !results->is_list())
    return fail("{} is not an apply record (no results)", record_path);
  std::map<std::string, std::vector<ActionResult>> done_by_plugin;
  for (const auto& item : results->as_list()) {
    if (!item.is_map())
      return fail("{}: a result is not a map", record_path);
    ActionResult r = recorded_result(item);
    if (r.outcome.status == ActionOutcome::Status::done)
      done_by_plugin[r.action.plugin].push_back(std::move(r));
  }

  UndoPlan undo;
  undo.plan.desired_commit = head;
  undo.plan.desired_digest = sha256_hex(record_text);
  undo.plan.live_digest = undo.plan.desired_digest;
  for (auto p = plugins.rbegin(); p != plugins.rend(); ++p) {
    auto found = done_by_plugin.find(std::string((*p)->name()));
    if (found == done_by_plugin.end())
      continue;
    undo.plan.plugins.emplace_back((*p)->name());
    for (auto r = found->second.rbegin(); r != found->second.rend(); ++r) {
      for (auto& a : (*p)->undo(r->action, r->outcome, undo.cannot)) {
        std::string path = a.fields.get_string("path");
        if (a.plugin == "files.mirror" &&
            (!check_logical_path(path) || !inside_roots(path, config)))
          return fail("{}: {} is outside filesystem_roots; the record was not made by an apply "
                      "here, nothing was changed",
                      record_path, path);
        undo.plan.actions.push_back(std::move(a));
      }
    }
    done_by_plugin.erase(found);
  }
  for (const auto& [plugin, list] : done_by_plugin)
    for (const auto& r : list)
      undo.cannot.push_back(fmt::format("{}: plugin '{}' is not enabled", r.action.id, plugin));
  return undo;
}

} // namespace twin
