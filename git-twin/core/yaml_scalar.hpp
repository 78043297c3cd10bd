// SPDX-License-Identifier: MIT
// Plain scalar resolution shared by both YAML readers (yaml_reader.cpp, yaml_block_reader.cpp):
// the YAML 1.2 core schema, refusing what YAML 1.1 reads differently (yes, on, 0644).
#pragma once

#include <string>
#include <string_view>

#include "core/value.hpp"

namespace twin {

struct ResolvedScalar {
  Value value;         // null for keys (a key is always text)
  std::string refusal; // non-empty: why the scalar is refused (ambiguous, out of range)
};

/// Resolves a plain (unquoted) scalar; a key is only checked for ambiguity.
ResolvedScalar resolve_plain_scalar(std::string_view s, bool is_key);

} // namespace twin
