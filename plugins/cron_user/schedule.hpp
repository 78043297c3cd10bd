// SPDX-License-Identifier: MIT
// The small languages of a crontab, as pure checks: schedules, user names and environment
// variable names. Each check returns "" when the text is valid, else why it is not (a
// lowercase phrase for messages: "minute field: 61 is out of range 0-59").
//
// Schedules follow Debian's cron (Vixie cron 3.0, crontab(5)): five fields
//   minute 0-59, hour 0-23, day of month 1-31, month 1-12 or jan-dec, day of week 0-7 or
//   sun-sat (0 and 7 are Sunday)
// each a comma-separated list of '*', a number or name, or a range a-b, where '*' and a
// range may take a step (/n); or one of the @-words. Names are case-insensitive; a step
// after a single number ("5/10") is refused, as cron refuses it.
#pragma once

#include <string>
#include <string_view>

namespace twin::cron {

/// "" when `schedule` is a valid five-field schedule or @-word.
std::string schedule_problem(std::string_view schedule);

/// The schedule with its fields separated by one space ("0  3 * * *" -> "0 3 * * *"), the
/// form live/ and the planner compare. Names keep their case.
std::string normalize_schedule(std::string_view schedule);

/// True for the @-words cron knows (@reboot, @yearly, @annually, @monthly, @weekly,
/// @daily, @midnight, @hourly).
bool is_at_schedule(std::string_view word);

/// "" when `name` is a user name a crontab can belong to: ^[a-z_][a-z0-9_-]*[$]?$, at most
/// 32 characters (useradd's default rules; a leading '-' could pass for an option).
std::string user_name_problem(std::string_view name);

/// "" when `name` is a portable environment variable name: ^[A-Za-z_][A-Za-z0-9_]*$.
std::string env_name_problem(std::string_view name);

} // namespace twin::cron
