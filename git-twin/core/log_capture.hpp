// SPDX-License-Identifier: MIT
// The log capture engine: runs the log plugins, redacts what they return, and keeps
// logs/current/ (captures + index.yaml) and the rotated logs/<UTC timestamp>/ directories.
//
// - A capture that finds exactly what logs/current already holds changes nothing (an idle
//   machine makes no commit).
// - Otherwise the previous logs/current moves to logs/<its captured_at>/ (YYYYMMDDTHHMMSSZ)
//   and the new capture is written; all but the newest `keep` rotated captures are removed
//   from the tree (git history keeps them).
// - The index's `apply` part (written by apply, core/apply.hpp) is carried into each new
//   index, so the last apply stays in view.
// - Every capture file and every string of the index passes through redact_log_text;
//   a capture file over max_capture_kb loses its oldest lines.
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/log_plugin.hpp"
#include "core/runner.hpp"
#include "core/system_root.hpp"
#include "core/work_tree.hpp"

namespace twin {

inline constexpr std::string_view k_logs_index_path = "logs/current/index.yaml";

struct LogsReport {
  bool captured = false;             // logs/current was rewritten
  std::string rotated_to;            // "logs/<stamp>" that received the previous capture
  std::vector<std::string> pruned;   // rotated captures removed (beyond `keep`)
  std::vector<std::string> warnings; // "<plugin>: <text>", or about state/logs_config.yaml
};

/// Captures logs with `plugins` (in order) into the work tree. Reads state/logs_config.yaml
/// (defaults when absent; an invalid one is a warning and nothing is captured). A plugin
/// that fails is recorded as unavailable, with its error, and the others go on.
Result<LogsReport> capture_logs(WorkTree& tree, const SystemRoot& root, Runner& runner,
                                std::span<const LogPlugin* const> plugins,
                                std::chrono::system_clock::time_point now);

/// Every file below repository directory `dir`, as paths relative to it, sorted; empty when
/// `dir` does not exist.
Result<std::vector<std::string>> files_below(const WorkTree& tree, const std::string& dir);

/// "2026-11-22T11:49:12Z"
std::string iso_utc(std::chrono::system_clock::time_point time);

/// True for a rotated capture's directory name ("20261122T114912Z", "20261122T114912Z-2").
bool is_rotated_capture_name(std::string_view name);

/// Cuts the oldest lines of `text` until it fits in `max_bytes`.
std::string cap_capture(std::string text, std::size_t max_bytes);

} // namespace twin
