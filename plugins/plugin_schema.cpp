// SPDX-License-Identifier: MIT
#include "plugins/plugin_schema.hpp"

#include "core/embedded.hpp"

namespace twin::plugins {

std::string plugin_dir(std::string_view name) {
  std::string dir(name);
  for (char& c : dir)
    if (c == '.')
      c = '_';
  return dir;
}

const Value& plugin_schema(std::string_view dir) {
  return parsed_embedded(embedded_plugin_files(), std::string(dir) + "/schema.yaml");
}

} // namespace twin::plugins
