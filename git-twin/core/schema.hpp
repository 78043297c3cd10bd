// SPDX-License-Identifier: MIT
// JSON Schema (draft 7) validation of Values, with errors that point into the source file.
//
// Value -> rapidjson::Document -> valijson (RapidJsonAdapter). valijson collects every
// error; we keep the leaf ones and map each error's path back to the node's Mark:
//   "state/files.yaml:12:5: /files/3/mode: does not match pattern ^0[0-7]{3}$"
// Schemas are compiled once and cached by their JSON text. All rapidjson use stays in
// schema.cpp: valijson redefines RAPIDJSON_ASSERT there and must be included first.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/value.hpp"

namespace twin {

struct SchemaProblem {
  std::string pointer; // JSON pointer of the offending node ("" = the document)
  Mark mark;           // where that node is in the source file (0 when unknown)
  std::string message; // what is wrong, lowercase, no trailing period
};

/// Formats one problem as "<source>:<line>:<col>: <pointer>: <message>".
std::string format_problem(std::string_view source_name, const SchemaProblem& problem);

/// Validates `document` against the JSON Schema `schema` (itself a Value, parsed from the
/// embedded .schema.json or plugin schema.yaml). Returns all problems, empty when valid.
/// Fails only when the schema itself cannot be compiled (a bug of ours).
Result<std::vector<SchemaProblem>> validate_against(const Value& schema, const Value& document);

/// Converts a Value to JSON text (compact, keys in map order); used for --json output.
std::string to_json(const Value& value, bool pretty = false);

} // namespace twin
