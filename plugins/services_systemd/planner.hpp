// SPDX-License-Identifier: MIT
// The services.systemd planner, as pure code: desired units, the machine now and the
// machine at the last sync point in; actions, conflicts and local drift out.
//
// Per unit named in state/services.yaml and per field it names (masked, enabled), the
// sync model (core/sync.hpp) decides: desired changed -> an action; changed on the machine
// only -> local drift (snapshot adopts it); both, differently -> a conflict (--prefer
// desired plans the action anyway). `running` is runtime, not configuration: whenever the
// machine differs from it (a unit stopped or crashed), start or stop is planned. Units
// state/ does not name are unmanaged: never touched, counted.
//
// Actions (field `unit`), in this order: unmask, enable, disable, mask, start, stop, then
// restart (plan_restarts, after other plugins' actions):
//   unmask/enable/disable/mask  systemctl [--root=R] <op> -- <unit>
//   start/stop/restart          need a running systemd on /; planned anyway, reported as
//                               skipped at apply on a root without one.
// enable and start depend on the unmask of the same unit; a restart on the actions (of
// files.mirror) that touched a path in the unit's restart_on. Enabling or disabling a unit whose
// unit-file state enablement cannot change (static, indirect, generated, transient, bad) is a
// conflict: systemctl would succeed and change nothing, and the action would come back forever.
#pragma once

#include <span>
#include <vector>

#include "core/plugin.hpp"
#include "plugins/services_systemd/service_model.hpp"

namespace twin::services {

inline constexpr std::string_view k_plugin_name = "services.systemd";

/// `base` null: no sync point yet, the machine is taken as the base.
PluginPlan plan_services(const std::vector<DesiredUnit>& desired, const Observed& live,
                         const Observed* base, Prefer prefer);

/// The ops apply knows, and which of them need a running systemd.
bool known_op(std::string_view op);
bool runtime_op(std::string_view op);

/// Restarts for units whose restart_on names a path that an earlier plugin's action
/// changes (at or below it): services.systemd/restart/<unit>, depending on those actions,
/// so a unit restarts only after its files were written, and not at all when that failed.
/// Units wanted stopped or masked are not restarted; apply runs `systemctl try-restart`,
/// which leaves a unit that is not running alone. Sorted by unit.
/// git twin undo: the opposite op for the same unit (enable and disable, mask and unmask,
/// start and stop); a restart changed no state and needs none.
std::vector<Action> undo_unit_action(const Action& done, std::vector<std::string>& cannot);

std::vector<Action> plan_restarts(const std::vector<DesiredUnit>& desired,
                                  std::span<const Action> earlier);

} // namespace twin::services
