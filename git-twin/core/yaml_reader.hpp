// SPDX-License-Identifier: MIT
// Strict YAML reader: text -> Value with a Mark on every node.
//
// Built on yaml-cpp's event parser (YAML::Parser + EventHandler), not YAML::Node: the node
// API is slow on large documents (about 6 MB/s) and accepts duplicate keys silently.
// Rules, all reported as "<file>:<line>:<col>: <message>" (1-based):
//   - one document; an empty document is an empty map
//   - duplicate keys, non-scalar keys, anchors and aliases are refused
//   - plain scalars resolve by the YAML 1.2 core schema: null (~, null, empty), true/false,
//     decimal integers, reals (incl. .inf/.nan); anything else is a string
//   - quoted scalars and "!"-tagged ones are always strings
//   - plain scalars that YAML 1.1 readers would take differently are refused with a hint to
//     quote them: yes/no/on/off/y/n (any case) and numbers with a leading zero (0644)
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/value.hpp"

namespace twin {

/// Parses `text`; `source_name` is used in error messages (for example "state/files.yaml").
/// Documents in the block style our emitter writes take a fast path
/// (yaml_block_reader.hpp); everything else, and every error, comes from yaml-cpp.
Result<Value> parse_yaml(std::string_view text, std::string_view source_name);

/// The yaml-cpp path alone: what parse_yaml falls back to, and what the differential test
/// compares the fast path with.
Result<Value> parse_yaml_full(std::string_view text, std::string_view source_name);

} // namespace twin
