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

const Value& parsed_embedded(std::span<const EmbeddedFile> files, std::string_view path) {
  static std::mutex mutex;
  // Keyed by the file's bytes, which live for the whole program.
  static std::map<const char*, Value> cache;
  std::string_view data = find_embedded(files, path);
  std::lock_guard lock(mutex);
  if (auto it = cache.find(data.data()); data.data() && it != cache.end())
    return it->second;
  auto parsed = parse_yaml(data, path);
  if (!parsed || data.empty()) {
    std::fprintf(stderr, "fatal: embedded file %s: %s\n", std::string(path).c_str(),
                 parsed ? "missing" : parsed.error().message.c_str());
    std::abort();
  }
  return cache.emplace(data.data(), std::move(*parsed)).first->second;
}

const Value& embedded_schema(std::string_view name) {
  return parsed_embedded(embedded_schemas(), name);
}

} // namespace twin
