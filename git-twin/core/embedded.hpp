// SPDX-License-Identifier: MIT
// Files compiled into the binary (schemas, plugin manifests, man-independent templates).
// The generator is git-twin/cmake/EmbedFiles.cmake; init copies these into a new twin and
// validation always uses the embedded copy, so a twin repository cannot loosen its own rules.
#pragma once

#include <span>
#include <string_view>

namespace twin {

struct EmbeddedFile {
  std::string_view path; // relative to the source directory it came from
  std::string_view data;
};

/// schema/*.schema.json
std::span<const EmbeddedFile> embedded_schemas();
/// plugins/<dir>/plugin.yaml and plugins/<dir>/schema.yaml
std::span<const EmbeddedFile> embedded_plugin_files();

/// The embedded file at `path`, or an empty view.
std::string_view find_embedded(std::span<const EmbeddedFile> files, std::string_view path);

class Value;
/// An embedded YAML or JSON file, parsed once. A file that does not parse is a build defect
/// (a unit test parses every one), so this aborts with a message instead of failing.
const Value& parsed_embedded(std::span<const EmbeddedFile> files, std::string_view path);

/// schema/<name> parsed ("config.schema.json").
const Value& embedded_schema(std::string_view name);

} // namespace twin
