// SPDX-License-Identifier: MIT
// What a person wants to know first from the journal: how many errors and warnings lately,
// which units failed or crashed since the last boot, and the last error lines. Pure: works
// on parsed export entries (journal_export.hpp).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "plugins/logs_systemd_journal/journal_export.hpp"

namespace twin::logs {

struct PriorityCounts {
  std::size_t errors = 0;   // PRIORITY 0-3 (emerg, alert, crit, err)
  std::size_t warnings = 0; // PRIORITY 4
};

/// Counts the entries at or after `since_us` (microseconds since the epoch).
PriorityCounts count_priorities(std::span<const JournalEntry> entries, std::uint64_t since_us);

struct BootSummary {
  std::string boot_id; // of the last entry
  PriorityCounts counts;
  // Unit name -> how many times. Failed: systemd's "Failed with result" (MESSAGE_ID
  // d9b373ed55a64feb8242e02dbe79a49c). Crashed: a main process that dumped core (EXIT_CODE
  // dumped, or "code=dumped"), or a systemd-coredump report (COREDUMP_UNIT).
  std::map<std::string, std::size_t> failed_units;
  std::map<std::string, std::size_t> crashed_units;
  std::vector<std::string> error_lines; // every error entry, formatted, oldest first
};

/// Summarises the warnings and errors of one boot (what `journalctl -b -p warning` gives).
BootSummary summarize_boot(std::span<const JournalEntry> entries);

} // namespace twin::logs
