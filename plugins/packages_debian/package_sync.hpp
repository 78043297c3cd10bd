// SPDX-License-Identifier: MIT
// packages.debian's side of the sync model (core/sync.hpp), as pure code: desired items
// (state/packages.yaml), the observed packages and those at the last sync (base) in,
// one decision per package out. The planner and snapshot's adoption both start here, so
// what `git twin status` calls a local change is exactly what the next snapshot adopts.
//
// A package is compared as present or absent; when the desired item pins a version, its
// version is compared too, and otherwise it is not (an unpinned package that apt upgraded
// is still in sync). A package in config-files state (removed, configuration kept) counts
// as absent. Packages state/ does not name are unmanaged: never installed or removed, only
// counted, except that one newly installed by hand (manual, absent at the base) joins
// state/, as a new file joins the mirror.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/plugin.hpp"
#include "core/value.hpp"

namespace twin::packages {

/// An item of state/packages.yaml.
struct DesiredPackage {
  std::string name; // "htop", or "libc6:i386"
  bool present = true;
  std::optional<std::string> version; // a pin: apt-get install name=version
};

/// An item of live/packages.yaml.
struct ObservedPackage {
  std::string name; // "name:arch" for Multi-Arch: same packages
  std::string architecture;
  std::string version;
  std::string status; // dpkg's third Status word
  bool manual = true;
};

Result<std::vector<DesiredPackage>> desired_packages(const Value& state);
Result<std::vector<ObservedPackage>> observed_packages(const Value& live);

/// The observed package a desired name stands for: the item of that name; for a name
/// without an architecture, the first "name:arch" item; for "name:arch", the item "name"
/// of that architecture. Null when dpkg does not know it. `packages` sorted by name.
const ObservedPackage* find_package(const std::vector<ObservedPackage>& packages,
                                    const std::string& name);

struct PackageDecision {
  enum class Kind {
    install,  // desired changed: apt-get install (version: the pin, or empty)
    remove,   // desired changed: apt-get remove
    adopt,    // changed on the machine only: state/ takes the observation (version: it)
    drop,     // removed on the machine only: the item leaves state/
    add,      // installed by hand, new since the base: joins state/
    conflict, // both changed, differently (detail says how)
  };
  Kind kind;
  std::string name;
  std::size_t desired_index = 0; // all kinds but add
  std::string version;
  std::string detail;
};

/// Decisions sorted by name. `base` null: no sync point yet, the machine is the base (and
/// nothing is added). With Prefer::desired a conflict becomes an install or a removal.
std::vector<PackageDecision> decide_packages(const std::vector<DesiredPackage>& desired,
                                             const std::vector<ObservedPackage>& live,
                                             const std::vector<ObservedPackage>* base,
                                             Prefer prefer);

/// Installed packages that no desired item names.
std::size_t count_unmanaged(const std::vector<DesiredPackage>& desired,
                            const std::vector<ObservedPackage>& live);

/// The plan: installs (sorted by name), then removals, each depending on every install;
/// local drift and conflicts by name.
/// Actions: packages.debian/install/<name> {package, version?} and
/// packages.debian/remove/<name> {package}.
/// git twin undo: a package the apply installed anew is removed, one it removed is
/// installed again (its configuration files were kept). A changed version cannot be put
/// back: the version before is not recorded.
std::vector<Action> undo_package_action(const Action& done, std::vector<std::string>& cannot);

PluginPlan plan_packages(const std::vector<DesiredPackage>& desired,
                         const std::vector<ObservedPackage>& live,
                         const std::vector<ObservedPackage>* base, Prefer prefer);

} // namespace twin::packages
