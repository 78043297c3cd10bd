// SPDX-License-Identifier: MIT
#include "plugins/files_mirror/exclude.hpp"

#include <fnmatch.h>

namespace twin::files {

ExcludeRules::ExcludeRules(const std::vector<std::string>& patterns) {
  for (const auto& glob : patterns) {
    // Runs of characters that match only themselves: no wildcard, class or escape.
    std::string longest, run;
    for (char c : glob) {
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
        run.clear();
        continue;
      }
      run += c;
      if (run.size() > longest.size())
        longest = run;
    }
    m_patterns.push_back({glob, longest});
  }
}

bool ExcludeRules::excluded(std::string_view path, std::string_view name) const {
  if (name == ".git" || name == ".hg" || name == ".svn" || name == ".gitattributes")
    return true;
  std::string p;
  for (const auto& pattern : m_patterns) {
    if (path.find(pattern.literal) == std::string_view::npos)
      continue;
    if (p.empty())
      p = std::string(path);
    if (fnmatch(pattern.glob.c_str(), p.c_str(), 0) == 0)
      return true;
  }
  return false;
}

} // namespace twin::files
