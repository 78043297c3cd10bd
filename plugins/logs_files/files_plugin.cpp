// SPDX-License-Identifier: MIT
#include "plugins/logs_files/files_plugin.hpp"

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include "plugins/logs_files/log_lines.hpp"

namespace twin::logs {
namespace {

constexpr std::size_t k_last_errors = 5;  // error lines repeated in index.yaml
constexpr std::size_t k_top_sources = 10; // failed-login sources listed in index.yaml

Value top_sources(const std::map<std::string, std::size_t>& sources) {
  std::vector<std::pair<std::string, std::size_t>> sorted(sources.begin(), sources.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (sorted.size() > k_top_sources)
    sorted.resize(k_top_sources);
  return name_counts(sorted);
}

Value scan_source(const LogContext& ctx, const LogFileSource& source, LogCapture& capture) {
  Value entry;
  entry["path"] = source.path;
  auto tail = ctx.root.read_tail(source.path, ctx.settings.files.scan_bytes);
  if (!tail) {
    entry["present"] = false;
    if (ctx.root.exists(source.path))
      entry["reason"] = tail.error().message;
    return entry;
  }
  std::string_view text = whole_lines(tail->text, tail->size > tail->text.size());
  LogScan scan = scan_log_text(text, k_last_errors);
  std::string lines = last_lines(text, ctx.settings.files.tail_lines);
  std::string file = fmt::format("files/{}_tail.txt", source.name);
  entry["present"] = true;
  entry["capture"]["file"] = "logs/current/" + file;
  entry["capture"]["lines"] =
      static_cast<std::int64_t>(std::count(lines.begin(), lines.end(), '\n'));
  entry["scanned_lines"] = static_cast<std::int64_t>(scan.lines);
  entry["error_lines"] = static_cast<std::int64_t>(scan.error_lines);
  entry["auth_failures"] = static_cast<std::int64_t>(scan.auth_failures);
  if (!scan.auth_sources.empty())
    entry["auth_failure_sources"] = top_sources(scan.auth_sources);
  Value& last = entry["last_errors"] = Value::list();
  for (auto& line : scan.last_errors)
    last.push_back(std::move(line));
  capture.files.push_back({std::move(file), std::move(lines)});
  return entry;
}

} // namespace

std::string_view LogFiles::summary() const {
  return "tails of log files below the root (syslog, auth.log, ...), error lines and failed "
         "logins";
}

std::optional<std::string> LogFiles::detect(const LogContext& ctx) const {
  if (!ctx.settings.files.enabled)
    return "disabled in state/logs_config.yaml";
  if (ctx.settings.files.sources.empty())
    return "no files.sources in state/logs_config.yaml";
  return std::nullopt;
}

Result<LogCapture> LogFiles::dump_logs(const LogContext& ctx) const {
  LogCapture capture;
  Value& sources = capture.summary["sources"] = Value::map();
  for (const auto& source : ctx.settings.files.sources)
    sources[source.name] = scan_source(ctx, source, capture);
  capture.summary["available"] = true;
  return capture;
}

} // namespace twin::logs
