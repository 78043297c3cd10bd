// SPDX-License-Identifier: MIT
#include "core/apply.hpp"

#include <algorithm>
#include <ctime>
#include <set>

#include "core/yaml_emitter.hpp"
#include "core/yaml_reader.hpp"

namespace twin {

std::string_view status_name(ActionOutcome::Status s) {
  switch (s) {
  case ActionOutcome::Status::done:
    return "done";
  case ActionOutcome::Status::failed:
    return "failed";
  case ActionOutcome::Status::skipped:
    return "skipped";
  }
  return "failed";
}

ActionOutcome::Status status_from_name(std::string_view name) {
  if (name == "done")
    return ActionOutcome::Status::done;
  if (name == "skipped")
    return ActionOutcome::Status::skipped;
  return ActionOutcome::Status::failed;
}

namespace {

// "20261122031500" -> "2026-11-22T03:15:00Z"
std::string iso_time(const std::string& stamp) {
  return fmt::format("{}-{}-{}T{}:{}:{}Z", stamp.substr(0, 4), stamp.substr(4, 2),
                     stamp.substr(6, 2), stamp.substr(8, 2), stamp.substr(10, 2),
                     stamp.substr(12, 2));
}

} // namespace

std::string utc_stamp() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y%m%d%H%M%S", &tm);
  return buffer;
}

namespace {

const Plugin* owner_of(const Action& action, std::span<const Plugin* const> plugins) {
  for (const Plugin* p : plugins)
    if (p->name() == action.plugin)
      return p;
  return nullptr;
}

// How many actions from `first` on can go to their plugin's apply_batch together: the same
// plugin and op, nothing blocked, none depending on another of the run.
std::size_t batch_length(const std::vector<Action>& actions, std::size_t first,
                         const std::set<std::string>& not_done,
                         const std::set<std::string>& finished) {
  std::set<std::string> ids;
  std::size_t n = first;
  for (; n < actions.size(); ++n) {
    const Action& a = actions[n];
    if (a.plugin != actions[first].plugin || a.op != actions[first].op || finished.count(a.id))
      break;
    bool blocked = std::any_of(a.depends_on.begin(), a.depends_on.end(), [&](const auto& dep) {
      return not_done.count(dep) || ids.count(dep);
    });
    if (blocked && n > first)
      break;
    ids.insert(a.id);
  }
  return n - first;
}

} // namespace

Result<ApplyRecord> execute_plan(const Plan& plan, std::span<const Plugin* const> plugins,
                                 ApplyContext& ctx, const ApplyObserver& observer,
                                 std::vector<ActionResult> earlier) {
  ApplyRecord record;
  record.stamp = ctx.backup_stamp.empty() ? utc_stamp() : ctx.backup_stamp;
  std::set<std::string> not_done; // ids that failed or were skipped
  std::set<std::string> finished; // ids with an outcome (resume: from the earlier run)
  auto count = [&](const ActionResult& result) {
    switch (result.outcome.status) {
    case ActionOutcome::Status::done:
      ++record.done;
      break;
    case ActionOutcome::Status::failed:
      ++record.failed;
      break;
    case ActionOutcome::Status::skipped:
      ++record.skipped;
      break;
    }
    if (result.outcome.status != ActionOutcome::Status::done)
      not_done.insert(result.action.id);
    finished.insert(result.action.id);
  };
  for (auto& result : earlier) {
    count(result);
    record.results.push_back(std::move(result));
  }
  auto finish = [&](ActionResult result) -> Status {
    count(result);
    record.results.push_back(std::move(result));
    if (observer.after_action)
      return observer.after_action(record.results.back());
    return {};
  };

  const std::vector<Action>& actions = plan.actions;
  for (std::size_t i = 0; i < actions.size();) {
    const Action& action = actions[i];
    if (finished.count(action.id)) {
      ++i;
      continue;
    }
    const Plugin* owner = owner_of(action, plugins);
    std::string blocker;
    for (const auto& dep : action.depends_on)
      if (not_done.count(dep))
        blocker = dep;
    if (!owner) {
      TWIN_CHECK(finish({action,
                         {ActionOutcome::Status::failed,
                          fmt::format("no enabled plugin '{}'", action.plugin),
                          {}}}));
      ++i;
      continue;
    }
    if (!blocker.empty()) {
      TWIN_CHECK(finish({action,
                         {ActionOutcome::Status::skipped,
                          fmt::format("depends on '{}', which did not succeed", blocker),
                          {}}}));
      ++i;
      continue;
    }
    std::size_t n = batch_length(actions, i, not_done, finished);
    std::span<const Action> batch(actions.data() + i, n);
    if (observer.before_batch)
      TWIN_CHECK(observer.before_batch(batch));
    std::vector<ActionOutcome> outcomes = owner->apply_batch(batch, ctx);
    for (std::size_t k = 0; k < n; ++k) {
      ActionOutcome outcome = k < outcomes.size()
                                  ? std::move(outcomes[k])
                                  : ActionOutcome{ActionOutcome::Status::failed,
                                                  "internal error: the plugin reported no outcome",
                                                  {}};
      TWIN_CHECK(finish({batch[k], std::move(outcome)}));
    }
    i += n;
  }
  return record;
}

