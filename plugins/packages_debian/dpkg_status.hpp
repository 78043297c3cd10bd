// SPDX-License-Identifier: MIT
// Parsers for dpkg's own databases, read directly (never by running dpkg-query, which costs
// a process and tens of milliseconds at every snapshot):
//   <root>/var/lib/dpkg/status          one stanza per package: Package, Status, Version, ...
//   <root>/var/lib/apt/extended_states  apt's marks: Auto-Installed: 1 for automatic packages
// Both are deb822 files: stanzas separated by blank lines, "Field: value" lines, and
// continuation lines that start with a space or a tab. Pure code, no I/O.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace twin::packages {

/// One package dpkg knows, as its status file describes it.
struct DpkgPackage {
  std::string name;
  std::string architecture;     // "amd64", "all", ... ("" when the stanza has none)
  std::string version;          // "1:2.36-9+deb12u4" ("" for packages never unpacked)
  std::string want;             // unknown | install | hold | deinstall | purge
  std::string flag;             // ok | reinstreq
  std::string status;           // not-installed | config-files | half-installed | unpacked |
                                // half-configured | triggers-awaited | triggers-pending | installed
  bool multi_arch_same = false; // Multi-Arch: same (co-installable for several architectures)
};

/// The packages of a status file, in file order. A stanza without Package or with a Status
/// that is not dpkg's three words ("install ok installed") is reported in `problems`
/// ("stanza at line N: ...") and skipped.
std::vector<DpkgPackage> parse_dpkg_status(std::string_view text,
                                           std::vector<std::string>* problems = nullptr);

/// The name an item is known by, as dpkg-query's ${binary:Package} has it: a Multi-Arch:
/// same package, which may be installed for several architectures, carries its own
/// ("libc6:amd64"); others are plain ("htop").
std::string binary_package_name(const DpkgPackage& package);

/// (name, architecture) of every package apt marked as automatically installed. apt writes
/// the native architecture for Architecture: all packages.
std::set<std::pair<std::string, std::string>> parse_auto_installed(std::string_view text);

} // namespace twin::packages
