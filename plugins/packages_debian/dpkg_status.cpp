// SPDX-License-Identifier: MIT
#include "plugins/packages_debian/dpkg_status.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

namespace twin::packages {
namespace {

// The fields these parsers read. Others (Depends, Description, Conffiles...) are skipped
// as they are met: a status file holds about a kilobyte per package, mostly those.
enum class Key { package, status, architecture, version, auto_installed, count };
constexpr std::string_view k_keys[] = {"package", "status", "architecture", "version",
                                       "auto-installed"};

// Field names are case-insensitive (deb822).
std::optional<Key> key_of(std::string_view name) {
  for (std::size_t i = 0; i < std::size(k_keys); ++i)
    if (name.size() == k_keys[i].size() &&
        std::equal(name.begin(), name.end(), k_keys[i].begin(),
                   [](char a, char b) { return (a | 0x20) == b; }))
      return static_cast<Key>(i);
  return std::nullopt;
}

struct Stanza {
  std::size_t line = 0; // 1-based line of its first field
  bool any = false;
  std::string_view values[static_cast<std::size_t>(Key::count)];
  std::string_view get(Key key) const { return values[static_cast<std::size_t>(key)]; }
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Calls `visit` for each stanza. Continuation lines (a space or tab first) belong to the
// field above them: none of the fields read here has any.
template <class Visit> void for_each_stanza(std::string_view text, Visit visit) {
  Stanza stanza;
  std::size_t line_no = 0;
  for (;;) {
    std::size_t eol = text.find('\n');
    bool last = eol == std::string_view::npos;
    std::string_view line = text.substr(0, eol);
    ++line_no;
    if (trim(line).empty()) {
      if (stanza.any)
        visit(stanza);
      stanza = Stanza{};
    } else if (line.front() != ' ' && line.front() != '\t') {
      std::size_t colon = line.find(':');
      if (colon != std::string_view::npos) { // else not a field: dpkg would refuse it too
        if (!stanza.any)
          stanza.line = line_no;
        stanza.any = true;
        if (auto key = key_of(trim(line.substr(0, colon))))
          stanza.values[static_cast<std::size_t>(*key)] = trim(line.substr(colon + 1));
      }
    }
    if (last) {
      if (stanza.any)
        visit(stanza);
      return;
    }
    text.remove_prefix(eol + 1);
  }
}

} // namespace

std::vector<DpkgPackage> parse_dpkg_status(std::string_view text,
                                           std::vector<std::string>* problems) {
  std::vector<DpkgPackage> out;
  for_each_stanza(text, [&](const Stanza& s) {
    DpkgPackage p;
    p.name = s.get(Key::package);
    std::string_view status = s.get(Key::status);
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
    p.architecture = s.get(Key::architecture);
    p.version = s.get(Key::version);
    out.push_back(std::move(p));
  });
  return out;
}

std::set<std::pair<std::string, std::string>> parse_auto_installed(std::string_view text) {
  std::set<std::pair<std::string, std::string>> out;
  for_each_stanza(text, [&](const Stanza& s) {
    if (s.get(Key::auto_installed) == "1" && !s.get(Key::package).empty())
      out.emplace(std::string(s.get(Key::package)), std::string(s.get(Key::architecture)));
  });
  return out;
}

} // namespace twin::packages
