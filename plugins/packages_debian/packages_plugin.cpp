// SPDX-License-Identifier: MIT
#include "plugins/packages_debian/packages_plugin.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "core/sha256.hpp"
#include "core/yaml_emitter.hpp"
#include "plugins/packages_debian/dpkg_status.hpp"
#include "plugins/plugin_schema.hpp"

namespace twin::packages {

const Value& DebianPackages::live_schema() const {
  return *plugins::plugin_schema("packages_debian").find("live");
}

namespace {

struct Observed {
  std::vector<DpkgPackage> packages; // sorted by name and architecture, not-installed left out
  std::set<std::pair<std::string, std::string>> automatic;
};

Value packages_document(const Observed& observed) {
  Value document;
  Value& list = document["packages"] = Value::list();
  std::map<std::string, int> architectures; // per name
  for (const auto& p : observed.packages)
    ++architectures[p.name];
  for (const auto& p : observed.packages) {
    Value item;
    item["name"] = architectures[p.name] > 1 ? p.name + ":" + p.architecture : p.name;
    item["architecture"] = p.architecture;
    item["version"] = p.version;
    item["status"] = p.status;
    item["manual"] = !observed.automatic.count({p.name, p.architecture});
    item["hold"] = p.want == "hold";
    list.push_back(std::move(item));
  }
  return document;
}

} // namespace

Result<LiveObservation> DebianPackages::collect(PluginContext& ctx,
                                                std::vector<std::string>&) const {
  // Not a Debian root, or not readable: nothing to observe.
  auto status = ctx.root.read_file("/var/lib/dpkg/status");
  auto marks = ctx.root.read_file("/var/lib/apt/extended_states");
  std::string status_text = status ? std::move(*status) : std::string();
  std::string marks_text = marks ? std::move(*marks) : std::string();

  auto observed = std::make_shared<Observed>();
  std::vector<std::string> problems;
  observed->packages = parse_dpkg_status(status_text, &problems);
  for (const auto& p : problems)
    ctx.notes.warn("/var/lib/dpkg/status: " + p);
  observed->automatic = parse_auto_installed(marks_text);
  std::erase_if(observed->packages,
                [](const DpkgPackage& p) { return p.status == "not-installed"; });
  std::sort(observed->packages.begin(), observed->packages.end(),
            [](const DpkgPackage& a, const DpkgPackage& b) {
              return std::tie(a.name, a.architecture) < std::tie(b.name, b.architecture);
            });
  // The document is a function of the two files: their digest is its fingerprint, so an
  // unchanged database is not turned into YAML again.
  std::string version = fmt::format("packages.debian 1 emitter {}\n", k_emitter_format);
  std::string fingerprint =
      sha256_hex({version, status_text, std::string_view("\0", 1), marks_text});
  return LiveObservation::lazy(std::move(fingerprint), observed->packages.size(),
                               [observed] { return packages_document(*observed); });
}

} // namespace twin::packages
