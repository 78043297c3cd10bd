// SPDX-License-Identifier: MIT
// THE list of built-in plugins, in apply order (packages, files, services, ...).
// Adding a plugin means adding it here; nothing registers itself.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/plugin.hpp"

namespace twin::plugins {

std::span<const Plugin* const> all();
/// nullptr when no built-in plugin has that name.
const Plugin* find(std::string_view name);
std::vector<std::string> names();

/// The enabled plugins of a config, in registry order. Unknown names are a config error
/// caught by validation before this is called.
std::vector<const Plugin*> enabled(const Config& config);

/// plugins/<dir>/plugin.yaml and schema.yaml as embedded in the binary, for init to copy
/// into the twin repository as plugins/<name>/...
struct PluginFiles {
  std::string_view manifest;
  std::string_view schema;
};
PluginFiles files_of(const Plugin& plugin);

} // namespace twin::plugins
