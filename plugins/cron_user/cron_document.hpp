// SPDX-License-Identifier: MIT
// live/cron.yaml and state/cron.yaml: the crontabs of all users as one flat list of jobs,
// sorted by user and in file order within a user (order matters: a setting applies to the
// jobs below it).
//
//   cron:
//     - user: alice                       # whose crontab
//       schedule: "0 3 * * *"             # five fields, or an @-word
//       command: /usr/local/bin/backup
//       enabled: true                     # false: written as a comment "# 0 3 * * * ..."
//       comment: "nightly backup"         # optional: comment lines above the job
//       env: {MAILTO: ops@example.org}    # optional: settings above the job
//
// state/ may also say that a user has no crontab at all, which removes it:
//     - {user: bob, ensure: absent}
// A user state/ does not name is unmanaged: never written, never removed. The unit of sync
// is a user's whole crontab (its jobs in order, with their comments and settings): there is
// no identity for one line that survives an edit of both its schedule and its command, and
// a setting's meaning depends on where it stands. A crontab without jobs counts as none.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/schema.hpp"
#include "core/value.hpp"
#include "plugins/cron_user/crontab.hpp"

namespace twin::cron {

/// Crontabs by user, each with at least one job.
using UserCrontabs = std::map<std::string, Crontab, std::less<>>;

/// What state/cron.yaml asks for, by user: a crontab, or nullopt for ensure: absent.
using DesiredCrontabs = std::map<std::string, std::optional<Crontab>, std::less<>>;

/// The item of one job (the same shape in live/ and state/).
Value entry_value(const std::string& user, const CronEntry& entry);

/// The items of `crontabs`, sorted by user.
Value::List crontab_items(const UserCrontabs& crontabs);
Value live_document(const UserCrontabs& crontabs);

/// Reads live/cron.yaml (a document we wrote; unexpected shapes are errors).
Result<UserCrontabs> live_crontabs(const Value& document);
/// Reads state/cron.yaml, already schema-checked. Schedules are normalized, commands
/// trimmed, enabled defaults to true; each crontab is as it reads back once written.
Result<DesiredCrontabs> desired_crontabs(const Value& document);

/// Semantic checks of state/cron.yaml beyond its schema: user names (and, when
/// `user_exists` is given, that the user exists on the root), schedules, commands (one line,
/// not empty), settings (names, values that can be written), comments (one that reads as a
/// job would come back as a disabled job), and a user both absent and with jobs.
std::vector<SchemaProblem>
check_cron_state(const Value& document, const std::function<bool(const std::string&)>* user_exists);

} // namespace twin::cron
