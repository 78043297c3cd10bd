// SPDX-License-Identifier: MIT
#include "core/embedded.hpp"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>

#include "core/value.hpp"
#include "core/yaml_reader.hpp"

namespace twin {

std::string_view find_embedded(std::span<const EmbeddedFile> files, std::string_view path) {
  for (const auto& f : files)
    if (f.path == path)
      return f.data;
  return {};
}

const Value& embedded_schema(std::string_view name) {
  static std::mutex mutex;
  static std::map<std::string, Value, std::less<>> cache;
  std::lock_guard lock(mutex);
  if (auto it = cache.find(name); it != cache.end())
    return it->second;
  auto parsed = parse_yaml(find_embedded(embedded_schemas(), name), name);
  if (!parsed) {
    std::fprintf(stderr, "fatal: embedded schema %s: %s\n", std::string(name).c_str(),
                 parsed.error().message.c_str());
    std::abort();
  }
  return cache.emplace(std::string(name), std::move(*parsed)).first->second;
}

} // namespace twin
