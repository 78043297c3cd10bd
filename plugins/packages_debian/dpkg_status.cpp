// SPDX-License-Identifier: MIT
#include "plugins/packages_debian/dpkg_status.hpp"

#include <fmt/format.h>

namespace twin::packages {
namespace {

struct Field {
  std::string_view name, value; // value: the first line only (what these parsers need)
};

struct Stanza {
  std::size_t line = 0; // 1-based line of its first field
  std::vector<Field> fields;
  std::string_view get(std::string_view name) const {
    for (const auto& f : fields)
      if (f.name.size() == name.size() &&
          std::equal(name.begin(), name.end(), f.name.begin(), [](char a, char b) {
            return (a | 0x20) == (b | 0x20); // field names are case-insensitive
          }))
        return f.value;
    return {};
  }
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Calls `visit` for each stanza. Continuation lines (a space or tab first) belong to the
// field above them and are skipped: Description and Conffiles are not recorded.
template <class Visit> void for_each_stanza(std::string_view text, Visit visit) {
  Stanza stanza;
  std::size_t line_no = 0;
  while (!text.empty() || !stanza.fields.empty()) {
    std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    ++line_no;
    if (trim(line).empty()) {
      if (!stanza.fields.empty())
        visit(stanza);
      stanza = Stanza{};
      if (text.empty())
        break;
      continue;
    }
    if (line.front() == ' ' || line.front() == '\t')
      continue;
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos)
      continue; // not a field: ignored, as dpkg's own parser would refuse it
    if (stanza.fields.empty())
      stanza.line = line_no;
    stanza.fields.push_back({trim(line.substr(0, colon)), trim(line.substr(colon + 1))});
  }
}

} // namespace

std::vector<DpkgPackage> parse_dpkg_status(std::string_view text,
                                           std::vector<std::string>* problems) {
  std::vector<DpkgPackage> out;
  for_each_stanza(text, [&](const Stanza& s) {
    DpkgPackage p;
    p.name = s.get("Package");
    std::string_view status = s.get("Status");
    std::size_t first = status.find(' ');
    std::size_t second = first == std::string_view::npos ? first : status.find(' ', first + 1);
    if (p.name.empty() || second == std::string_view::npos ||
        status.find(' ', second + 1) != std::string_view::npos) {
      if (problems)
        problems->push_back(
            fmt::format("stanza at line {}: {}", s.line,
                        p.name.empty() ? "no Package field" : "Status is not 'want flag status'"));
      return;
    }
    p.want = status.substr(0, first);
    p.flag = status.substr(first + 1, second - first - 1);
    p.status = status.substr(second + 1);
    p.architecture = s.get("Architecture");
    p.version = s.get("Version");
    out.push_back(std::move(p));
  });
  return out;
}

std::set<std::pair<std::string, std::string>> parse_auto_installed(std::string_view text) {
  std::set<std::pair<std::string, std::string>> out;
  for_each_stanza(text, [&](const Stanza& s) {
    if (s.get("Auto-Installed") == "1" && !s.get("Package").empty())
      out.emplace(std::string(s.get("Package")), std::string(s.get("Architecture")));
  });
  return out;
}

} // namespace twin::packages
