// SPDX-License-Identifier: MIT
#include "plugins/services_systemd/adoption.hpp"

#include <algorithm>
#include <set>

#include "core/sync.hpp"

namespace twin::services {

DesiredUnit seed_unit(const ObservedUnit& unit) {
  DesiredUnit d;
  d.name = unit.name;
  d.enabled = unit.enabled;
  if (unit.masked)
    d.masked = true;
  return d;
}

std::vector<UnitAdoption> decide_adoption(const std::vector<DesiredUnit>& desired,
                                          const Observed& live, const Observed* base) {
  std::vector<UnitAdoption> out;
  if (!base)
    return out;
  std::set<std::string> named;
  for (const DesiredUnit& d : desired) {
    named.insert(d.name);
    const ObservedUnit* was = base->find(d.name);
    const ObservedUnit* now = live.find(d.name);
    Facts b = observed_facts(*base, d.name);
    Facts l = observed_facts(live, d.name);
    if (was && !now) {
      bool untouched =
          (!d.enabled || d.enabled == b.enabled) && (!d.masked || d.masked == b.masked);
      out.push_back(
          {untouched ? UnitAdoption::Kind::remove : UnitAdoption::Kind::conflict, d.name, d});
      continue;
    }
    DesiredUnit next = d;
    bool conflict = false;
    auto adopt = [&](std::optional<bool>& want, const std::optional<bool>& base_value,
                     const std::optional<bool>& live_value) {
      if (!want)
        return;
      switch (classify(want, base_value, live_value)) {
      case SyncCase::live_changed:
        if (live_value)
          want = live_value;
        break;
      case SyncCase::conflict:
        conflict = true;
        break;
      default:
        break;
      }
    };
    adopt(next.masked, b.masked, l.masked);
    adopt(next.enabled, b.enabled, l.enabled);
    // `running` is never adopted: a unit that stopped or crashed did not change what the
    // owner wants (the planner starts it again).
    bool changed =
        next.enabled != d.enabled || next.masked != d.masked || next.running != d.running;
    if (changed)
      out.push_back({UnitAdoption::Kind::update, d.name, next});
    if (conflict)
      out.push_back({UnitAdoption::Kind::conflict, d.name, d});
  }
  for (const ObservedUnit& u : live.units)
    if (!named.count(u.name) && !base->find(u.name) && seedable(u))
      out.push_back({UnitAdoption::Kind::add, u.name, seed_unit(u)});
  std::stable_sort(out.begin(), out.end(),
                   [](const UnitAdoption& a, const UnitAdoption& b) { return a.name < b.name; });
  return out;
}

} // namespace twin::services
