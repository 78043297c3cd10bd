// SPDX-License-Identifier: MIT
// config.yaml: the twin's settings (DESIGN.md section 9). Never holds a secret.
#pragma once

#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/schema.hpp"
#include "core/value.hpp"

namespace twin {

struct Config {
  std::string root = "/"; // empty: no machine at hand, check documents only (machine_check)
  std::vector<std::string> filesystem_roots{"/etc"};
  std::vector<std::string> exclude;
  std::vector<std::string> secrets; // patterns added to the built-in secret ones (secret_paths)
  std::vector<std::string> enabled_plugins;
  bool auto_commit = true;
  double max_file_size_mb = 1;
  bool require_confirmation = true;
  bool backup_replaced_files = true;
  bool adopt_local_changes = true;
  bool pre_commit_snapshot = false; // hooks.pre_commit_snapshot: refresh and stage live/
};

/// The config.yaml that `init` writes (all plugins that can run here enabled).
Value default_config_document(const std::vector<std::string>& enabled_plugins);

/// Reads the typed Config from a document that passed the config schema.
Config config_from_document(const Value& document);

/// Schema and semantic problems of a config document (pointer + mark + message).
/// `known_plugins` are the names of the built-in plugins.
std::vector<SchemaProblem> check_config(const Value& document,
                                        const std::vector<std::string>& known_plugins);

/// The embedded config schema (schema/config.schema.json) as a Value.
const Value& config_schema();

} // namespace twin
