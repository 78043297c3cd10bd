// SPDX-License-Identifier: MIT
// Reads every user's crontab below the root: <root>/var/spool/cron/crontabs/<user>, where
// Debian's crontab(1) keeps them (mode 0600, owned by the user, group crontab).
//
// No spool directory means no crontabs. A spool directory or crontab that exists but cannot
// be read fails the collection: reading it as empty would look like "every crontab removed"
// and plan to undo that. Files that are not crontabs are left out: crontab(1)'s temporary
// files (tmp.*), git-twin's own backups (*.twinbak-*), and, with a warning, anything that is
// not a regular file or not named like a user.
#pragma once

#include <string>

#include "core/error.hpp"
#include "core/plugin.hpp"
#include "plugins/cron_user/cron_document.hpp"

namespace twin::cron {

inline constexpr std::string_view k_spool_dir = "/var/spool/cron/crontabs";

struct CollectedCrontabs {
  UserCrontabs crontabs;   // users whose crontab has at least one job
  std::string fingerprint; // digest of the files read: equal for equal documents
};

/// Reads the spool directory; lines cron cannot read and skipped files become warnings.
Result<CollectedCrontabs> collect_crontabs(const SystemRoot& root, Notes& notes);

} // namespace twin::cron
