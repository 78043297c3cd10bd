// SPDX-License-Identifier: MIT
#include "plugins/logs_systemd_journal/journal_plugin.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "plugins/logs_systemd_journal/journal_export.hpp"
#include "plugins/logs_systemd_journal/journal_summary.hpp"

namespace twin::logs {
namespace {

// What the captures and summaries use; the export format always adds the cursor, the
// timestamps and _BOOT_ID.
constexpr std::string_view k_fields =
    "MESSAGE,PRIORITY,SYSLOG_IDENTIFIER,SYSLOG_PID,_PID,_COMM,_HOSTNAME,UNIT,USER_UNIT,"
    "MESSAGE_ID,EXIT_CODE,COREDUMP_UNIT";

constexpr std::size_t k_last_errors = 5; // error lines repeated in index.yaml

Result<std::vector<JournalEntry>> query(const LogContext& ctx, std::vector<std::string> args) {
  Command command;
  command.argv = journalctl_argv(ctx.root, args);
  command.timeout = ctx.settings.journal.timeout;
  command.env["SYSTEMD_PAGER"] = std::nullopt;
  auto done = ctx.runner.run(command);
  if (!done)
    return fail("cannot run journalctl: {}", done.error().message);
  if (!done->ok())
    return fail("{}: {}", describe_argv(command.argv), failure_reason(*done));
  return parse_journal_export(done->out);
}

std::string join_lines(const std::vector<std::string>& lines, std::size_t last) {
  std::string text;
  std::size_t from = lines.size() > last ? lines.size() - last : 0;
  for (std::size_t i = from; i < lines.size(); ++i)
    text += lines[i] + '\n';
  return text;
}

} // namespace

std::vector<std::string> journalctl_argv(const SystemRoot& root,
                                         const std::vector<std::string>& query) {
  std::vector<std::string> argv = {"journalctl"};
  if (!root.is_host())
    argv.push_back("--root=" + root.physical());
  argv.insert(argv.end(), {"--no-pager", "--quiet", "--output=export",
                           "--output-fields=" + std::string(k_fields)});
  argv.insert(argv.end(), query.begin(), query.end());
  return argv;
}

std::string_view SystemdJournal::summary() const {
  return "the journal's last entries, the last boot's errors, failed and crashed units";
}

std::optional<std::string> SystemdJournal::detect(const LogContext& ctx) const {
  if (!ctx.settings.journal.enabled)
    return "disabled in state/logs_config.yaml";
  for (const char* dir : {"/var/log/journal", "/run/log/journal"})
    if (auto st = ctx.root.lstat(dir); st && st->type == FileType::directory)
      return std::nullopt;
  return fmt::format("no journal in {} (/var/log/journal, /run/log/journal)",
                     ctx.root.is_host() ? "this machine" : ctx.root.physical());
}

Result<LogCapture> SystemdJournal::dump_logs(const LogContext& ctx) const {
  const auto& settings = ctx.settings.journal;
  LogCapture capture;
  std::string scan = std::to_string(settings.scan_entries);

  // The tail decides whether the journal has anything at all: journalctl fails --boot on
  // an empty journal.
  auto tail = TWIN_TRY(
      query(ctx, {"--lines=" + std::to_string(std::max<std::size_t>(settings.tail_lines, 1))}));
  std::vector<std::string> tail_lines;
  for (const auto& e : tail)
    tail_lines.push_back(format_journal_line(e));
  capture.files.push_back(
      {"systemd/journal_tail.txt", join_lines(tail_lines, settings.tail_lines)});

  // The other two queries only add detail: a failure is a warning, not a lost capture.
  auto optional_query = [&](std::vector<std::string> args) {
    if (tail.empty())
      return std::vector<JournalEntry>{};
    auto entries = query(ctx, std::move(args));
    if (!entries) {
      capture.warnings.push_back(entries.error().message);
      return std::vector<JournalEntry>{};
    }
    return std::move(*entries);
  };
  auto boot_entries = optional_query({"--boot", "--priority=warning", "--lines=" + scan});
  BootSummary boot = summarize_boot(boot_entries);
  capture.files.push_back(
      {"systemd/errors_last_boot.txt", join_lines(boot.error_lines, settings.error_lines)});

  auto since = std::chrono::duration_cast<std::chrono::microseconds>(
                   (ctx.now - std::chrono::hours(1)).time_since_epoch())
                   .count();
  std::string since_arg = fmt::format("--since=@{}.{:06}", since / 1000000, since % 1000000);
  auto hour_entries = optional_query({"--priority=warning", since_arg, "--lines=" + scan});
  PriorityCounts hour = count_priorities(hour_entries, static_cast<std::uint64_t>(since));

  Value& s = capture.summary;
  s["available"] = true;
  s["captures"]["journal_tail"]["file"] = "logs/current/systemd/journal_tail.txt";
  s["captures"]["journal_tail"]["lines"] =
      static_cast<std::int64_t>(std::min(tail_lines.size(), settings.tail_lines));
  s["captures"]["errors_last_boot"]["file"] = "logs/current/systemd/errors_last_boot.txt";
  s["captures"]["errors_last_boot"]["lines"] =
      static_cast<std::int64_t>(std::min(boot.error_lines.size(), settings.error_lines));
  s["last_hour"]["errors"] = static_cast<std::int64_t>(hour.errors);
  s["last_hour"]["warnings"] = static_cast<std::int64_t>(hour.warnings);
  Value& last_boot = s["last_boot"];
  if (!boot.boot_id.empty())
    last_boot["boot_id"] = boot.boot_id;
  last_boot["errors"] = static_cast<std::int64_t>(boot.counts.errors);
  last_boot["warnings"] = static_cast<std::int64_t>(boot.counts.warnings);
  last_boot["failed_units"] = name_counts({boot.failed_units.begin(), boot.failed_units.end()});
  last_boot["crashed_units"] = name_counts({boot.crashed_units.begin(), boot.crashed_units.end()});
  Value& last = last_boot["last_errors"] = Value::list();
  std::size_t from =
      boot.error_lines.size() > k_last_errors ? boot.error_lines.size() - k_last_errors : 0;
  for (std::size_t i = from; i < boot.error_lines.size(); ++i)
    last.push_back(boot.error_lines[i]);
  if (boot_entries.size() >= settings.scan_entries)
    capture.warnings.push_back(
        fmt::format("the last boot has more than {} warnings and errors; counts cover the last {} "
                    "(journal.scan_entries)",
                    settings.scan_entries, settings.scan_entries));
  return capture;
}

} // namespace twin::logs
