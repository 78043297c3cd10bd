// SPDX-License-Identifier: MIT
#include "plugins/packages_debian/package_sync.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "core/sync.hpp"
#include "plugins/packages_debian/debian_names.hpp"

namespace twin::packages {
namespace {

constexpr std::string_view k_plugin = "packages.debian";

// What the sync model compares: present, with the version when the desired item pins one;
// nullopt when absent.
using Shape = std::optional<std::string>;

bool installed(const ObservedPackage* p) {
  return p && p->status != "config-files";
}

Shape shape_of(const ObservedPackage* p, const DesiredPackage& d) {
  if (!installed(p))
    return std::nullopt;
  return d.version ? p->version : std::string();
}

Shape wanted(const DesiredPackage& d) {
  if (!d.present)
    return std::nullopt;
  return d.version.value_or("");
}

std::string describe(const Shape& s, bool pinned) {
  if (!s)
    return "absent";
  return pinned ? fmt::format("present at {}", *s) : "present";
}

} // namespace

Result<std::vector<DesiredPackage>> desired_packages(const Value& state) {
  std::vector<DesiredPackage> out;
  const Value* list = state.find("packages");
  if (!list)
    return out;
  if (!list->is_list())
    return fail("packages: not a list");
  for (const Value& item : list->as_list()) {
    DesiredPackage d;
    d.name = item.get_string("name");
    if (d.name.empty())
      return fail("packages: an item has no name");
    d.present = item.get_string("ensure", "present") != "absent";
    if (const Value* v = item.find("version"); v && v->is_string())
      d.version = v->as_string();
    out.push_back(std::move(d));
  }
  return out;
}

Result<std::vector<ObservedPackage>> observed_packages(const Value& live) {
  std::vector<ObservedPackage> out;
  const Value* list = live.find("packages");
  if (!list)
    return out;
  if (!list->is_list())
    return fail("packages: not a list");
  for (const Value& item : list->as_list()) {
    ObservedPackage p;
    p.name = item.get_string("name");
    p.architecture = item.get_string("architecture");
    p.version = item.get_string("version");
    p.status = item.get_string("status");
    const Value* manual = item.find("manual");
    p.manual = !manual || !manual->is_bool() || manual->as_bool();
    out.push_back(std::move(p));
  }
  std::sort(out.begin(), out.end(),
            [](const ObservedPackage& a, const ObservedPackage& b) { return a.name < b.name; });
  return out;
}

const ObservedPackage* find_package(const std::vector<ObservedPackage>& packages,
                                    const std::string& name) {
  auto by_name = [](const ObservedPackage& p, std::string_view n) { return p.name < n; };
  auto it = std::lower_bound(packages.begin(), packages.end(), std::string_view(name), by_name);
  if (it != packages.end() && it->name == name)
    return &*it;
  auto colon = name.find(':');
  if (colon == std::string::npos) {
    // "libfoo" stands for "libfoo:amd64" when only Multi-Arch: same items exist. Search
    // for "libfoo:" itself: "libfoo-dev" and "libfoo.1" sort between the two.
    std::string prefix = name + ':';
    auto arch =
        std::lower_bound(packages.begin(), packages.end(), std::string_view(prefix), by_name);
    if (arch != packages.end() && arch->name.compare(0, prefix.size(), prefix) == 0)
      return &*arch;
    return nullptr;
  }
  // "htop:amd64" stands for the item "htop" of that architecture.
  std::string_view base = std::string_view(name).substr(0, colon);
  std::string_view arch = std::string_view(name).substr(colon + 1);
  auto b = std::lower_bound(packages.begin(), packages.end(), base, by_name);
  if (b != packages.end() && b->name == base && b->architecture == arch)
    return &*b;
  return nullptr;
}

std::vector<PackageDecision> decide_packages(const std::vector<DesiredPackage>& desired,
                                             const std::vector<ObservedPackage>& live,
                                             const std::vector<ObservedPackage>* base,
                                             Prefer prefer) {
  std::vector<PackageDecision> out;
  std::set<const ObservedPackage*> named;
  for (std::size_t i = 0; i < desired.size(); ++i) {
    const DesiredPackage& d = desired[i];
    const ObservedPackage* now = find_package(live, d.name);
    named.insert(now);
    const ObservedPackage* was = base ? find_package(*base, d.name) : now;
    Shape want = wanted(d), then = shape_of(was, d), current = shape_of(now, d);

    SyncCase c = classify(want, then, current);
    if (c == SyncCase::conflict && prefer == Prefer::desired)
      c = SyncCase::desired_changed;
    PackageDecision decision{PackageDecision::Kind::conflict, d.name, i, {}, {}};
    switch (c) {
    case SyncCase::in_sync:
    case SyncCase::converged:
      continue;
    case SyncCase::desired_changed:
      decision.kind = want ? PackageDecision::Kind::install : PackageDecision::Kind::remove;
      decision.version = d.version.value_or("");
      break;
    case SyncCase::live_changed:
      decision.kind = current ? PackageDecision::Kind::adopt : PackageDecision::Kind::drop;
      decision.version = current ? now->version : std::string();
      break;
    case SyncCase::conflict:
      decision.detail = fmt::format(
          "state/ wants it {}; since the last sync the machine changed it to {}",
          describe(want, d.version.has_value()), describe(current, d.version.has_value()));
      break;
    }
    out.push_back(std::move(decision));
  }
  // Installed by hand since the base and not named in state/: joins it.
  if (base)
    for (const ObservedPackage& p : live)
      if (installed(&p) && p.manual && !named.count(&p) && !installed(find_package(*base, p.name)))
        out.push_back({PackageDecision::Kind::add, p.name, 0, p.version, {}});
  std::stable_sort(out.begin(), out.end(), [](const PackageDecision& a, const PackageDecision& b) {
    return a.name < b.name;
  });
  return out;
}

std::size_t count_unmanaged(const std::vector<DesiredPackage>& desired,
                            const std::vector<ObservedPackage>& live) {
  std::set<const ObservedPackage*> named;
  for (const DesiredPackage& d : desired)
    named.insert(find_package(live, d.name));
  return std::count_if(live.begin(), live.end(),
                       [&](const ObservedPackage& p) { return installed(&p) && !named.count(&p); });
}

PluginPlan plan_packages(const std::vector<DesiredPackage>& desired,
                         const std::vector<ObservedPackage>& live,
                         const std::vector<ObservedPackage>* base, Prefer prefer) {
  PluginPlan plan;
  std::vector<Action> removes;
  for (const PackageDecision& d : decide_packages(desired, live, base, prefer)) {
    using Kind = PackageDecision::Kind;
    switch (d.kind) {
    case Kind::install: {
      Action a;
      a.plugin = std::string(k_plugin);
      a.op = "install";
      a.id = fmt::format("{}/install/{}", k_plugin, d.name);
      a.resource = d.name;
      a.change =
          installed(find_package(live, d.name)) ? Action::Change::modify : Action::Change::create;
      a.fields["package"] = d.name;
      if (!d.version.empty())
        a.fields["version"] = d.version;
      plan.actions.push_back(std::move(a));
      break;
    }
    case Kind::remove: {
      Action a;
      a.plugin = std::string(k_plugin);
      a.op = "remove";
      a.id = fmt::format("{}/remove/{}", k_plugin, d.name);
      a.resource = d.name;
      a.change = Action::Change::remove;
      a.fields["package"] = d.name;
      removes.push_back(std::move(a));
      break;
    }
    case Kind::adopt:
    case Kind::drop:
    case Kind::add:
      plan.local_drift.push_back(d.name);
      break;
    case Kind::conflict:
      plan.conflicts.push_back({std::string(k_plugin), d.name, d.detail});
      break;
    }
  }
  // Install before remove, and remove only when every install succeeded: a package
  // replaced by another is never missing in between.
  std::vector<std::string> installs;
  for (const Action& a : plan.actions)
    installs.push_back(a.id);
  for (Action& a : removes) {
    a.depends_on = installs;
    plan.actions.push_back(std::move(a));
  }
  plan.unmanaged = count_unmanaged(desired, live);
  return plan;
}

std::vector<Action> undo_package_action(const Action& done, std::vector<std::string>& cannot) {
  std::string name = done.fields.get_string("package");
  Action a;
  a.plugin = std::string(k_plugin);
  a.resource = name;
  a.fields["package"] = name;
  if (done.op == "install" && done.change == Action::Change::create) {
    a.op = "remove";
    a.change = Action::Change::remove;
  } else if (done.op == "remove") {
    a.op = "install";
    a.change = Action::Change::create;
  } else {
    cannot.push_back(fmt::format("{}: the version installed before is not recorded", done.id));
    return {};
  }
  a.id = fmt::format("{}/undo/{}/{}", k_plugin, a.op, name);
  return {std::move(a)};
}

} // namespace twin::packages
