// SPDX-License-Identifier: MIT
// The hook shims `git twin init` installs into $GIT_DIR/hooks.
//
// Each shim is a few lines of sh: it runs the hook that was there before (moved aside to
// <name>.before-twin, so a user's hook is chained, never overwritten), then
// `git twin hook <name> "$@"`. A missing git-twin only skips our part, with a note.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace twin::hooks {

/// The hooks git-twin installs.
std::span<const std::string_view> hook_names();

/// The text of the shim for `name`.
std::string shim_text(std::string_view name);

/// True when `text` is a shim we wrote (so reinstalling replaces it instead of chaining it).
bool is_shim(std::string_view text);

/// Installs every shim into `hooks_dir`, chaining hooks that are already there. Returns one
/// line per hook saying what was done ("installed", "chained existing pre-commit").
Result<std::vector<std::string>> install_shims(const std::string& hooks_dir);

} // namespace twin::hooks