Result<std::vector<std::string>> record_apply(WorkTree& tree, const Plan& plan, ApplyRecord& record,
                                              const std::string& root) {
  // One file per apply; a second apply within the same second gets a suffix.
  // No ':' in file names: a clone on another system must be able to check them out.
  const std::string& s = record.stamp;
  std::string base =
      fmt::format("{}-{}-{}T{}Z", s.substr(0, 4), s.substr(4, 2), s.substr(6, 2), s.substr(8, 6));
  std::string name = base;
  // "_N" sorts after ".yaml", so the directory lists applies in order. A resumed apply
  // comes with the name its interrupted run chose, and overwrites that file.
  for (int n = 1;
       record.history_path.empty() && TWIN_TRY(tree.stat("plan/history/" + name + ".yaml")); ++n)
    name = fmt::format("{}_{}", base, n);
  if (record.history_path.empty())
    record.history_path = "plan/history/" + name + ".yaml";

  Value history;
  history["format_version"] = k_plan_format_version;
  history["applied_at"] = iso_time(record.stamp);
  history["root"] = root;
  history["desired_commit"] = plan.desired_commit;
  history["desired_digest"] = plan.desired_digest;
  history["live_digest"] = plan.live_digest;
  Value& results = history["results"] = Value::list();
  for (const auto& r : record.results) {
    Value item;
    item["id"] = r.action.id;
    item["plugin"] = r.action.plugin;
    item["op"] = r.action.op;
    item["resource"] = r.action.resource;
    item["change"] = std::string(change_name(r.action.change));
    item["status"] = std::string(status_name(r.outcome.status));
    if (!r.outcome.message.empty())
      item["message"] = r.outcome.message;
    if (!r.outcome.backups.empty()) {
      Value backups = Value::list();
      for (const auto& b : r.outcome.backups)
        backups.push_back(b);
      item["backups"] = std::move(backups);
    }
    // The action's own fields (old and new mode, owner...) make the record undoable.
    item["action"] = r.action.fields;
    results.push_back(std::move(item));
  }
  Value& skipped_conflicts = history["conflicts_skipped"] = Value::list();
  for (const auto& c : plan.conflicts)
    skipped_conflicts.push_back(c.plugin + " " + c.resource);
  TWIN_CHECK(tree.write(record.history_path, emit_yaml(history)));

  // logs/current/index.yaml is shared with the log plugins: only the `apply` key is ours.
  constexpr std::string_view index_path = "logs/current/index.yaml";
  // Best effort: the history record is the record; an index that cannot be read or written
  // (a repository whose logs/ is not what git-twin wrote) must not fail an apply whose
  // actions already ran.
  Value index = Value::map();
  if (auto text = tree.read(index_path); text && *text)
    if (auto parsed = parse_yaml(**text, index_path); parsed && parsed->is_map())
      index = std::move(*parsed);
  Value apply;
  apply["last_applied_at"] = iso_time(record.stamp);
  apply["history"] = record.history_path;
  apply["done"] = static_cast<std::int64_t>(record.done);
  apply["failed"] = static_cast<std::int64_t>(record.failed);
  apply["skipped"] = static_cast<std::int64_t>(record.skipped);
  Value& failures = apply["failures"] = Value::list();
  for (const auto& r : record.results)
    if (r.outcome.status == ActionOutcome::Status::failed)
      failures.push_back(r.action.id + ": " + r.outcome.message);
  index["format_version"] = 1;
  index["apply"] = std::move(apply);
  if (!tree.write(index_path, emit_yaml(index)))
    return std::vector<std::string>{record.history_path};
  return std::vector<std::string>{record.history_path, std::string(index_path)};
}

} // namespace twin
