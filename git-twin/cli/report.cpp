// SPDX-License-Identifier: MIT
#include "cli/report.hpp"

#include <fmt/format.h>

#include "core/output.hpp"

namespace twin::cli {

int print_snapshot_report(const SnapshotReport& report) {
  for (const auto& p : report.plugins) {
    for (const auto& w : p.warnings)
      print_warning(fmt::format("{}: {}", p.plugin, w));
    if (p.error) {
      print_error(fmt::format("{}: {}", p.plugin, *p.error));
      continue;
    }
    std::string line = fmt::format("{}: {} observed, {}", p.plugin, p.resources,
                                   p.live_changed ? "changed since the last sync" : "unchanged");
    if (p.copies_written)
      line += fmt::format(" ({} file{} updated in live/)", p.copies_written,
                          p.copies_written == 1 ? "" : "s");
    if (!p.adopt.adopted.empty())
      line += fmt::format("; adopted {} into state/", p.adopt.adopted.size());
    if (!p.adopt.conflicts.empty())
      line += fmt::format("; {} conflict{} left alone", p.adopt.conflicts.size(),
                          p.adopt.conflicts.size() == 1 ? "" : "s");
    fmt::print("{}\n", line);
  }
  if (report.logs) {
    for (const auto& w : report.logs->warnings)
      print_warning("logs: " + w);
    std::string line =
        report.logs->captured ? "logs: captured into logs/current" : "logs: unchanged";
    if (!report.logs->rotated_to.empty())
      line += fmt::format(" (the previous capture is now {})", report.logs->rotated_to);
    if (std::size_t n = report.logs->pruned.size())
      line += fmt::format("; {} older capture{} pruned", n, n == 1 ? "" : "s");
    fmt::print("{}\n", line);
  }
  if (report.commit)
    fmt::print("committed {}\n", report.commit->substr(0, 12));
  if (!report.base_kept.empty())
    print_hint("the sync base stays where it was " + report.base_kept);
  return report.failed() ? 1 : 0;
}

} // namespace twin::cli
