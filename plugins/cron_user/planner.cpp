// SPDX-License-Identifier: MIT
#include "plugins/cron_user/planner.hpp"

#include <set>

#include <fmt/format.h>

#include "core/sha256.hpp"
#include "core/sync.hpp"

namespace twin::cron {
namespace {

std::optional<Crontab> crontab_of(const UserCrontabs& crontabs, const std::string& user) {
  auto it = crontabs.find(user);
  return it == crontabs.end() ? std::nullopt : std::optional<Crontab>(it->second);
}

Action make_action(std::string op, const std::string& user, Action::Change change) {
  Action a;
  a.plugin = std::string(k_plugin);
  a.id = fmt::format("{}/{}/{}", k_plugin, op, user);
  a.op = std::move(op);
  a.resource = user;
  a.change = change;
  a.fields["user"] = user;
  return a;
}

// What differs, for conflict messages: job counts, never commands or settings.
std::string differences(const std::optional<Crontab>& twin, const std::optional<Crontab>& machine) {
  if (!twin)
    return "removed in the twin, changed on the machine";
  if (!machine)
    return "changed in the twin, removed on the machine";
  auto jobs = [](const Crontab& c) {
    return fmt::format("{} job{}", c.entries.size(), c.entries.size() == 1 ? "" : "s");
  };
  return fmt::format("the crontab changed in the twin ({}) and on the machine ({})", jobs(*twin),
                     jobs(*machine));
}

} // namespace

PluginPlan plan_cron(const DesiredCrontabs& desired, const UserCrontabs& live,
                     const UserCrontabs* base, Prefer prefer) {
  PluginPlan plan;
  const UserCrontabs& was_all = base ? *base : live;
  for (const auto& [user, crontab] : live)
    if (!desired.count(user)) {
      if (was_all.count(user))
        ++plan.unmanaged;
      else
        plan.local_drift.push_back(user);
    }

  for (const auto& [user, want] : desired) {
    std::optional<Crontab> was = crontab_of(was_all, user);
    std::optional<Crontab> now = crontab_of(live, user);
    SyncCase c = classify(want, was, now);
    if (c == SyncCase::conflict) {
      if (prefer != Prefer::desired) {
        plan.conflicts.push_back({std::string(k_plugin), user, differences(want, now)});
        continue;
      }
      c = SyncCase::desired_changed;
    }
    if (c == SyncCase::live_changed)
      plan.local_drift.push_back(user);
    if (c != SyncCase::desired_changed)
      continue;
    if (want) {
      Action a =
          make_action("write_crontab", user, now ? Action::Change::modify : Action::Change::create);
      a.fields["sha256"] = sha256_hex(render_crontab(*want));
      a.fields["jobs"] = static_cast<std::int64_t>(want->entries.size());
      a.fields["source"] = std::string(k_state_path);
      plan.actions.push_back(std::move(a));
    } else if (now) {
      plan.actions.push_back(make_action("remove_crontab", user, Action::Change::remove));
    }
  }
  return plan;
}

std::vector<CronAdoption> decide_cron_adoption(const DesiredCrontabs& desired,
                                               const UserCrontabs& live, const UserCrontabs& base) {
  std::set<std::string> moved;
  for (const auto& [user, crontab] : live)
    if (auto b = base.find(user); b == base.end() || !(b->second == crontab))
      moved.insert(user);
  for (const auto& [user, crontab] : base)
    if (!live.count(user))
      moved.insert(user);

  std::vector<CronAdoption> out;
  for (const std::string& user : moved) {
    std::optional<Crontab> was = crontab_of(base, user);
    std::optional<Crontab> now = crontab_of(live, user);
    auto d = desired.find(user);
    if (d == desired.end()) {
      if (now && !was)
        out.push_back({CronAdoption::Kind::take_live, user});
      continue;
    }
    switch (classify(d->second, was, now)) {
    case SyncCase::live_changed:
      out.push_back({now ? CronAdoption::Kind::take_live : CronAdoption::Kind::drop, user});
      break;
    case SyncCase::conflict:
      out.push_back({CronAdoption::Kind::conflict, user});
      break;
    default:
      break;
    }
  }
  return out;
}

} // namespace twin::cron
