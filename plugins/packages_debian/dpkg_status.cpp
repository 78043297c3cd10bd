// SPDX-License-Identifier: MIT
#include "plugins/packages_debian/dpkg_status.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

namespace twin::packages {
namespace {

// The fields these parsers read. Others (Depends, Description, Conffiles...) are skipped
// as they are met: a status file holds about a kilobyte per package, mostly those.
enum class Key { package, status, architecture, version, multi_arch, auto_installed, count };
constexpr std::string_view k_keys[] = {"package", "status",     "architecture",
                                       "version", "multi-arch", "auto-installed"};

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Field names are case-insensitive (deb822).
std::optional<Key> key_of(std::string_view name) {
  for (std::size_t i = 0; i < std::size(k_keys); ++i)
    if (name.size() == k_keys[i].size() &&
        std::equal(name.begin(), name.end(), k_keys[i].begin(),
                   [](char a, char b) { return ascii_lower(a) == b; }))
      return static_cast<Key>(i);
  return std::nullopt;
}

struct Stanza {
  std::size_t line = 0; // 1-based line of its first field
  bool any = false;
  std::string_view values[static_cast<std::size_t>(Key::count)];
  std::string_view get(Key key) const { return values[static_cast<std::size_t>(key)]; }
};

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && (is_blank(s.back()) || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Calls `visit` for each stanza. As in dpkg, only an empty line ends a stanza; a line of
// spaces is part of a multi-line value. Continuation lines (a space or tab first) belong to
// the field above them: none of the fields read here has any.
template <class Visit> void for_each_stanza(std::string_view text, Visit visit) {
  Stanza stanza;
  std::size_t line_no = 0;
  for (;;) {
    std::size_t eol = text.find('\n');
    bool last = eol == std::string_view::npos;
    std::string_view line = text.substr(0, eol);
    ++line_no;
    if (line.empty() || line == "\r") {
      if (stanza.any)
        visit(stanza);
      stanza = Stanza{};
    } else if (!is_blank(line.front())) {
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

// The words of a value, split at runs of spaces and tabs.
std::vector<std::string_view> words(std::string_view value) {
  std::vector<std::string_view> out;
  while (!(value = trim(value)).empty()) {
    std::size_t end = 0;
    while (end < value.size() && !is_blank(value[end]))
      ++end;
    out.push_back(value.substr(0, end));
    value.remove_prefix(end);
  }
  return out;
}

bool one_of(std::string_view word, std::initializer_list<std::string_view> allowed) {
  return std::find(allowed.begin(), allowed.end(), word) != allowed.end();
}

// Why a Status value is not dpkg's "want flag status", or "" when it is.
std::string status_problem(const std::vector<std::string_view>& w) {
  if (w.size() != 3)
    return "Status is not 'want flag status'";
  if (!one_of(w[0], {"unknown", "install", "hold", "deinstall", "purge"}))
    return fmt::format("unknown want '{}' in Status", w[0]);
  if (!one_of(w[1], {"ok", "reinstreq"}))
    return fmt::format("unknown flag '{}' in Status", w[1]);
  if (!one_of(w[2], {"not-installed", "config-files", "half-installed", "unpacked",
                     "half-configured", "triggers-awaited", "triggers-pending", "installed"}))
    return fmt::format("unknown status '{}' in Status", w[2]);
  return {};
}

} // namespace

std::vector<DpkgPackage> parse_dpkg_status(std::string_view text,
                                           std::vector<std::string>* problems) {
  std::vector<DpkgPackage> out;
  for_each_stanza(text, [&](const Stanza& s) {
    auto status = words(s.get(Key::status));
    std::string problem = s.get(Key::package).empty() ? "no Package field" : status_problem(status);
    if (!problem.empty()) {
      if (problems)
        problems->push_back(fmt::format("stanza at line {}: {}", s.line, problem));
      return;
    }
    DpkgPackage p;
    p.name = s.get(Key::package);
    p.want = status[0];
    p.flag = status[1];
    p.status = status[2];
    p.architecture = s.get(Key::architecture);
    p.version = s.get(Key::version);
    p.multi_arch_same = s.get(Key::multi_arch) == "same";
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

std::string binary_package_name(const DpkgPackage& package) {
  return package.multi_arch_same ? package.name + ":" + package.architecture : package.name;
}

} // namespace twin::packages
