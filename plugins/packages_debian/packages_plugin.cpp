// SPDX-License-Identifier: MIT
#include "plugins/packages_debian/packages_plugin.hpp"

#include <algorithm>
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
  std::vector<DpkgPackage> packages; // unique names, sorted; not-installed ones left out
  std::set<std::pair<std::string, std::string>> automatic;
};

// The name an item is known by, as dpkg-query's ${binary:Package} has it: a Multi-Arch:
// same package, which may be installed for several architectures, carries its own.
std::string item_name(const DpkgPackage& p) {
  return p.multi_arch_same ? p.name + ":" + p.architecture : p.name;
}

// apt marks an Architecture: all package under the native architecture.
bool automatic(const Observed& observed, const DpkgPackage& p) {
  if (p.architecture != "all")
    return observed.automatic.count({p.name, p.architecture}) > 0;
  auto it = observed.automatic.lower_bound({p.name, ""});
  return it != observed.automatic.end() && it->first == p.name;
}

Value packages_document(const Observed& observed) {
  Value document;
  Value& list = document["packages"] = Value::list();
  for (const auto& p : observed.packages) {
    Value item;
    item["name"] = item_name(p);
    item["architecture"] = p.architecture;
    item["version"] = p.version;
    item["status"] = p.status;
    item["manual"] = !automatic(observed, p);
    item["hold"] = p.want == "hold";
    list.push_back(std::move(item));
  }
  return document;
}

// A database that is not there means a root without dpkg; one that is there but cannot be
// read must not look like "every package removed".
Result<std::string> read_database(const PluginContext& ctx, const char* logical) {
  auto text = ctx.root.read_file(logical);
  if (text)
    return std::move(*text);
  if (!ctx.root.exists(logical))
    return std::string();
  return fail("cannot read {}: {}", logical, text.error().message);
}

} // namespace

Result<LiveObservation> DebianPackages::collect(PluginContext& ctx,
                                                std::vector<std::string>&) const {
  std::string status_text = TWIN_TRY(read_database(ctx, "/var/lib/dpkg/status"));
  std::string marks_text = TWIN_TRY(read_database(ctx, "/var/lib/apt/extended_states"));

  auto observed = std::make_shared<Observed>();
  std::vector<std::string> problems;
  observed->packages = parse_dpkg_status(status_text, &problems);
  observed->automatic = parse_auto_installed(marks_text);
  std::erase_if(observed->packages,
                [](const DpkgPackage& p) { return p.status == "not-installed"; });
  std::stable_sort(
      observed->packages.begin(), observed->packages.end(),
      [](const DpkgPackage& a, const DpkgPackage& b) { return item_name(a) < item_name(b); });
  // dpkg never writes one package twice; a damaged database might.
  auto duplicate = std::unique(
      observed->packages.begin(), observed->packages.end(),
      [](const DpkgPackage& a, const DpkgPackage& b) { return item_name(a) == item_name(b); });
  for (auto it = duplicate; it != observed->packages.end(); ++it)
    problems.push_back(
        fmt::format("'{}' is listed more than once; the first is kept", item_name(*it)));
  observed->packages.erase(duplicate, observed->packages.end());
  for (const auto& p : problems)
    ctx.notes.warn("/var/lib/dpkg/status: " + p);

  // The document is a function of the two files: their digest is its fingerprint, so an
  // unchanged database is not turned into YAML again. Bump the version when
  // packages_document changes what it makes of the same files.
  std::string version = fmt::format("packages.debian 2 emitter {}\n", k_emitter_format);
  std::string fingerprint =
      sha256_hex({version, status_text, std::string_view("\0", 1), marks_text});
  return LiveObservation::lazy(std::move(fingerprint), observed->packages.size(),
                               [observed] { return packages_document(*observed); });
}

} // namespace twin::packages
