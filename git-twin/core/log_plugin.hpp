// SPDX-License-Identifier: MIT
// The log plugin interface (DESIGN.md section 6, kind "logs"). A log plugin reads what the
// machine has been saying (the journal, files under /var/log) and returns a capture: text
// files for logs/current/ and its part of logs/current/index.yaml. It never writes: the
// capture engine (core/log_capture.hpp) redacts, rotates and writes.
//
// Log plugins are listed in the one registry (plugins/registry.cpp) apart from the config
// plugins: they have no desired state of their own (state/logs_config.yaml is shared) and
// take no part in plan and apply.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/logs_config.hpp"
#include "core/runner.hpp"
#include "core/system_root.hpp"
#include "core/value.hpp"

namespace twin {

struct LogContext {
  const SystemRoot& root;
  Runner& runner;
  const LogsConfig& settings;
  std::chrono::system_clock::time_point now; // "the last hour" ends here
};

/// One captured text file, by its path below logs/current/ ("systemd/journal_tail.txt").
struct CaptureFile {
  std::string path;
  std::string text;
};

struct LogCapture {
  std::vector<CaptureFile> files;
  Value summary = Value::map(); // this plugin's part of index.yaml (under index_key())
  std::vector<std::string> warnings;
};

/// An index list of [{name, count}] ("failed_units", "auth_failure_sources"), in the
/// order given.
Value name_counts(const std::vector<std::pair<std::string, std::size_t>>& counts);

class LogPlugin {
public:
  virtual ~LogPlugin() = default;
  virtual std::string_view name() const = 0;      // "logs.systemd_journal"
  virtual std::string_view index_key() const = 0; // its key in index.yaml: "journal"
  virtual std::string_view summary() const = 0;   // one line for the manifest

  /// Why there is nothing to capture here (no journal below the root, disabled in
  /// state/logs_config.yaml); nullopt when dump_logs should run.
  virtual std::optional<std::string> detect(const LogContext& ctx) const = 0;
  /// Reads the logs. Text is returned as read: the engine redacts files and summary.
  virtual Result<LogCapture> dump_logs(const LogContext& ctx) const = 0;
};

} // namespace twin
