// SPDX-License-Identifier: MIT
// logs.files: tails the log files named in state/logs_config.yaml (files.sources) below the
// system root into files/<name>_tail.txt, and counts error lines and failed logins in the
// last files.scan_kb of each (log_lines.hpp). Files are read from their end through the
// SystemRoot seam, so a 2 GB syslog costs no more than a small one, and a symlink cannot
// lead outside the root. A source that is not there is recorded as absent, not an error.
#pragma once

#include "core/log_plugin.hpp"

namespace twin::logs {

class LogFiles final : public LogPlugin {
public:
  std::string_view name() const override { return "logs.files"; }
  std::string_view index_key() const override { return "files"; }
  std::string_view summary() const override;
  std::optional<std::string> detect(const LogContext& ctx) const override;
  Result<LogCapture> dump_logs(const LogContext& ctx) const override;
};

} // namespace twin::logs
