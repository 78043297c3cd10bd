// SPDX-License-Identifier: MIT
#include "cli/plan_view.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/output.hpp"

namespace twin::cli {
namespace {

std::string count(std::size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

} // namespace

void print_plan_lines(const Plan& plan) {
  for (const auto& a : plan.actions)
    fmt::print("{}\n", summary_line(a));
  for (const auto& c : plan.conflicts)
    fmt::print("! {}: conflict at {}: {}\n", c.plugin, c.resource, c.detail);
}

std::string plan_counts(const PlanResult& result) {
  std::vector<std::string> parts;
  if (!result.plan.actions.empty())
    parts.push_back(count(result.plan.actions.size(), "action", "actions"));
  if (!result.plan.conflicts.empty())
    parts.push_back(count(result.plan.conflicts.size(), "conflict", "conflicts"));
  std::size_t drift = 0;
  for (const auto& s : result.status)
    drift += s.local_drift.size();
  std::string text = fmt::format("{}", fmt::join(parts, ", "));
  if (drift)
    text += fmt::format("{}{} waiting to be adopted (run 'git twin snapshot')",
                        text.empty() ? "" : "; ", count(drift, "local change", "local changes"));
  return text;
}

std::string status_line(const PluginStatus& s) {
  if (!s.has_state)
    return fmt::format("{}: observed only", s.fragment);
  if (s.locked.size() == 1 && s.locked[0] == fmt::format("state/{}.yaml", s.fragment))
    return fmt::format("{}: locked ({} is encrypted and this clone has no key: 'git twin key "
                       "import')",
                       s.fragment, s.locked[0]);
  std::vector<std::string> parts;
  if (s.actions)
    parts.push_back(fmt::format("DRIFT ({} needed)", count(s.actions, "action", "actions")));
  if (!s.local_drift.empty())
    parts.push_back(count(s.local_drift.size(), "local change to adopt", "local changes to adopt"));
  if (!s.conflicts.empty())
    parts.push_back(count(s.conflicts.size(), "conflict", "conflicts"));
  if (!s.locked.empty())
    parts.push_back(fmt::format("{} (encrypted, no key here)",
                                count(s.locked.size(), "locked file", "locked files")));
  std::string unmanaged = s.unmanaged ? fmt::format(" ({} unmanaged)", s.unmanaged) : std::string();
  if (parts.empty())
    return fmt::format("{}: in sync{}", s.fragment, unmanaged);
  return fmt::format("{}: {}{}", s.fragment, fmt::join(parts, ", "), unmanaged);
}

Value status_value(const PlanResult& result) {
  Value v;
  v["format_version"] = 1;
  v["desired_commit"] = result.plan.desired_commit;
  v["pending"] = result.pending();
  Value& plugins = v["plugins"] = Value::list();
  for (const auto& s : result.status) {
    Value p;
    p["plugin"] = s.plugin;
    p["fragment"] = s.fragment;
    std::string state = !s.has_state             ? "observed_only"
                        : !s.conflicts.empty()   ? "conflict"
                        : s.actions              ? "pending"
                        : !s.local_drift.empty() ? "local_drift"
                                                 : "in_sync";
    p["state"] = state;
    p["actions"] = static_cast<std::int64_t>(s.actions);
    p["unmanaged"] = static_cast<std::int64_t>(s.unmanaged);
    Value& locked = p["locked"] = Value::list();
    for (const auto& path : s.locked)
      locked.push_back(path);
    Value& drift = p["local_changes"] = Value::list();
    for (const auto& d : s.local_drift)
      drift.push_back(d);
    Value& conflicts = p["conflicts"] = Value::list();
    for (const auto& c : s.conflicts) {
      Value item;
      item["resource"] = c.resource;
      item["detail"] = c.detail;
      conflicts.push_back(std::move(item));
    }
    plugins.push_back(std::move(p));
  }
  return v;
}

Result<bool> saved_plan_is_behind(TwinEnv& env) {
  auto saved = load_saved_plan(env.tree);
  if (!saved)
    return true; // unreadable: make it again
  if (!*saved)
    return false;
  auto head = TWIN_TRY(env.repo.resolve("HEAD"));
  return (*saved)->desired_commit != head.value_or("");
}

Status reconcile_plan(TwinEnv& env, std::span<const Plugin* const> plugins) {
  if (!TWIN_TRY(saved_plan_is_behind(env)))
    return {};
  PlanResult result = TWIN_TRY(refresh_plan(env, plugins));
  print_hint(fmt::format("{} was made for an earlier HEAD (a reset, stash or tool that runs no "
                         "hook); made it again: {}",
                         k_plan_path,
                         plan_counts(result).empty() ? "nothing to apply" : plan_counts(result)));
  return {};
}

void print_observation_warnings(const Observation& observation) {
  for (const auto& w : observation.warnings)
    print_warning(w);
}

} // namespace twin::cli
