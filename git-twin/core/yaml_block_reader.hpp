// SPDX-License-Identifier: MIT
// A fast reader for the block-style subset of YAML that our emitter writes (and that most
// hand-edited state files stay within): block maps and lists, plain and double-quoted
// scalars, "[]" and "{}", comments.
//
// It either returns exactly the Value (and Marks) the full yaml-cpp reader would, or
// nullopt, and then the caller uses the full reader. Anything outside the subset or
// anything the full reader would refuse (a duplicate key, `yes`, `0644`) gives nullopt, so
// errors always come from one place. A differential test holds the two readers together.
#pragma once

#include <optional>
#include <string_view>

#include "core/value.hpp"

namespace twin {

std::optional<Value> parse_block_yaml(std::string_view text);

} // namespace twin
