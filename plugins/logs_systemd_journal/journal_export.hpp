// SPDX-License-Identifier: MIT
// The journal export format (systemd's "Journal Export Format", what `journalctl -o export`
// prints): entries separated by an empty line; each field "NAME=value\n", or, for a value
// holding a newline or binary data, "NAME\n", a little-endian 64-bit length, the bytes and
// "\n". Pure; the input may be cut short or malformed, and the parser never reads past it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace twin::logs {

struct JournalEntry {
  std::map<std::string, std::string, std::less<>> fields;

  /// The field's value, or "" when absent.
  std::string_view field(std::string_view name) const;
  /// PRIORITY as a number (0 emerg ... 7 debug); nullopt when absent or not a digit.
  std::optional<int> priority() const;
  /// __REALTIME_TIMESTAMP in microseconds since the epoch; 0 when absent.
  std::uint64_t realtime_us() const;
};

/// Parses an export stream. An entry cut off at the end is kept with the fields it has; a
/// malformed line ends the parse (what came before is returned).
std::vector<JournalEntry> parse_journal_export(std::string_view text);

/// One entry as a log line, like journalctl's short-iso in UTC:
/// "2026-11-22T08:26:41Z box nginx[812]: message". Continuation lines of a multi-line
/// message are indented; control characters become spaces.
std::string format_journal_line(const JournalEntry& entry);

} // namespace twin::logs
