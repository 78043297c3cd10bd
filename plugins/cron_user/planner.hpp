// SPDX-License-Identifier: MIT
// The cron.user planner and drift adoption, as pure code: desired, live and base crontabs
// in, actions and decisions out. The unit is a user's whole crontab (cron_document.hpp).
//
// Per user named in state/cron.yaml, the sync model (core/sync.hpp) decides:
//   desired changed -> write_crontab (state has jobs) or remove_crontab (ensure: absent and
//                      the machine has a crontab);
//   machine changed -> local drift (snapshot adopts it);
//   both, differently -> a conflict (with --prefer desired, the twin wins).
// A user state/ does not name is unmanaged: counted, never touched; one whose crontab is
// new since the last sync is local drift instead (snapshot brings it into state/).
//
// Action fields (the plan never holds the crontab's text, which may carry secrets in its
// settings or commands; apply renders it again from state/cron.yaml and refuses it unless
// its sha256 is the one planned):
//   write_crontab   user, sha256 (of the text to install), jobs (how many), source
//   remove_crontab  user
#pragma once

#include <vector>

#include "core/plugin.hpp"
#include "plugins/cron_user/cron_document.hpp"

namespace twin::cron {

inline constexpr std::string_view k_plugin = "cron.user";
inline constexpr std::string_view k_state_path = "state/cron.yaml";

/// `base` null: no sync point yet, the machine is taken as the base.
PluginPlan plan_cron(const DesiredCrontabs& desired, const UserCrontabs& live,
                     const UserCrontabs* base, Prefer prefer);

struct CronAdoption {
  enum class Kind {
    take_live, // changed on the machine only, or new there: state gets the live crontab
    drop,      // removed on the machine only: the user leaves state (unmanaged, as files do)
    conflict,  // changed on both sides, differently: state is left alone, reported
  };
  Kind kind;
  std::string user;
};

/// The sync model for every user whose crontab moved since `base` (empty: no sync point,
/// every observed crontab is new). A user state/ does not name is adopted only when new on
/// the machine (not at the base): one the owner dropped stays dropped. Sorted by user.
std::vector<CronAdoption> decide_cron_adoption(const DesiredCrontabs& desired,
                                               const UserCrontabs& live, const UserCrontabs& base);

} // namespace twin::cron
