// SPDX-License-Identifier: MIT
#include "plugins/plugin_schema.hpp"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>

#include "core/embedded.hpp"
#include "core/yaml_reader.hpp"

namespace twin::plugins {

std::string plugin_dir(std::string_view name) {
  std::string dir(name);
  for (char& c : dir)
    if (c == '.')
      c = '_';
  return dir;
}

const Value& plugin_schema(std::string_view dir) {
  static std::mutex mutex;
  static std::map<std::string, Value, std::less<>> cache;
  std::lock_guard lock(mutex);
  if (auto it = cache.find(dir); it != cache.end())
    return it->second;
  std::string path = std::string(dir) + "/schema.yaml";
  auto parsed = parse_yaml(find_embedded(embedded_plugin_files(), path), path);
  if (!parsed) {
    // A broken embedded schema is a build defect, never user input.
    std::fprintf(stderr, "fatal: embedded %s: %s\n", path.c_str(), parsed.error().message.c_str());
    std::abort();
  }
  return cache.emplace(std::string(dir), std::move(*parsed)).first->second;
}

} // namespace twin::plugins
