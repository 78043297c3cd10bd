// SPDX-License-Identifier: MIT
#include "core/conflict_markers.hpp"

#include <fmt/format.h>

namespace twin {

std::optional<ConflictMarker> find_conflict_marker(std::string_view text) {
  static constexpr std::string_view markers[] = {"<<<<<<<", "|||||||", "=======", ">>>>>>>"};
  int line = 1;
  for (size_t start = 0; start < text.size(); ++line) {
    size_t end = text.find('\n', start);
    std::string_view content = text.substr(start, end == text.npos ? text.npos : end - start);
    if (!content.empty() && content.back() == '\r')
      content.remove_suffix(1);
    for (std::string_view m : markers) {
      if (content.substr(0, m.size()) != m)
        continue;
      std::string_view rest = content.substr(m.size());
      // "=======" separates the sides alone; the others carry a label after a space.
      if (rest.empty() || (m != "=======" && rest.front() == ' '))
        return ConflictMarker{line, m};
    }
    if (end == text.npos)
      break;
    start = end + 1;
  }
  return std::nullopt;
}

std::optional<std::string> conflict_marker_error(std::string_view file, std::string_view text) {
  auto found = find_conflict_marker(text);
  if (!found)
    return std::nullopt;
  return fmt::format("{}:{}: unresolved merge conflict ({}): keep one side and delete the markers",
                     file, found->line, found->marker);
}

} // namespace twin
