// SPDX-License-Identifier: MIT
// Access to a built-in plugin's embedded schema.yaml (keys `state` and `live`, each a JSON
// Schema), parsed once.
#pragma once

#include <string_view>

#include "core/value.hpp"

namespace twin::plugins {

/// The parsed schema.yaml of plugins/<dir>/ ; aborts with a clear message if the embedded
/// file does not parse, which a unit test rules out.
const Value& plugin_schema(std::string_view dir);

/// The source directory of a plugin ("files.mirror" -> "files_mirror").
std::string plugin_dir(std::string_view name);

} // namespace twin::plugins
