// SPDX-License-Identifier: MIT
#include "plugins/services_systemd/planner.hpp"

#include <algorithm>
#include <array>
#include <set>

#include <fmt/format.h>

#include "core/sync.hpp"

namespace twin::services {
namespace {

constexpr std::array<std::string_view, 7> k_op_order = {"unmask", "enable", "disable", "mask",
                                                        "start",  "stop",   "restart"};

std::size_t op_rank(std::string_view op) {
  return static_cast<std::size_t>(std::find(k_op_order.begin(), k_op_order.end(), op) -
                                  k_op_order.begin());
}

std::string word(const std::optional<bool>& v) {
  return v ? (*v ? "true" : "false") : "unknown";
}

Action make_action(std::string_view op, const std::string& unit) {
  Action a;
  a.plugin = std::string(k_plugin_name);
  a.op = std::string(op);
  a.id = fmt::format("{}/{}/{}", k_plugin_name, op, unit);
  a.resource = unit;
  a.change = op == "unmask" || op == "disable" || op == "stop" ? Action::Change::remove
             : op == "restart"                                 ? Action::Change::modify
                                                               : Action::Change::create;
  a.fields["unit"] = unit;
  return a;
}

struct Field {
  std::string_view name;
  std::optional<bool> Facts::*member;
  std::optional<bool> DesiredUnit::*wanted;
  std::string_view on, off; // the ops that make it true / false
};

constexpr std::array<Field, 3> k_fields = {{
    {"masked", &Facts::masked, &DesiredUnit::masked, "mask", "unmask"},
    {"enabled", &Facts::enabled, &DesiredUnit::enabled, "enable", "disable"},
    {"running", &Facts::running, &DesiredUnit::running, "start", "stop"},
}};

} // namespace

bool known_op(std::string_view op) {
  return op_rank(op) < k_op_order.size();
}

bool runtime_op(std::string_view op) {
  return op == "start" || op == "stop" || op == "restart";
}

std::vector<Action> plan_restarts(const std::vector<DesiredUnit>& desired,
                                  std::span<const Action> earlier) {
  std::vector<Action> out;
  for (const DesiredUnit& d : desired) {
    if (d.restart_on.empty() || d.running == false || d.masked == true)
      continue;
    Action restart = make_action("restart", d.name);
    for (const Action& a : earlier) {
      bool touches =
          a.plugin != k_plugin_name && !a.resource.empty() && a.resource.front() == '/' &&
          std::any_of(d.restart_on.begin(), d.restart_on.end(),
                      [&](const std::string& p) { return path_is_within(p, a.resource); });
      if (touches)
        restart.depends_on.push_back(a.id);
    }
    if (!restart.depends_on.empty())
      out.push_back(std::move(restart));
  }
  std::sort(out.begin(), out.end(),
            [](const Action& a, const Action& b) { return a.resource < b.resource; });
  return out;
}

PluginPlan plan_services(const std::vector<DesiredUnit>& desired, const Observed& live,
                         const Observed* base_doc, Prefer prefer) {
  const Observed& base = base_doc ? *base_doc : live;
  PluginPlan plan;
  std::set<std::string> named;
  std::vector<Action> actions;
  for (const DesiredUnit& d : desired) {
    named.insert(d.name);
    Facts now = observed_facts(live, d.name);
    Facts was = observed_facts(base, d.name);
    const ObservedUnit* unit = live.find(d.name);
    bool drift = false;
    for (const Field& f : k_fields) {
      const std::optional<bool>& want = d.*(f.wanted);
      if (!want)
        continue;
      const std::optional<bool>& l = now.*(f.member);
      if (f.name == "running") {
        // Whether a unit runs is not configuration someone changes by hand: one that
        // stopped or crashed is started again, never taken as the owner's new wish. Where
        // no systemd runs (unknown), the action is planned and apply reports it skipped.
        if (!l || *l != *want)
          actions.push_back(make_action(*want ? f.on : f.off, d.name));
        continue;
      }
      SyncCase c = classify(want, was.*(f.member), l);
      if (c == SyncCase::desired_changed && f.name == "enabled" && unit &&
          !state_can_be_enabled(unit->state)) {
        plan.conflicts.push_back(
            {std::string(k_plugin_name), d.name,
             fmt::format("the twin wants enabled: {}, but the unit is {}: systemctl cannot "
                         "change its enablement",
                         word(want), unit->state)});
        continue;
      }
      if (c == SyncCase::conflict) {
        if (prefer != Prefer::desired) {
          plan.conflicts.push_back(
              {std::string(k_plugin_name), d.name,
               fmt::format("{}: the twin wants {}, the machine has {} (was {})", f.name, word(want),
                           word(l), word(was.*(f.member)))});
          continue;
        }
        c = SyncCase::desired_changed;
      }
      if (c == SyncCase::live_changed)
        drift = true;
      if (c == SyncCase::desired_changed)
        actions.push_back(make_action(*want ? f.on : f.off, d.name));
    }
    if (drift)
      plan.local_drift.push_back(d.name);
  }
  std::stable_sort(actions.begin(), actions.end(), [](const Action& a, const Action& b) {
    if (op_rank(a.op) != op_rank(b.op))
      return op_rank(a.op) < op_rank(b.op);
    return a.resource < b.resource;
  });
  for (Action& a : actions) {
    if (a.op != "enable" && a.op != "start")
      continue;
    for (const Action& u : actions)
      if (u.op == "unmask" && u.resource == a.resource)
        a.depends_on.push_back(u.id);
  }
  plan.actions = std::move(actions);
  // New on the machine and not in state/: snapshot adopts it (adoption.hpp); one the
  // owner dropped from state/ (it was there at the base) stays unmanaged.
  for (const ObservedUnit& u : live.units) {
    if (named.count(u.name) || !seedable(u))
      continue;
    if (base_doc && !base_doc->find(u.name))
      plan.local_drift.push_back(u.name);
    else
      ++plan.unmanaged;
  }
  return plan;
}

std::vector<Action> undo_unit_action(const Action& done, std::vector<std::string>& cannot) {
  static constexpr std::pair<std::string_view, std::string_view> opposites[] = {
      {"enable", "disable"}, {"disable", "enable"}, {"mask", "unmask"},
      {"unmask", "mask"},    {"start", "stop"},     {"stop", "start"}};
  if (done.op == "restart")
    return {};
  for (const auto& [op, opposite] : opposites)
    if (done.op == op)
      return {make_action(opposite, done.fields.get_string("unit"))};
  cannot.push_back(fmt::format("{}: services.systemd cannot undo '{}'", done.id, done.op));
  return {};
}

} // namespace twin::services
