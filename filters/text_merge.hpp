// SPDX-License-Identifier: MIT
// The line-based 3-way merge of git itself (`git merge-file`), for files the structural
// merge does not understand (an encrypted /etc/shadow, a malformed fragment) and as the
// first try for state fragments, whose clean line merge keeps people's comments and layout.
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/runner.hpp"

namespace twin::filters {

struct TextMerge {
  std::string text;      // the result; with conflict markers when `conflict`
  bool conflict = false; // markers labelled ours, base (with diff3) and theirs
};

struct TextMergeOptions {
  bool diff3 = false;      // also show the base version in conflict blocks
  std::string scratch_dir; // where the three inputs are written for git (a private
                           // subdirectory is made there and removed); empty: $TMPDIR or /tmp
};

/// Runs `git merge-file -p` on the three texts. Fails when git cannot merge them (binary
/// content) or cannot be run.
Result<TextMerge> merge_text(std::string_view base, std::string_view ours, std::string_view theirs,
                             Runner& runner, const TextMergeOptions& options = {});

} // namespace twin::filters
