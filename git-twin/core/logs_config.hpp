// SPDX-License-Identifier: MIT
// state/logs_config.yaml: which logs a snapshot captures into logs/current, and how much
// (schema/logs_config.schema.json). init writes the defaults; every field may be left out.
// It is desired state the owner edits like any other, but it changes nothing on the
// machine: the log plugins only read.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/value.hpp"

namespace twin {

inline constexpr std::string_view k_logs_config_path = "state/logs_config.yaml";

struct LogFileSource {
  std::string name; // files/<name>_tail.txt
  std::string path; // logical path below the root
};

struct LogsConfig {
  std::size_t keep = 10;                      // rotated captures kept
  std::size_t max_capture_bytes = 256 * 1024; // cap of one capture file
  struct Journal {
    bool enabled = true;
    std::size_t tail_lines = 200;
    std::size_t error_lines = 200;
    std::size_t scan_entries = 10000;
    std::chrono::seconds timeout{30};
  } journal;
  struct Files {
    bool enabled = true;
    std::size_t tail_lines = 200;
    std::size_t scan_bytes = 1024 * 1024;
    std::vector<LogFileSource> sources{{"syslog", "/var/log/syslog"},
                                       {"auth", "/var/log/auth.log"},
                                       {"nginx_error", "/var/log/nginx/error.log"}};
  } files;
};

/// The document init writes: every setting with its default.
Value default_logs_config_document();

/// Schema and semantic problems (duplicate names, paths that are not normal logical paths)
/// of state/logs_config.yaml, formatted "<file>:<line>:<col>: <pointer>: <message>".
std::vector<std::string> check_logs_config_document(std::string_view file, std::string_view text);

/// The typed settings of a document that passed check_logs_config_document.
LogsConfig logs_config_from_document(const Value& document);

} // namespace twin
