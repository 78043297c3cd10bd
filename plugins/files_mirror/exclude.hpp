// SPDX-License-Identifier: MIT
// Which paths files.mirror leaves out.
//
// A pattern is a shell glob matched against the whole logical path with fnmatch(3)
// without FNM_PATHNAME, so "*" also matches "/": "/etc/*.dpkg-old" excludes such files at
// any depth below /etc. A pattern that matches a directory excludes everything under it.
// Built in, whatever the config says: nested repositories (.git, .hg, .svn: etckeeper keeps
// /etc/.git) and .gitattributes files, which git would apply to the mirror itself.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace twin::files {

class ExcludeRules {
public:
  explicit ExcludeRules(const std::vector<std::string>& patterns);
  /// `name` is the last component of `path` (already split by the walker).
  bool excluded(std::string_view path, std::string_view name) const;

private:
  // fnmatch runs for every path and every pattern, so each pattern keeps what a match
  // needs: its literal prefix and suffix (before the first and after the last wildcard),
  // and its longest literal run (for patterns with wildcards at both ends). A path without
  // them cannot match, and fnmatch is skipped. A pattern without wildcards is compared.
  struct Pattern {
    std::string glob;
    std::string prefix, suffix, literal;
    bool exact = false;
  };
  std::vector<Pattern> m_patterns;
};

} // namespace twin::files
