// SPDX-License-Identifier: MIT
#include "plugins/packages_debian/debian_names.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace twin::packages {
namespace {

bool lower_or_digit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}
bool digit(char c) {
  return c >= '0' && c <= '9';
}

// How a character of a version sorts in dpkg: '~' before the end (and a digit run), the
// end before letters, letters before everything else.
int order(char c) {
  if (digit(c))
    return 0;
  if (std::isalpha(static_cast<unsigned char>(c)))
    return c;
  if (c == '~')
    return -1;
  if (c)
    return c + 256;
  return 0;
}

// dpkg's verrevcmp: alternating runs of non-digits (compared by order()) and digits
// (compared as numbers).
int compare_part(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  auto at = [](std::string_view s, std::size_t k) { return k < s.size() ? s[k] : '\0'; };
  while (i < a.size() || j < b.size()) {
    int first_diff = 0;
    while ((i < a.size() && !digit(a[i])) || (j < b.size() && !digit(b[j]))) {
      int ac = order(at(a, i));
      int bc = order(at(b, j));
      if (ac != bc)
        return ac - bc;
      ++i;
      ++j;
    }
    while (at(a, i) == '0')
      ++i;
    while (at(b, j) == '0')
      ++j;
    while (digit(at(a, i)) && digit(at(b, j))) {
      if (!first_diff)
        first_diff = at(a, i) - at(b, j);
      ++i;
      ++j;
    }
    if (digit(at(a, i)))
      return 1;
    if (digit(at(b, j)))
      return -1;
    if (first_diff)
      return first_diff;
  }
  return 0;
}

struct Parts {
  long long epoch = 0;
  std::string_view upstream, revision;
};

Parts split(std::string_view v) {
  Parts p;
  if (auto colon = v.find(':'); colon != std::string_view::npos) {
    // A malformed epoch (a damaged status file) counts as 0: comparing never throws.
    std::string_view epoch = v.substr(0, colon);
    if (std::from_chars(epoch.data(), epoch.data() + epoch.size(), p.epoch).ec != std::errc())
      p.epoch = 0;
    v.remove_prefix(colon + 1);
  }
  if (auto dash = v.rfind('-'); dash != std::string_view::npos) {
    p.revision = v.substr(dash + 1);
    v = v.substr(0, dash);
  }
  p.upstream = v;
  return p;
}

} // namespace

Status check_package_name(std::string_view name) {
  std::string_view package = name, arch;
  if (auto colon = name.find(':'); colon != std::string_view::npos) {
    package = name.substr(0, colon);
    arch = name.substr(colon + 1);
    if (arch.empty() || !std::all_of(arch.begin(), arch.end(),
                                     [](char c) { return lower_or_digit(c) || c == '-'; }))
      return fail("'{}' is not a package name: the architecture after ':' may hold only "
                  "a-z, 0-9 and '-'",
                  name);
  }
  if (package.size() < 2)
    return fail("'{}' is not a package name: Debian names have at least two characters", name);
  if (!lower_or_digit(package.front()))
    return fail("'{}' is not a package name: it must start with a lowercase letter or a digit",
                name);
  auto bad = std::find_if(package.begin(), package.end(), [](char c) {
    return !lower_or_digit(c) && c != '+' && c != '-' && c != '.';
  });
  if (bad != package.end())
    return fail("'{}' is not a package name: Debian names hold only a-z, 0-9, '+', '-' and '.'",
                name);
  return {};
}

Status check_version(std::string_view version) {
  auto refuse = [&](std::string_view why) -> Status {
    return fail("'{}' is not a Debian version: {}", version, why);
  };
  std::string_view rest = version;
  bool has_epoch = false;
  if (auto colon = rest.find(':'); colon != std::string_view::npos) {
    std::string_view epoch = rest.substr(0, colon);
    if (epoch.empty() || epoch.size() > 9 || !std::all_of(epoch.begin(), epoch.end(), digit))
      return refuse("the epoch before ':' must be a number");
    has_epoch = true;
    rest.remove_prefix(colon + 1);
  }
  std::string_view upstream = rest, revision;
  bool has_revision = false;
  if (auto dash = rest.rfind('-'); dash != std::string_view::npos) {
    upstream = rest.substr(0, dash);
    revision = rest.substr(dash + 1);
    has_revision = true;
    if (revision.empty())
      return refuse("the revision after the last '-' is empty");
    if (!std::all_of(revision.begin(), revision.end(),
                     [](char c) { return alnum(c) || c == '.' || c == '+' || c == '~'; }))
      return refuse("the revision may hold only A-Z, a-z, 0-9, '.', '+' and '~'");
  }
  if (upstream.empty())
    return refuse("the upstream version is empty");
  if (!digit(upstream.front()))
    return refuse("the upstream version must start with a digit");
  auto allowed = [&](char c) {
    return alnum(c) || c == '.' || c == '+' || c == '~' || (c == '-' && has_revision) ||
           (c == ':' && has_epoch);
  };
  if (!std::all_of(upstream.begin(), upstream.end(), allowed))
    return refuse("the upstream version may hold only A-Z, a-z, 0-9, '.', '+', '~' (and '-' "
                  "with a revision, ':' with an epoch)");
  return {};
}

int compare_versions(std::string_view a, std::string_view b) {
  Parts x = split(a), y = split(b);
  if (x.epoch != y.epoch)
    return x.epoch < y.epoch ? -1 : 1;
  if (int c = compare_part(x.upstream, y.upstream))
    return c < 0 ? -1 : 1;
  int c = compare_part(x.revision, y.revision);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

std::string_view base_name(std::string_view name) {
  return name.substr(0, name.find(':'));
}

} // namespace twin::packages
