// SPDX-License-Identifier: MIT
// Local drift adoption for services.systemd, as pure code: desired units, the machine now
// and at the last sync point in; what to change in state/services.yaml out.
//
// Per unit named in state/ and per field it names (enabled, masked; never running, which a
// crash changes), a field changed on the machine only takes the machine's value; a field
// changed on both sides, differently, is a conflict and stays. A unit that vanished from
// the machine (its package removed) leaves state/ unless the twin changed it. A unit new
// on the machine (not at the base) that seed_state would have taken joins state/; one the
// owner dropped from state/ stays unmanaged.
#pragma once

#include <string>
#include <vector>

#include "plugins/services_systemd/service_model.hpp"

namespace twin::services {

struct UnitAdoption {
  enum class Kind { add, update, remove, conflict } kind;
  std::string name;
  DesiredUnit unit; // add, update: the new desired unit
};

/// Decisions sorted by unit name. `base` null: no sync point, nothing to adopt.
std::vector<UnitAdoption> decide_adoption(const std::vector<DesiredUnit>& desired,
                                          const Observed& live, const Observed* base);

/// The desired unit seed_state writes for an observed one: enabled, and masked when it is.
DesiredUnit seed_unit(const ObservedUnit& unit);

} // namespace twin::services
