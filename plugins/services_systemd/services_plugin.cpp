// SPDX-License-Identifier: MIT
#include "plugins/services_systemd/services_plugin.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "core/sha256.hpp"
#include "core/yaml_emitter.hpp"
#include "core/yaml_reader.hpp"
#include "plugins/plugin_schema.hpp"
#include "plugins/services_systemd/adoption.hpp"
#include "plugins/services_systemd/planner.hpp"
#include "plugins/services_systemd/service_model.hpp"
#include "plugins/services_systemd/unit_files.hpp"
#include "plugins/services_systemd/unit_name.hpp"

namespace twin::services {
namespace {

constexpr auto k_systemctl_timeout = std::chrono::seconds(90);

bool enabled_state(const std::string& state) {
  return state == "enabled" || state == "enabled-runtime";
}

// ActiveState per unit from one `systemctl list-units --all -o json` (JSON is YAML).
Result<std::map<std::string, std::string>> active_states(Runner& runner) {
  Command c;
  c.argv = {"systemctl", "list-units", "--all", "-o", "json", "--no-pager"};
  c.timeout = k_systemctl_timeout;
  Completed done = TWIN_TRY(runner.run(c));
  if (!done.ok())
    return fail("{} failed: {}", describe_argv(c.argv), done.timed_out ? "timed out" : done.err);
  Value doc = TWIN_TRY(parse_yaml_full(done.out, "systemctl list-units output"));
  if (!doc.is_list())
    return fail("{}: not a JSON list", describe_argv(c.argv));
  std::map<std::string, std::string> out;
  for (const Value& item : doc.as_list())
    if (item.is_map())
      out[item.get_string("unit")] = item.get_string("active");
  return out;
}

Value& services_list(Value& document) {
  Value& list = document["services"];
  if (!list.is_list())
    list = Value::list();
  return list;
}

void sort_items(Value::List& items) {
  std::stable_sort(items.begin(), items.end(), [](const Value& a, const Value& b) {
    return a.get_string("name") < b.get_string("name");
  });
}

// Rewrites the managed fields of a desired item, keeping any others.
void set_fields(Value& item, const DesiredUnit& unit) {
  auto& map = item.as_map();
  auto put = [&](const char* key, const std::optional<bool>& v) {
    if (v)
      map[key] = Value(*v);
    else
      map.erase(key);
  };
  put("enabled", unit.enabled);
  put("masked", unit.masked);
  put("running", unit.running);
}

ActionOutcome outcome(ActionOutcome::Status status, std::string message) {
  return {status, std::move(message), {}};
}

} // namespace

bool systemd_running(const SystemRoot& root) {
  return root.is_host() && root.exists("/run/systemd/system");
}

std::vector<std::string> systemctl_argv(const SystemRoot& root, std::string_view op,
                                        const std::string& unit) {
  std::vector<std::string> argv = {"systemctl"};
  if (!root.is_host())
    argv.push_back("--root=" + root.physical());
  if (runtime_op(op))
    argv.push_back("--no-ask-password");
  // A restart caused by written files must not start a unit that is not running (that is
  // `running:`'s business): try-restart restarts running units only.
  argv.emplace_back(op == "restart" ? "try-restart" : op);
  argv.emplace_back("--");
  argv.push_back(unit);
  return argv;
}

const Value& SystemdServices::live_schema() const {
  return *plugins::plugin_schema("services_systemd").find("live");
}

const Value* SystemdServices::state_schema() const {
  return plugins::plugin_schema("services_systemd").find("state");
}

Result<LiveObservation> SystemdServices::collect(PluginContext& ctx,
                                                 std::vector<std::string>&) const {
  UnitFileReader reader(ctx.root);
  auto observed = std::make_shared<Observed>();
  for (UnitFileState& f : reader.list()) {
    ObservedUnit u;
    u.name = std::move(f.name);
    u.state = std::move(f.state);
    u.masked = u.state == "masked" || u.state == "masked-runtime";
    u.enabled = enabled_state(u.state);
    if (u.state == "alias") // enabling an alias enables the unit it names
      u.enabled = enabled_state(reader.lookup_state(f.resolved));
    observed->units.push_back(std::move(u));
  }
  if (systemd_running(ctx.root)) {
    auto active = active_states(ctx.runner);
    if (!active) {
      ctx.notes.warn("cannot read active states: " + active.error().message);
    } else {
      observed->systemd_running = true;
      for (ObservedUnit& u : observed->units) {
        auto it = active->find(u.name);
        u.active = it == active->end() ? "inactive" : it->second;
      }
    }
  }
  // The document is a function of these lines: their digest is its fingerprint, so an
  // unchanged machine is not turned into YAML again. Bump the version when live_document
  // changes what it makes of the same units.
  std::string facts = fmt::format("services.systemd 1 emitter {} running {}\n", k_emitter_format,
                                  observed->systemd_running);
  for (const ObservedUnit& u : observed->units)
    facts += fmt::format("{} {} {} {} {}\n", u.name, u.state, u.enabled, u.masked,
                         u.active.value_or("-"));
  return LiveObservation::lazy(sha256_hex(facts), observed->units.size(),
                               [observed] { return live_document(*observed); });
}

Result<Value> SystemdServices::seed_state(PluginContext&, const Value& live,
                                          std::vector<std::string>&) const {
  Observed observed = TWIN_TRY(observed_from(live));
  Value document;
  Value& list = services_list(document);
  for (const ObservedUnit& u : observed.units)
    if (seedable(u))
      list.push_back(desired_item(seed_unit(u)));
  return document;
}

Result<AdoptSummary> SystemdServices::adopt(PluginContext&, const Value& live_doc,
                                            const Value* base_doc, Value& desired_doc) const {
  Observed live = TWIN_TRY(observed_from(live_doc));
  std::optional<Observed> base;
  if (base_doc)
    base = TWIN_TRY(observed_from(*base_doc));
  std::vector<DesiredUnit> desired = TWIN_TRY(desired_from(desired_doc));
  AdoptSummary summary;
  auto decisions = decide_adoption(desired, live, base ? &*base : nullptr);
  if (decisions.empty())
    return summary;
  Value::List& items = services_list(desired_doc).as_list();
  std::set<std::string> removed;
  for (const UnitAdoption& d : decisions) {
    switch (d.kind) {
    case UnitAdoption::Kind::add:
      items.push_back(desired_item(d.unit));
      summary.adopted.push_back(d.name);
      break;
    case UnitAdoption::Kind::update:
      for (Value& item : items)
        if (item.get_string("name") == d.name)
          set_fields(item, d.unit);
      summary.adopted.push_back(d.name);
      break;
    case UnitAdoption::Kind::remove:
      removed.insert(d.name);
      summary.adopted.push_back(d.name);
      break;
    case UnitAdoption::Kind::conflict:
      summary.conflicts.push_back(d.name);
      break;
    }
  }
  std::erase_if(items, [&](const Value& item) { return removed.count(item.get_string("name")); });
  sort_items(items);
  return summary;
}

Result<PluginPlan> SystemdServices::plan(const PlanInput& input) const {
  std::vector<DesiredUnit> desired = TWIN_TRY(desired_from(input.desired));
  Observed live = TWIN_TRY(observed_from(input.live));
  std::optional<Observed> base;
  if (input.base)
    base = TWIN_TRY(observed_from(*input.base));
  return plan_services(desired, live, base ? &*base : nullptr, input.prefer);
}

bool SystemdServices::reacts(const Value& desired) const {
  auto units = desired_from(desired);
  return units && std::any_of(units->begin(), units->end(),
                              [](const DesiredUnit& d) { return !d.restart_on.empty(); });
}

std::vector<Action> SystemdServices::plan_reactions(const PlanInput& input,
                                                    std::span<const Action> earlier) const {
  auto desired = desired_from(input.desired);
  return desired ? plan_restarts(*desired, earlier) : std::vector<Action>{};
}

ActionOutcome SystemdServices::apply(const Action& action, ApplyContext& ctx) const {
  std::string unit = action.fields.get_string("unit");
  // Defense in depth: the plan file may have been edited since check_state saw state/.
  if (std::string why = check_unit_name(unit); !why.empty())
    return outcome(ActionOutcome::Status::failed, fmt::format("refusing unit '{}': {}", unit, why));
  if (!known_op(action.op))
    return outcome(ActionOutcome::Status::failed,
                   fmt::format("unknown services.systemd operation '{}'", action.op));
  if (runtime_op(action.op) && !systemd_running(ctx.root))
    return outcome(ActionOutcome::Status::skipped,
                   fmt::format("systemd is not running on this root ({}): cannot {} {}",
                               ctx.root.physical(), action.op, unit));
  Command c;
  c.argv = systemctl_argv(ctx.root, action.op, unit);
  c.timeout = k_systemctl_timeout;
  auto done = ctx.runner.run(c);
  if (!done)
    return outcome(ActionOutcome::Status::failed, done.error().message);
  if (!done->ok())
    return outcome(ActionOutcome::Status::failed,
                   fmt::format("{} {}", describe_argv(c.argv), failure_reason(*done)));
  return {};
}

Result<AdoptSummary> SystemdServices::adopt_named(PluginContext&, const Value& live_doc,
                                                  const std::vector<std::string>& selectors,
                                                  Value& desired_doc) const {
  Observed live = TWIN_TRY(observed_from(live_doc));
  std::vector<DesiredUnit> desired = TWIN_TRY(desired_from(desired_doc));
  std::set<std::string> wanted(selectors.begin(), selectors.end());
  for (const auto& s : selectors) {
    bool known = live.find(s) || std::any_of(desired.begin(), desired.end(),
                                             [&](const DesiredUnit& d) { return d.name == s; });
    if (!known)
      return fail("no unit '{}' is observed or desired", s);
  }
  auto selected = [&](const std::string& name) { return wanted.empty() || wanted.count(name); };

  AdoptSummary summary;
  Value::List& items = services_list(desired_doc).as_list();
  Value::List kept;
  std::set<std::string> named;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const DesiredUnit& d = desired[i];
    named.insert(d.name);
    if (!selected(d.name)) {
      kept.push_back(std::move(items[i]));
      continue;
    }
    const ObservedUnit* u = live.find(d.name);
    if (!u) { // gone from the machine: gone from desired too
      summary.adopted.push_back(d.name);
      continue;
    }
    Facts f = observed_facts(live, d.name);
    DesiredUnit next = d;
    if (next.enabled)
      next.enabled = f.enabled;
    if (next.masked)
      next.masked = f.masked;
    if (next.running && f.running)
      next.running = f.running;
    if (!next.enabled && !next.masked && !next.running)
      next.enabled = f.enabled;
    Value item = std::move(items[i]);
    Value before = item;
    set_fields(item, next);
    if (!(item == before))
      summary.adopted.push_back(d.name);
    kept.push_back(std::move(item));
  }
  for (const ObservedUnit& u : live.units) {
    if (named.count(u.name))
      continue;
    // Everything seedable when no name is given; any unit the owner names.
    if (wanted.empty() ? !seedable(u) : !wanted.count(u.name))
      continue;
    kept.push_back(desired_item(seed_unit(u)));
    summary.adopted.push_back(u.name);
  }
  sort_items(kept);
  items = std::move(kept);
  return summary;
}

