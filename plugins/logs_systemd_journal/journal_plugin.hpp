// SPDX-License-Identifier: MIT
// logs.systemd_journal: captures systemd/journal_tail.txt (the last entries of the journal)
// and systemd/errors_last_boot.txt (the errors of the last boot), counts warnings and errors
// in the last hour, and lists units that failed or crashed since the last boot.
//
// journalctl runs by argv with a timeout and its export output is parsed here, so nothing
// depends on its locale or time zone. The root's journal is read with --root when the root
// is not "/" (journalctl then reads <root>/var/log/journal and <root>/run/log/journal).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/log_plugin.hpp"

namespace twin::logs {

/// The journalctl argv for one query: `query` are the selecting options ("-b", "-p",
/// "warning", "-n", "200"); the root option and the export output options are added.
std::vector<std::string> journalctl_argv(const SystemRoot& root,
                                         const std::vector<std::string>& query);

class SystemdJournal final : public LogPlugin {
public:
  std::string_view name() const override { return "logs.systemd_journal"; }
  std::string_view index_key() const override { return "journal"; }
  std::string_view summary() const override;
  std::optional<std::string> detect(const LogContext& ctx) const override;
  Result<LogCapture> dump_logs(const LogContext& ctx) const override;
};

} // namespace twin::logs
