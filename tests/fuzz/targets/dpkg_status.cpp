// SPDX-License-Identifier: MIT
// dpkg's status file and apt's extended_states, read below a root that may be a mounted
// image or a damaged machine. Checks: every package kept has a name and dpkg's three
// Status words; every value is one line; each problem names its stanza; what
// live/packages.yaml would hold reads back from YAML unchanged.
#include "targets/same_tree.hpp"
#include "targets/targets.hpp"

#include <algorithm>

#include "core/yaml_emitter.hpp"
#include "core/yaml_reader.hpp"
#include "plugins/packages_debian/dpkg_status.hpp"

namespace twin_fuzz {

void dpkg_status(std::string_view input) {
  std::vector<std::string> problems;
  auto packages = twin::packages::parse_dpkg_status(input, &problems);
  for (const auto& problem : problems)
    FUZZ_CHECK(problem.starts_with("stanza at line "));

  twin::Value document;
  twin::Value& list = document["packages"] = twin::Value::list();
  for (const auto& p : packages) {
    FUZZ_CHECK(!p.name.empty());
    FUZZ_CHECK(!p.want.empty() && !p.flag.empty() && !p.status.empty());
    for (const std::string* field : {&p.name, &p.architecture, &p.version, &p.status})
      FUZZ_CHECK(field->find('\n') == std::string::npos);
    twin::Value item;
    item["name"] = twin::packages::binary_package_name(p);
    item["architecture"] = p.architecture;
    item["version"] = p.version;
    item["status"] = p.status;
    list.push_back(std::move(item));
  }
  auto again = twin::parse_yaml(twin::emit_yaml(document), "live/packages.yaml");
  FUZZ_CHECK(again);
  FUZZ_CHECK(same_tree(document, *again, false));

  for (const auto& [name, architecture] : twin::packages::parse_auto_installed(input))
    FUZZ_CHECK(!name.empty() && name.find('\n') == std::string::npos);
}

} // namespace twin_fuzz
