// SPDX-License-Identifier: MIT
#include "plugins/files_mirror/exclude.hpp"

#include <fnmatch.h>

namespace twin::files {

namespace {

bool is_special(char c) {
  return c == '*' || c == '?' || c == '[' || c == ']' || c == '\\';
}

// The index of the ']' that closes the bracket expression opened at `open` (a ']' right
// after "[" or "[!" or "[^" is a member, not the end), or the last index when none does
// (then fnmatch reads the '[' as itself; treating the rest as wildcard is only cautious).
std::size_t bracket_end(const std::string& glob, std::size_t open) {
  std::size_t i = open + 1;
  if (i < glob.size() && (glob[i] == '!' || glob[i] == '^'))
    ++i;
  if (i < glob.size() && glob[i] == ']')
    ++i;
  for (; i < glob.size(); ++i) {
    if (glob[i] == '\\') {
      ++i;
    } else if (glob[i] == '[' && i + 1 < glob.size() &&
               std::string_view(":=.").find(glob[i + 1]) != std::string_view::npos) {
      // "[:digit:]", "[=a=]", "[.x.]" are single members, their ']' included.
      std::size_t close = glob.find(std::string{glob[i + 1], ']'}, i + 2);
      if (close != std::string::npos)
        i = close + 1;
    } else if (glob[i] == ']') {
      return i;
    }
  }
  return glob.size() - 1;
}

} // namespace

ExcludeRules::ExcludeRules(const std::vector<std::string>& patterns) {
  for (const auto& glob : patterns) {
    Pattern p{glob, {}, {}, {}, true};
    std::size_t first = 0;
    while (first < glob.size() && !is_special(glob[first]))
      ++first;
    p.exact = first == glob.size();
    p.prefix = glob.substr(0, first);
    if (!p.exact) {
      std::size_t last = glob.size();
      while (last > 0 && !is_special(glob[last - 1]))
        --last;
      p.suffix = glob.substr(last);
    }
    // Runs of characters that match only themselves: outside bracket expressions ("[~#]"
    // matches one of its characters, not the run "~#"), no wildcard, no escape.
    std::string run;
    for (std::size_t i = 0; i < glob.size(); ++i) {
      char c = glob[i];
      if (c == '[')
        i = bracket_end(glob, i);
      else if (c == '\\')
        ++i; // the escaped character: kept out of runs, to stay simple
      if (is_special(c)) {
        run.clear();
        continue;
      }
      run += c;
      if (run.size() > p.literal.size())
        p.literal = run;
    }
    m_patterns.push_back(std::move(p));
  }
}

bool ExcludeRules::excluded(std::string_view path, std::string_view name) const {
  if (name == ".git" || name == ".hg" || name == ".svn" || name == ".gitattributes")
    return true;
  std::string p;
  for (const auto& pattern : m_patterns) {
    if (pattern.exact) {
      if (path == pattern.glob)
        return true;
      continue;
    }
    if (path.size() < pattern.prefix.size() + pattern.suffix.size() ||
        path.substr(0, pattern.prefix.size()) != pattern.prefix ||
        path.substr(path.size() - pattern.suffix.size()) != pattern.suffix)
      continue;
    if (pattern.prefix.empty() && pattern.suffix.empty() &&
        path.find(pattern.literal) == std::string_view::npos)
      continue;
    if (p.empty())
      p = std::string(path);
    if (fnmatch(pattern.glob.c_str(), p.c_str(), 0) == 0)
      return true;
  }
  return false;
}

} // namespace twin::files