std::vector<SchemaProblem> SystemdServices::check_state(const Value& desired, const Config&,
                                                        const WorkTree&) const {
  std::vector<SchemaProblem> problems;
  const Value* list = desired.find("services");
  if (!list || !list->is_list())
    return problems;
  std::map<std::string, int, std::less<>> seen;
  for (std::size_t i = 0; i < list->as_list().size(); ++i) {
    const Value& item = list->as_list()[i];
    std::string pointer = fmt::format("/services/{}", i);
    auto problem = [&](const std::string& field, std::string message) {
      const Value* node = item.find(field);
      problems.push_back(
          SchemaProblem{pointer + "/" + field, node ? node->mark : item.mark, std::move(message)});
    };
    std::string name = item.get_string("name");
    if (std::string why = check_unit_name(name); !why.empty()) {
      problem("name", fmt::format("invalid unit name '{}': {}", name, why));
      continue;
    }
    if (auto [it, fresh] = seen.emplace(name, item.mark.line); !fresh)
      problem("name", fmt::format("'{}' is listed twice (first at line {})", name, it->second));
    const Value* masked = item.find("masked");
    bool is_masked = masked && masked->is_bool() && masked->as_bool();
    for (const char* field : {"enabled", "running"}) {
      const Value* v = item.find(field);
      if (is_masked && v && v->is_bool() && v->as_bool())
        problem(field, fmt::format("a masked unit cannot be {}", field));
    }
    if (classify_unit_name(name) == UnitNameKind::template_ && item.find("running"))
      problem("running", "a template cannot run; name an instance (foo@bar.service)");
    if (const Value* paths = item.find("restart_on"); paths && paths->is_list()) {
      if (classify_unit_name(name) == UnitNameKind::template_)
        problem("restart_on", "a template cannot be restarted; name an instance");
      for (std::size_t k = 0; k < paths->as_list().size(); ++k) {
        const Value& path = paths->as_list()[k];
        if (auto ok = check_logical_path(path.is_string() ? path.as_string() : ""); !ok)
          problems.push_back(SchemaProblem{fmt::format("{}/restart_on/{}", pointer, k), path.mark,
                                           ok.error().message});
      }
    }
  }
  return problems;
}

} // namespace twin::services
