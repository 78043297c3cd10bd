// SPDX-License-Identifier: MIT
#include "plugins/logs_systemd_journal/journal_summary.hpp"

namespace twin::logs {
namespace {

constexpr std::string_view k_unit_failed_id = "d9b373ed55a64feb8242e02dbe79a49c";
constexpr std::string_view k_process_exit_id = "98e322203f7a4ed290d09fe03c09fe15";
constexpr std::string_view k_coredump_id = "fc2e22bc6ee647b6b90729ab34a250b1";

// The unit a systemd message is about (UNIT for system units, USER_UNIT for user ones).
std::string_view subject_unit(const JournalEntry& e) {
  std::string_view unit = e.field("UNIT");
  return unit.empty() ? e.field("USER_UNIT") : unit;
}

bool is_failure(const JournalEntry& e) {
  if (e.field("MESSAGE_ID") == k_unit_failed_id)
    return true;
  return e.field("MESSAGE").find("Failed with result '") != std::string_view::npos;
}

bool is_dumped_exit(const JournalEntry& e) {
  if (e.field("MESSAGE_ID") == k_process_exit_id)
    return e.field("EXIT_CODE") == "dumped";
  return e.field("MESSAGE").find("code=dumped") != std::string_view::npos;
}

} // namespace

PriorityCounts count_priorities(std::span<const JournalEntry> entries, std::uint64_t since_us) {
  PriorityCounts counts;
  for (const auto& e : entries) {
    auto p = e.priority();
    if (!p || e.realtime_us() < since_us)
      continue;
    counts.errors += *p <= 3;
    counts.warnings += *p == 4;
  }
  return counts;
}

BootSummary summarize_boot(std::span<const JournalEntry> entries) {
  BootSummary s;
  std::map<std::string, std::size_t> coredumps;
  for (const auto& e : entries) {
    s.boot_id = std::string(e.field("_BOOT_ID"));
    if (auto p = e.priority()) {
      s.counts.errors += *p <= 3;
      s.counts.warnings += *p == 4;
      if (*p <= 3)
        s.error_lines.push_back(format_journal_line(e));
    }
    std::string unit(subject_unit(e));
    if (!unit.empty() && is_failure(e))
      ++s.failed_units[unit];
    if (!unit.empty() && is_dumped_exit(e))
      ++s.crashed_units[unit];
    if (e.field("MESSAGE_ID") == k_coredump_id && !e.field("COREDUMP_UNIT").empty())
      ++coredumps[std::string(e.field("COREDUMP_UNIT"))];
  }
  // systemd-coredump reports the same crash that systemd logged as an exit: counted once,
  // from whichever of the two the journal has.
  for (const auto& [unit, n] : coredumps)
    if (!s.crashed_units.count(unit))
      s.crashed_units[unit] = n;
  return s;
}

} // namespace twin::logs
