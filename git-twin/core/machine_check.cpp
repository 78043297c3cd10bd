// SPDX-License-Identifier: MIT
#include "core/machine_check.hpp"

#include "core/hostname.hpp"
#include "core/system_root.hpp"
#include "core/yaml_reader.hpp"

namespace twin {
bool root_is_the_twins_machine(const std::string& root, const WorkTree& tree) {
  auto text = tree.read("live/system.yaml");
  if (!text || !*text)
    return true;
  auto doc = parse_yaml(**text, "live/system.yaml");
  if (!doc || !doc->is_map())
    return true;
  std::string recorded = doc->get_string("hostname");
  if (recorded.empty())
    return true;
  auto system_root = SystemRoot::open(root);
  if (!system_root)
    return false;
  auto hostname = system_root->read_file("/etc/hostname");
  return hostname && parse_hostname(*hostname) == recorded;
}

} // namespace twin
