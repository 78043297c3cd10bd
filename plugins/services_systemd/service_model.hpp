// SPDX-License-Identifier: MIT
// The services fragment as typed data: observed units (live/services.yaml) and desired
// units (state/services.yaml), and the facts the sync model compares.
//
// live/services.yaml:
//   services: [{name, state, enabled, masked, active?}]   sorted by name
//   systemd_running: bool    true when `active` was read from a running systemd
// `state` is systemd's unit-file state word. `enabled` is true for the states enabled and
// enabled-runtime, and for an alias whose unit is enabled (enabling an alias enables its
// unit); `masked` for masked and masked-runtime. `active` is systemd's ActiveState.
//
// state/services.yaml: services: [{name, enabled?, masked?, running?, restart_on?}]; a
// field left out is not managed. restart_on lists absolute paths: when an earlier plugin
// (files.mirror) plans a change at or below one of them, the unit is restarted after it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/value.hpp"

namespace twin::services {

struct ObservedUnit {
  std::string name;
  std::string state;
  bool enabled = false;
  bool masked = false;
  std::optional<std::string> active;
};

struct Observed {
  std::vector<ObservedUnit> units; // sorted by name
  bool systemd_running = false;
  const ObservedUnit* find(const std::string& name) const;
};

struct DesiredUnit {
  std::string name;
  std::optional<bool> enabled, masked, running;
  std::vector<std::string> restart_on; // absolute paths
};

/// One managed field of a unit; nullopt: unknown or absent.
struct Facts {
  std::optional<bool> enabled, masked, running;
};

/// What the machine says about `name`: a unit without a unit file is neither enabled nor
/// masked, and not running when a running systemd was asked.
Facts observed_facts(const Observed& observed, const std::string& name);

/// True for the ActiveStates that mean "running" (active, activating, reloading).
bool active_means_running(const std::string& active);

/// Unit-file states whose enablement systemctl enable/disable can change.
bool state_can_be_enabled(const std::string& state);
/// Unit-file states seed_state and the unmanaged count consider (enabled, disabled, masked,
/// for non-template names).
bool seedable(const ObservedUnit& unit);

Value live_document(const Observed& observed);
Result<Observed> observed_from(const Value& live);
Result<std::vector<DesiredUnit>> desired_from(const Value& state);
/// The desired item for a unit, as seed and adopt write it.
Value desired_item(const DesiredUnit& unit);

} // namespace twin::services
