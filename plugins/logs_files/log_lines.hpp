// SPDX-License-Identifier: MIT
// Reading plain log files (syslog, auth.log, nginx's error.log): which lines are errors,
// which are failed logins and from where. Pure and table-driven.
//
// Errors: nginx's level ("[error]", "[crit]", "[alert]", "[emerg]"; "[warn]" and below are
// not) when the line has one, otherwise a word starting with error, fail, fatal, crit,
// panic, emerg or segfault, or "out of memory". A heuristic: "no errors found" counts too.
// Failed logins: sshd's "Failed <method> for [invalid user] U from ADDR", and PAM's
// "authentication failure" from other services (sshd's own PAM line repeats its "Failed"
// line and is not counted twice). The source is the remote address (rhost= for PAM), or
// "local".
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace twin::logs {

enum class LineKind { other, error, auth_failure };

struct ClassifiedLine {
  LineKind kind = LineKind::other;
  std::string source; // auth_failure: where the attempt came from
};

ClassifiedLine classify_log_line(std::string_view line);

struct LogScan {
  std::size_t lines = 0;
  std::size_t error_lines = 0;
  std::size_t auth_failures = 0;
  std::map<std::string, std::size_t> auth_sources;
  std::vector<std::string> last_errors; // the last few error lines, oldest first
};

/// Classifies every line of `text`, keeping the last `keep_errors` error lines.
LogScan scan_log_text(std::string_view text, std::size_t keep_errors);

/// The last `count` lines of `text` (each with its newline).
std::string last_lines(std::string_view text, std::size_t count);

/// Drops the first line when `text` starts in the middle of one (a tail read from an
/// offset): a partial line would be misread.
std::string_view whole_lines(std::string_view text, bool starts_mid_file);

} // namespace twin::logs
