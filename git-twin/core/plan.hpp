// SPDX-License-Identifier: MIT
// The plan: what apply would do, as plain data (DESIGN.md section 9, plan/latest.yaml).
//
// Plugins produce Actions from a pure plan(); the engine orders them (registry order,
// then the plugin's order), checks them, records outcomes. A plan is pinned to what it
// was made from (desired_commit, desired_digest, live_digest) so apply can refuse a stale
// one.
#pragma once

#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/value.hpp"

namespace twin {

inline constexpr int k_plan_format_version = 1;

struct Action {
  std::string id;       // stable: "<plugin>/<op>/<resource without leading />"
  std::string plugin;   // "files.mirror"
  std::string op;       // write_file, set_attributes, create_directory, create_symlink, remove
  std::string resource; // what the summary names: "/etc/motd"
  enum class Change { create, modify, remove } change = Change::modify;
  Value fields;                        // the op's parameters (path, from, mode, ...)
  std::vector<std::string> depends_on; // ids of actions that must succeed first
};

struct Conflict {
  std::string plugin;
  std::string resource;
  std::string detail; // what differs, never file content
};

struct Plan {
  std::string desired_commit;       // HEAD when planned ("" on an unborn branch)
  std::string desired_digest;       // sha256 over the desired documents and contents used
  std::string live_digest;          // sha256 over the observed documents
  std::vector<Action> actions;      // in apply order
  std::vector<Conflict> conflicts;  // resources changed on both sides
  std::vector<std::string> plugins; // the plugins planned, in apply order
};

/// The diff-like line for an action: "+ files.mirror: write /etc/motd".
std::string summary_line(const Action& action);

/// "create", "modify", "remove", and back (anything else reads as modify).
std::string_view change_name(Action::Change change);
Action::Change change_from_name(std::string_view name);

/// plan/latest.yaml text: actions grouped by plugin in apply order.
std::string plan_to_yaml(const Plan& plan);
/// The same plan as a Value (for --json and schema validation).
Value plan_to_value(const Plan& plan);
/// Reads a plan document (already schema-checked).
Result<Plan> plan_from_value(const Value& document);

/// True when two plans ask for the same actions and conflicts (ids and fields).
bool same_actions(const Plan& a, const Plan& b);

} // namespace twin
