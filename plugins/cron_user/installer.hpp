// SPDX-License-Identifier: MIT
// Changing a user's crontab on the machine.
//
// On the host ("/"), crontab(1) does it, as a person would: `crontab -u USER -` with the
// text on stdin installs (it checks the text, writes its header, and tells cron), and
// `crontab -u USER -r` removes; the argv goes through the Runner, never a shell. crontab(1)
// keeps no backup; the previous crontab stays in the twin's history (live/cron.yaml).
//
// On another root (a mounted image, a test's fake root) there is no cron to tell, so the
// spool file is written the way crontab(1) leaves it: <root>/var/spool/cron/crontabs/USER,
// mode 0600, owned by USER and group crontab (both looked up in the root's own /etc/passwd
// and /etc/group), atomically and with a backup of what it replaces. A missing spool
// directory is created as Debian's cron package does (mode 1730, root:crontab).
//
// Both check the user name and that the user exists on the root before anything runs.
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/runner.hpp"
#include "core/system_root.hpp"

namespace twin::cron {

/// Installs `content` as USER's crontab; returns the logical path of the backup made ("":
/// none).
Result<std::string> install_crontab(const SystemRoot& root, Runner& runner, const std::string& user,
                                    std::string_view content, std::string_view backup_stamp);

/// Removes USER's crontab; returns the logical path of the backup made ("": none).
Result<std::string> remove_crontab(const SystemRoot& root, Runner& runner, const std::string& user,
                                   std::string_view backup_stamp);

/// Fails unless `user` is a valid user name that the root's /etc/passwd knows.
Status check_user_on_root(const SystemRoot& root, const std::string& user);

} // namespace twin::cron
