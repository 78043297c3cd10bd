// SPDX-License-Identifier: MIT
// THE list of built-in plugins, in apply order (packages, files, services, ...).
// Adding a plugin means adding it here; nothing registers itself.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/log_plugin.hpp"
#include "core/plugin.hpp"

namespace twin::plugins {

/// The config plugins (desired and observed state, plan, apply), in apply order.
std::span<const Plugin* const> all();
/// nullptr when no built-in config plugin has that name.
const Plugin* find(std::string_view name);
/// The log plugins (core/log_plugin.hpp), in capture order.
std::span<const LogPlugin* const> log_plugins();
/// Every built-in plugin's name, config plugins first: what config.yaml may enable.
std::vector<std::string> names();

/// The enabled plugins of a config, in registry order. Unknown names are a config error
/// caught by validation before this is called.
std::vector<const Plugin*> enabled(const Config& config);
std::vector<const LogPlugin*> enabled_log_plugins(const Config& config);

/// plugins/<dir>/plugin.yaml and schema.yaml as embedded in the binary, for init to copy
/// into the twin repository as plugins/<name>/... (log plugins have no schema.yaml: their
/// settings are state/logs_config.yaml, schema/logs_config.schema.json)
struct PluginFiles {
  std::string_view manifest;
  std::string_view schema;
};
PluginFiles files_of(std::string_view plugin_name);

} // namespace twin::plugins
