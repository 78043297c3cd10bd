// SPDX-License-Identifier: MIT
// Canonical YAML emitter: Value -> text, byte-stable.
//
// The same Value always gives the same bytes, so an unchanged machine snapshots to
// identical files and git sees nothing. Our own writer (not YAML::Emitter, which leaves
// yes/on/0755 unquoted, has literal-block bugs and runs at about 5 MB/s):
//   - block style, two-space indent; lists of maps as "- key: value" items
//   - map keys in canonical order: identity keys first (name, path, user, id), then the
//     rest sorted bytewise
//   - a string is written plain only when every YAML 1.1 and 1.2 reader reads it back as
//     that same string; otherwise double-quoted with escapes (\n, \t, \", \\, \uNNNN;
//     never \xNN, which yaml-cpp reads back as a code point)
//   - empty map "{}", empty list "[]", null "null"; the text ends with one newline
#pragma once

#include <string>
#include <string_view>

#include "core/value.hpp"

namespace twin {

std::string emit_yaml(const Value& document);

/// Changes whenever emit_yaml writes some document differently: memos that remember what
/// a document's text was (live.memo via plugin fingerprints) fold it in.
inline constexpr int k_emitter_format = 2;

/// True when `s` may be written as a plain scalar (see above).
bool is_safe_plain_scalar(std::string_view s);

} // namespace twin
