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

/// Digests of list items found valid, kept in a file between runs. Why: a snapshot that
/// adopts a few changes into a state document of 20,000 files validated all of it again
/// (half a second); with this, only the items that are new or changed are validated.
/// A digest covers the item's schema and the item (both as compact JSON), so a changed
/// schema or item is validated again. Saved holding only the digests used in this run.
class ValidItems {
public:
  /// Loads the file; a missing or damaged one gives an empty memo.
  static ValidItems load(const std::string& path);
  /// Writes atomically when anything differs from what was loaded; failures are ignored.
  void save(const std::string& path) const;
  /// Whether `digest` (32 bytes) was found valid before; a hit is kept for the next run.
  bool remembered(std::string_view digest);
  void remember(std::string_view digest);

private:
  std::string m_loaded;           // the file: sorted digests of 32 bytes
  std::vector<char> m_kept;       // per loaded digest
  std::vector<std::string> m_new; // found valid in this run
};

/// Validates `document` against the JSON Schema `schema` (itself a Value, parsed from the
/// embedded .schema.json or plugin schema.yaml). Returns all problems, empty when valid.
/// Fails only when the schema itself cannot be compiled (a bug of ours). With `memo`, the
/// items of a long top-level list whose schema is a plain `{type: array, items: ...}` are
/// validated one by one against `items`, skipping those the memo knows, with the same
/// problems as a whole validation would give.
Result<std::vector<SchemaProblem>> validate_against(const Value& schema, const Value& document,
                                                    ValidItems* memo = nullptr);

/// Converts a Value to JSON text (compact, keys in map order); used for --json output.
std::string to_json(const Value& value, bool pretty = false);

} // namespace twin
