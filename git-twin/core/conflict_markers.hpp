// SPDX-License-Identifier: MIT
// Unresolved merge conflicts in a text file: the lines git (and the twin-yaml merge
// driver) write around the two sides of a conflict.
//
// A state file that still has them is not desired state: validate and pre-commit refuse
// it with the line to look at, before the YAML parser reports something less helpful.
// Markers are recognised where git writes them: at the start of a line, seven characters,
// then a space and a label or the end of the line ("=======" stands alone).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace twin {

struct ConflictMarker {
  int line = 0;            // 1-based
  std::string_view marker; // "<<<<<<<", "|||||||", "=======" or ">>>>>>>"
};

/// The first conflict marker line of `text`; nullopt when there is none.
std::optional<ConflictMarker> find_conflict_marker(std::string_view text);

/// "<file>:<line>: unresolved merge conflict (<<<<<<<): keep one side and delete the
/// markers" for the first marker of `text`; nullopt when there is none.
std::optional<std::string> conflict_marker_error(std::string_view file, std::string_view text);

} // namespace twin
