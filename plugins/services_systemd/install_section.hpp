// SPDX-License-Identifier: MIT
// The [Install] section of a unit file, parsed the way systemd 252 does for enablement
// (src/shared/conf-parser.c config_parse + the Install table of src/shared/install.c), pure.
//
// What counts: line ends \n, \r\n or \r; a line whose first non-blank character is '#' or
// ';' is a comment, even in the middle of a continuation; a line ending in an unescaped
// backslash continues on the next one (the backslash becomes a space); "[Name]" starts a
// section, and a header without its closing bracket or a line of invalid UTF-8 makes the
// whole file unparsable (systemctl then reports the unit as "bad"). Only [Install] is read:
// Alias=, WantedBy=, RequiredBy=, UpheldBy= are word lists (quotes removed; an empty value
// clears the list), Also= names units, DefaultInstance= applies to templates only.
// Specifiers (%i, %n, ...) are kept as written: a state is decided by whether a list is
// empty and by Alias= names, which rarely use them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace twin::services {

struct InstallSection {
  std::vector<std::string> aliases;
  std::vector<std::string> wanted_by;
  std::vector<std::string> required_by;
  std::vector<std::string> upheld_by;
  std::vector<std::string> also;
  std::optional<std::string> default_instance;

  /// install_info_has_rules(): enabling would create symlinks.
  bool has_rules() const {
    return !aliases.empty() || !wanted_by.empty() || !required_by.empty() || !upheld_by.empty();
  }
};

/// Parses `text` (a unit file or a drop-in of the unit `unit_name`) into `install`, adding to
/// what is already there, as systemd does when it reads drop-ins after the unit file.
/// Returns false when systemd would fail to parse the file.
bool parse_install_section(std::string_view text, std::string_view unit_name,
                           InstallSection& install);

/// The logical lines of a unit file after comments and continuations (for tests and for
/// parse_install_section): each is stripped of surrounding whitespace; empty ones dropped.
std::vector<std::string> unit_file_lines(std::string_view text);

} // namespace twin::services
