// SPDX-License-Identifier: MIT
#include "plugins/files_mirror/exclude.hpp"

#include <fnmatch.h>

namespace twin::files {

bool ExcludeRules::excluded(std::string_view path, std::string_view name) const {
  if (name == ".git" || name == ".hg" || name == ".svn" || name == ".gitattributes")
    return true;
  std::string p(path);
  for (const auto& pattern : m_patterns)
    if (fnmatch(pattern.c_str(), p.c_str(), 0) == 0)
      return true;
  return false;
}

} // namespace twin::files
