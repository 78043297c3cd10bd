// SPDX-License-Identifier: MIT
// Plain scalar resolution shared by both YAML readers (yaml_reader.cpp, yaml_block_reader.cpp):
// the YAML 1.2 core schema, refusing what YAML 1.1 reads differently (yes, on, 0644).
#pragma once

#include <string>
#include <string_view>

#include "core/value.hpp"

namespace twin {

// Character helpers shared by the readers and the emitter (ASCII only, locale-free).
inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
inline bool is_hex_digit(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
/// `a` equals the lowercase word `b`, ignoring the case of `a`.
inline bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i])
      return false;
  }
  return true;
}

struct ResolvedScalar {
  Value value;         // null for keys (a key is always text)
  std::string refusal; // non-empty: why the scalar is refused (ambiguous, out of range)
};

/// Resolves a plain (unquoted) scalar; a key is only checked for ambiguity.
ResolvedScalar resolve_plain_scalar(std::string_view s, bool is_key);

} // namespace twin
