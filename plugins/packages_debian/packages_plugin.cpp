// SPDX-License-Identifier: MIT
#include "plugins/packages_debian/packages_plugin.hpp"

#include <algorithm>
#include <map>

#include "plugins/packages_debian/dpkg_status.hpp"
#include "plugins/plugin_schema.hpp"

namespace twin::packages {

const Value& DebianPackages::live_schema() const {
  return *plugins::plugin_schema("packages_debian").find("live");
}

Result<LiveObservation> DebianPackages::collect(PluginContext& ctx,
                                                std::vector<std::string>&) const {
  Value document;
  Value& list = document["packages"] = Value::list();
  auto status = ctx.root.read_file("/var/lib/dpkg/status");
  if (!status) // not a Debian root, or not readable: nothing to observe
    return LiveObservation::of(std::move(document));
  std::vector<std::string> problems;
  auto known = parse_dpkg_status(*status, &problems);
  for (const auto& p : problems)
    ctx.notes.warn("/var/lib/dpkg/status: " + p);
  auto marks = ctx.root.read_file("/var/lib/apt/extended_states");
  auto automatic = parse_auto_installed(marks ? *marks : std::string());

  std::erase_if(known, [](const DpkgPackage& p) { return p.status == "not-installed"; });
  std::sort(known.begin(), known.end(), [](const DpkgPackage& a, const DpkgPackage& b) {
    return std::tie(a.name, a.architecture) < std::tie(b.name, b.architecture);
  });
  std::map<std::string, int> architectures; // per name
  for (const auto& p : known)
    ++architectures[p.name];
  for (const auto& p : known) {
    Value item;
    item["name"] = architectures[p.name] > 1 ? p.name + ":" + p.architecture : p.name;
    item["architecture"] = p.architecture;
    item["version"] = p.version;
    item["status"] = p.status;
    item["manual"] = !automatic.count({p.name, p.architecture});
    item["hold"] = p.want == "hold";
    list.push_back(std::move(item));
  }
  return LiveObservation::of(std::move(document));
}

} // namespace twin::packages
