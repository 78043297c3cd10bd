// SPDX-License-Identifier: MIT
#include "core/undo.hpp"

#include <map>
#include <optional>

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
  r.outcome.status = status_from_name(item.get_string("status"));
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

Result<UndoPlan> plan_undo_results(std::vector<ActionResult> done, std::string_view source,
                                   const std::string& digest, const std::string& head,
                                   std::span<const Plugin* const> plugins, const Config& config) {
  std::map<std::string, std::vector<ActionResult>> done_by_plugin;
  for (auto& r : done)
    if (r.outcome.status == ActionOutcome::Status::done)
      done_by_plugin[r.action.plugin].push_back(std::move(r));

  UndoPlan undo;
  undo.plan.desired_commit = head;
  undo.plan.desired_digest = digest;
  undo.plan.live_digest = digest;
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
                      source, path);
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

bool is_undo_record(const Value& record) {
  const Value* results = record.find("results");
  if (!results || !results->is_list())
    return false;
  for (const auto& item : results->as_list())
    if (item.is_map() && item.get_string("id").find("/undo/") != std::string::npos)
      return true;
  return false;
}

Result<UndoPlan> plan_undo(const Value& record, std::string_view record_text,
                           std::string_view record_path, const std::string& head,
                           std::span<const Plugin* const> plugins, const Config& config) {
  const Value* results = record.find("results");
  if (!results || !results->is_list())
    return fail("{} is not an apply record (no results)", record_path);
  std::vector<ActionResult> done;
  for (const auto& item : results->as_list()) {
    if (!item.is_map())
      return fail("{}: a result is not a map", record_path);
    done.push_back(recorded_result(item));
  }
  return plan_undo_results(std::move(done), record_path, sha256_hex(record_text), head, plugins,
                           config);
}

std::vector<ActionResult> interrupted_outcomes(const JournalState& state, const SystemRoot& root) {
  std::vector<ActionResult> out = state.outcomes;
  for (const auto& action : state.plan.actions) {
    if (!state.started.count(action.id))
      continue;
    ActionResult r{action, {ActionOutcome::Status::done, "", {}}};
    std::string path = action.fields.get_string("path");
    bool file_op = action.plugin == "files.mirror" &&
                   (action.op == "write_file" || action.op == "create_symlink" ||
                    action.op == "remove" || action.op == "create_directory");
    if (file_op && check_logical_path(path)) {
      if (auto backup = first_backup_of(root, path, state.stamp))
        r.outcome.backups.push_back(*backup);
      else if (action.change != Action::Change::create || !root.exists(path))
        continue; // nothing shows it ran
    }
    out.push_back(std::move(r));
  }
  return out;
}

} // namespace twin
