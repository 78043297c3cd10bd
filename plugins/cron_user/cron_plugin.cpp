// SPDX-License-Identifier: MIT
#include "plugins/cron_user/cron_plugin.hpp"

#include <memory>

#include <fmt/format.h>

#include "core/sha256.hpp"
#include "core/yaml_reader.hpp"
#include "plugins/cron_user/collector.hpp"
#include "plugins/cron_user/cron_document.hpp"
#include "plugins/cron_user/installer.hpp"
#include "plugins/cron_user/planner.hpp"
#include "plugins/files_mirror/account_names.hpp"
#include "plugins/plugin_schema.hpp"

namespace twin::cron {
namespace {

// Users that /etc/passwd below the root names.
std::function<bool(const std::string&)> user_lookup(const SystemRoot& root) {
  auto names = std::make_shared<files::AccountNames>(files::AccountNames::of_root(root));
  return [names](const std::string& user) { return names->uid(user).has_value(); };
}

Value& cron_items(Value& document) {
  Value& list = document["cron"];
  if (!list.is_list())
    list = Value::list();
  return list;
}

// The items of state/cron.yaml by user, in their order; items of a user keep their text
// (and marks) unless that user is replaced.
std::map<std::string, Value::List, std::less<>> items_by_user(Value::List& items) {
  std::map<std::string, Value::List, std::less<>> out;
  for (Value& item : items)
    out[item.get_string("user")].push_back(std::move(item));
  return out;
}

Value::List flatten(std::map<std::string, Value::List, std::less<>>& by_user) {
  Value::List out;
  for (auto& [user, items] : by_user)
    for (Value& item : items)
      out.push_back(std::move(item));
  return out;
}

Value::List items_of(const std::string& user, const Crontab& crontab) {
  Value::List out;
  for (const CronEntry& e : crontab.entries)
    out.push_back(entry_value(user, e));
  return out;
}

ActionOutcome failed(std::string message) {
  return {ActionOutcome::Status::failed, std::move(message), {}};
}

// state/cron.yaml as it is now, checked again: apply runs what state/ says, not what a
// plan file says.
Result<DesiredCrontabs> desired_now(const ApplyContext& ctx) {
  auto text = TWIN_TRY(ctx.tree.read(k_state_path));
  if (!text)
    return fail("{} is missing", k_state_path);
  Value document = TWIN_TRY(parse_yaml(*text, k_state_path));
  auto exists = user_lookup(ctx.root);
  auto problems = check_cron_state(document, &exists);
  if (!problems.empty())
    return fail("{}", format_problem(k_state_path, problems.front()));
  return desired_crontabs(document);
}

} // namespace

const Value& CronUser::live_schema() const {
  return *plugins::plugin_schema("cron_user").find("live");
}

const Value* CronUser::state_schema() const {
  return plugins::plugin_schema("cron_user").find("state");
}

Result<LiveObservation> CronUser::collect(PluginContext& ctx, std::vector<std::string>&) const {
  CollectedCrontabs collected = TWIN_TRY(collect_crontabs(ctx.root, ctx.notes));
  std::size_t jobs = 0;
  for (const auto& [user, crontab] : collected.crontabs)
    jobs += crontab.entries.size();
  auto crontabs = std::make_shared<UserCrontabs>(std::move(collected.crontabs));
  return LiveObservation::lazy(std::move(collected.fingerprint), jobs,
                               [crontabs] { return live_document(*crontabs); });
}

Result<Value> CronUser::seed_state(PluginContext& ctx, const Value& live,
                                   std::vector<std::string>&) const {
  UserCrontabs crontabs = TWIN_TRY(live_crontabs(live));
  auto exists = user_lookup(ctx.root);
  // A crontab of a user the machine no longer has (cron ignores it) would make state/
  // invalid from the start.
  std::erase_if(crontabs, [&](const auto& entry) {
    if (exists(entry.first))
      return false;
    ctx.notes.warn(fmt::format("{}/{} belongs to no user in /etc/passwd; not put into {}",
                               k_spool_dir, entry.first, k_state_path));
    return true;
  });
  return live_document(crontabs);
}

Result<AdoptSummary> CronUser::adopt(PluginContext& ctx, const Value& live_doc,
                                     const Value* base_doc, Value& desired_doc) const {
  UserCrontabs live = TWIN_TRY(live_crontabs(live_doc));
  UserCrontabs base;
  if (base_doc)
    base = TWIN_TRY(live_crontabs(*base_doc));
  DesiredCrontabs desired = TWIN_TRY(desired_crontabs(desired_doc));
  auto exists = user_lookup(ctx.root);

  AdoptSummary summary;
  Value::List& items = cron_items(desired_doc).as_list();
  Value::List regrouped = items;
  auto by_user = items_by_user(regrouped);
  for (const CronAdoption& d : decide_cron_adoption(desired, live, base)) {
    switch (d.kind) {
    case CronAdoption::Kind::take_live:
      if (!exists(d.user)) {
        ctx.notes.warn(fmt::format("{}/{} belongs to no user in /etc/passwd; not adopted",
                                   k_spool_dir, d.user));
        continue;
      }
      by_user[d.user] = items_of(d.user, live.at(d.user));
      summary.adopted.push_back(d.user);
      break;
    case CronAdoption::Kind::drop:
      by_user.erase(d.user);
      summary.adopted.push_back(d.user);
      break;
    case CronAdoption::Kind::conflict:
      summary.conflicts.push_back(d.user);
      break;
    }
  }
  if (!summary.adopted.empty()) // else state/ keeps its order and layout
    items = flatten(by_user);
  return summary;
}

Result<PluginPlan> CronUser::plan(const PlanInput& input) const {
  DesiredCrontabs desired = TWIN_TRY(desired_crontabs(input.desired));
  UserCrontabs live = TWIN_TRY(live_crontabs(input.live));
  std::optional<UserCrontabs> base;
  if (input.base)
    base = TWIN_TRY(live_crontabs(*input.base));
  return plan_cron(desired, live, base ? &*base : nullptr, input.prefer);
}

ActionOutcome CronUser::apply(const Action& action, ApplyContext& ctx) const {
  std::string user = action.fields.get_string("user");
  if (auto ok = check_user_on_root(ctx.root, user); !ok)
    return failed(ok.error().message);
  auto desired = desired_now(ctx);
  if (!desired)
    return failed(desired.error().message);
  auto wanted = desired->find(user);

  Result<std::string> backup = std::string();
  if (action.op == "write_crontab") {
    if (wanted == desired->end() || !wanted->second)
      return failed(
          fmt::format("{} no longer has jobs for '{}'; run 'git twin plan'", k_state_path, user));
    std::string content = render_crontab(*wanted->second);
    // The plan pinned the text; anything else would install what nobody reviewed.
    if (sha256_hex(content) != action.fields.get_string("sha256"))
      return failed(fmt::format("the crontab of '{}' in {} changed since the plan was made; run "
                                "'git twin plan'",
                                user, k_state_path));
    backup = install_crontab(ctx.root, ctx.runner, user, content, ctx.backup_stamp);
  } else if (action.op == "remove_crontab") {
    if (wanted == desired->end() || wanted->second)
      return failed(
          fmt::format("{} no longer marks '{}' absent; run 'git twin plan'", k_state_path, user));
    backup = remove_crontab(ctx.root, ctx.runner, user, ctx.backup_stamp);
  } else {
    return failed(fmt::format("unknown cron.user operation '{}'", action.op));
  }
  if (!backup)
    return failed(backup.error().message);
  ActionOutcome outcome;
  if (!backup->empty())
    outcome.backups.push_back(*backup);
  return outcome;
}

Result<AdoptSummary> CronUser::adopt_named(PluginContext& ctx, const Value& live_doc,
                                           const std::vector<std::string>& selectors,
                                           Value& desired_doc) const {
  UserCrontabs live = TWIN_TRY(live_crontabs(live_doc));
  DesiredCrontabs desired = TWIN_TRY(desired_crontabs(desired_doc));
  std::vector<std::string> users = selectors;
  if (users.empty()) {
    for (const auto& [user, crontab] : live)
      users.push_back(user);
    for (const auto& [user, crontab] : desired)
      if (!live.count(user))
        users.push_back(user);
  }
  // Every name must match something before anything changes.
  for (const auto& user : selectors)
    if (!live.count(user) && !desired.count(user))
      return fail("no crontab is observed or desired for user '{}'", user);
  auto exists = user_lookup(ctx.root);

  AdoptSummary summary;
  Value::List& items = cron_items(desired_doc).as_list();
  Value::List regrouped = items;
  auto by_user = items_by_user(regrouped);
  for (const std::string& user : users) {
    auto l = live.find(user);
    if (l == live.end()) { // gone from the machine: gone from desired too
      if (by_user.erase(user))
        summary.adopted.push_back(user);
      continue;
    }
    if (!exists(user)) {
      if (!selectors.empty())
        return fail("user '{}' does not exist on the machine (not in its /etc/passwd)", user);
      ctx.notes.warn(
          fmt::format("{}/{} belongs to no user in /etc/passwd; not adopted", k_spool_dir, user));
      continue;
    }
    auto d = desired.find(user);
    if (d == desired.end() || d->second != l->second) {
      by_user[user] = items_of(user, l->second);
      summary.adopted.push_back(user);
    }
  }
  if (!summary.adopted.empty()) // else state/ keeps its order and layout
    items = flatten(by_user);
  return summary;
}

std::vector<SchemaProblem> CronUser::check_state(const Value& desired, const Config& config,
                                                 const WorkTree&) const {
  if (config.root.empty()) // no machine at hand (core/machine_check.hpp): documents only
    return check_cron_state(desired, nullptr);
  auto root = SystemRoot::open(config.root);
  if (!root)
    return {SchemaProblem{"", desired.mark,
                          fmt::format("cannot open the system root '{}' to check the users: {}",
                                      config.root, root.error().message)}};
  auto exists = user_lookup(*root);
  return check_cron_state(desired, &exists);
}

} // namespace twin::cron
