// SPDX-License-Identifier: MIT
#include "plugins/services_systemd/service_model.hpp"

#include <algorithm>

#include "plugins/services_systemd/unit_name.hpp"

namespace twin::services {

const ObservedUnit* Observed::find(const std::string& name) const {
  auto it =
      std::lower_bound(units.begin(), units.end(), name,
                       [](const ObservedUnit& u, const std::string& n) { return u.name < n; });
  return it != units.end() && it->name == name ? &*it : nullptr;
}

bool active_means_running(const std::string& active) {
  return active == "active" || active == "activating" || active == "reloading";
}

Facts observed_facts(const Observed& observed, const std::string& name) {
  Facts f;
  const ObservedUnit* u = observed.find(name);
  f.enabled = u ? u->enabled : false;
  f.masked = u ? u->masked : false;
  if (u && u->active)
    f.running = active_means_running(*u->active);
  else if (observed.systemd_running)
    f.running = false;
  return f;
}

bool state_can_be_enabled(const std::string& state) {
  return state == "enabled" || state == "enabled-runtime" || state == "disabled" ||
         state == "linked" || state == "linked-runtime" || state == "alias" || state == "masked" ||
         state == "masked-runtime";
}

bool seedable(const ObservedUnit& unit) {
  if (classify_unit_name(unit.name) == UnitNameKind::template_)
    return false; // a template's state sums up its instances
  return unit.state == "enabled" || unit.state == "disabled" || unit.state == "masked";
}

Value live_document(const Observed& observed) {
  Value doc;
  Value& list = doc["services"] = Value::list();
  list.as_list().reserve(observed.units.size());
  for (const auto& u : observed.units) {
    Value item;
    item["name"] = u.name;
    item["state"] = u.state;
    item["enabled"] = u.enabled;
    item["masked"] = u.masked;
    if (u.active)
      item["active"] = *u.active;
    list.push_back(std::move(item));
  }
  doc["systemd_running"] = observed.systemd_running;
  return doc;
}

namespace {

const Value::List* services_list(const Value& doc) {
  const Value* list = doc.find("services");
  return list && list->is_list() ? &list->as_list() : nullptr;
}

std::optional<bool> optional_bool(const Value& item, std::string_view key) {
  const Value* v = item.find(key);
  if (!v || !v->is_bool())
    return std::nullopt;
  return v->as_bool();
}

} // namespace

Result<Observed> observed_from(const Value& live) {
  Observed out;
  if (const Value* running = live.find("systemd_running"); running && running->is_bool())
    out.systemd_running = running->as_bool();
  if (const auto* list = services_list(live))
    for (const Value& item : *list) {
      if (!item.is_map())
        return fail("live/services.yaml: an item is not a map");
      ObservedUnit u;
      u.name = item.get_string("name");
      u.state = item.get_string("state");
      u.enabled = optional_bool(item, "enabled").value_or(false);
      u.masked = optional_bool(item, "masked").value_or(false);
      if (const Value* a = item.find("active"); a && a->is_string())
        u.active = a->as_string();
      out.units.push_back(std::move(u));
    }
  std::sort(out.units.begin(), out.units.end(),
            [](const ObservedUnit& a, const ObservedUnit& b) { return a.name < b.name; });
  return out;
}

Result<std::vector<DesiredUnit>> desired_from(const Value& state) {
  std::vector<DesiredUnit> out;
  if (const auto* list = services_list(state))
    for (const Value& item : *list) {
      if (!item.is_map())
        return fail("state/services.yaml: an item is not a map");
      DesiredUnit d;
      d.name = item.get_string("name");
      d.enabled = optional_bool(item, "enabled");
      d.masked = optional_bool(item, "masked");
      d.running = optional_bool(item, "running");
      if (const Value* paths = item.find("restart_on"); paths && paths->is_list())
        for (const Value& path : paths->as_list())
          if (path.is_string())
            d.restart_on.push_back(path.as_string());
      out.push_back(std::move(d));
    }
  return out;
}

Value desired_item(const DesiredUnit& unit) {
  Value item;
  item["name"] = unit.name;
  if (unit.enabled)
    item["enabled"] = *unit.enabled;
  if (unit.masked)
    item["masked"] = *unit.masked;
  if (unit.running)
    item["running"] = *unit.running;
  if (!unit.restart_on.empty()) {
    Value& paths = item["restart_on"] = Value::list();
    for (const auto& p : unit.restart_on)
      paths.push_back(p);
  }
  return item;
}

} // namespace twin::services
