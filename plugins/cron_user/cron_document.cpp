// SPDX-License-Identifier: MIT
#include "plugins/cron_user/cron_document.hpp"

#include <fmt/format.h>

#include "plugins/cron_user/schedule.hpp"

namespace twin::cron {
namespace {

Error bad_item(const Value& item, std::string_view what) {
  return Error{fmt::format("line {}: {}", item.mark.line, what)};
}

const Value::List* cron_list(const Value& document) {
  const Value* list = document.find("cron");
  return list && list->is_list() ? &list->as_list() : nullptr;
}

std::string trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return std::string(s);
}

// The job of an item; `strict` for live/ (every field ours), else state/ defaults apply.
Result<CronEntry> entry_from_item(const Value& item, bool strict) {
  const Value* schedule = item.find("schedule");
  const Value* command = item.find("command");
  const Value* enabled = item.find("enabled");
  if (!schedule || !schedule->is_string() || !command || !command->is_string())
    return tl::unexpected(bad_item(item, "a cron job needs a schedule and a command"));
  if (enabled && !enabled->is_bool())
    return tl::unexpected(bad_item(item, "enabled must be true or false"));
  if (strict && !enabled)
    return tl::unexpected(bad_item(item, "a job in live/cron.yaml has no 'enabled'"));
  CronEntry e;
  e.schedule = normalize_schedule(schedule->as_string());
  e.command = trim_blanks(command->as_string());
  e.enabled = enabled ? enabled->as_bool() : true;
  if (const Value* comment = item.find("comment")) {
    if (!comment->is_string())
      return tl::unexpected(bad_item(item, "comment must be a string"));
    e.comment = comment->as_string();
  }
  if (const Value* env = item.find("env")) {
    if (!env->is_map())
      return tl::unexpected(bad_item(item, "env must be a map of names to values"));
    for (const auto& [name, value] : env->as_map()) {
      if (!value.is_string())
        return tl::unexpected(bad_item(item, fmt::format("env {} must be a string", name)));
      e.env[name] = value.as_string();
    }
  }
  return e;
}

} // namespace

Value entry_value(const std::string& user, const CronEntry& entry) {
  Value v;
  v["user"] = user;
  v["schedule"] = entry.schedule;
  v["command"] = entry.command;
  v["enabled"] = entry.enabled;
  if (!entry.comment.empty())
    v["comment"] = entry.comment;
  if (!entry.env.empty()) {
    Value& env = v["env"] = Value::map();
    for (const auto& [name, value] : entry.env)
      env[name] = value;
  }
  return v;
}

Value::List crontab_items(const UserCrontabs& crontabs) {
  Value::List items;
  for (const auto& [user, crontab] : crontabs)
    for (const CronEntry& e : crontab.entries)
      items.push_back(entry_value(user, e));
  return items;
}

Value live_document(const UserCrontabs& crontabs) {
  Value document;
  document["cron"] = Value(crontab_items(crontabs));
  return document;
}

Result<UserCrontabs> live_crontabs(const Value& document) {
  UserCrontabs out;
  const Value::List* list = cron_list(document);
  if (!list)
    return out;
  for (const Value& item : *list) {
    std::string user = item.get_string("user");
    if (user.empty())
      return tl::unexpected(bad_item(item, "a cron job in live/cron.yaml has no user"));
    out[user].entries.push_back(TWIN_TRY(entry_from_item(item, true)));
  }
  return out;
}

Result<DesiredCrontabs> desired_crontabs(const Value& document) {
  DesiredCrontabs out;
  const Value::List* list = cron_list(document);
  if (!list)
    return out;
  for (const Value& item : *list) {
    std::string user = item.get_string("user");
    if (user.empty())
      return tl::unexpected(bad_item(item, "a cron job needs a user"));
    if (item.get_string("ensure") == "absent") {
      out.emplace(user, std::nullopt);
      continue;
    }
    auto& crontab = out[user];
    if (!crontab)
      crontab.emplace();
    crontab->entries.push_back(TWIN_TRY(entry_from_item(item, false)));
  }
  // What a crontab reads back as once written (comment blanks trimmed and the like): the
  // planner compares this with what is observed, so a state that cron would normalize
  // does not ask for the same rewrite at every plan.
  for (auto& [user, crontab] : out)
    if (crontab)
      crontab = parse_crontab(render_crontab(*crontab));
  return out;
}

std::vector<SchemaProblem>
check_cron_state(const Value& document,
                 const std::function<bool(const std::string&)>* user_exists) {
  std::vector<SchemaProblem> problems;
  const Value::List* list = cron_list(document);
  if (!list)
    return problems;
  std::map<std::string, int, std::less<>> absent_at, jobs_at; // user -> first line
  for (std::size_t i = 0; i < list->size(); ++i) {
    const Value& item = (*list)[i];
    std::string pointer = fmt::format("/cron/{}", i);
    auto problem_at = [&](const Value& node, std::string ptr, std::string message) {
      problems.push_back(SchemaProblem{std::move(ptr), node.mark, std::move(message)});
    };
    auto problem = [&](std::string_view field, std::string message) {
      const Value* node = item.find(field);
      problem_at(node ? *node : item, pointer + "/" + std::string(field), std::move(message));
    };

    std::string user = item.get_string("user");
    if (auto p = user_name_problem(user); !p.empty()) {
      problem("user", p);
    } else if (user_exists && !(*user_exists)(user)) {
      problem("user", fmt::format("user '{}' does not exist on the machine (no such line in its "
                                  "/etc/passwd)",
                                  user));
    }

    if (item.get_string("ensure") == "absent") {
      for (std::string_view field : {"schedule", "command", "enabled", "comment", "env"})
        if (item.find(field))
          problem(field, "an item with 'ensure: absent' removes the user's crontab and takes "
                         "no job fields");
      if (auto it = jobs_at.find(user); it != jobs_at.end())
        problem("ensure",
                fmt::format("'{}' has jobs (line {}) and cannot also be absent", user, it->second));
      absent_at.emplace(user, item.mark.line);
      continue;
    }
    if (auto it = absent_at.find(user); it != absent_at.end())
      problem("user", fmt::format("'{}' is marked absent (line {}) and cannot also have jobs", user,
                                  it->second));
    jobs_at.emplace(user, item.mark.line);

    if (const Value* schedule = item.find("schedule"); schedule && schedule->is_string())
      if (auto p = schedule_problem(schedule->as_string()); !p.empty())
        problem("schedule", p);
    if (const Value* command = item.find("command"); command && command->is_string()) {
      const std::string& c = command->as_string();
      if (c.find_first_of("\n\r") != std::string::npos || c.find('\0') != std::string::npos)
        problem("command", "the command must be one line: a newline would end the job and "
                           "start another line of the crontab");
      else if (trim_blanks(c).empty())
        problem("command", "the command is empty");
    }
    if (const Value* comment = item.find("comment"); comment && comment->is_string()) {
      std::string_view rest = comment->as_string();
      for (int n = 1;; ++n) {
        std::size_t eol = rest.find('\n');
        std::string_view line = rest.substr(0, eol);
        if (line.find('\r') != std::string_view::npos || line.find('\0') != line.npos)
          problem("comment", "a comment must not hold carriage returns or NUL");
        else if (parse_job(line))
          problem("comment", fmt::format("comment line {} reads as a job and would come back as "
                                         "a disabled job; use a job with 'enabled: false'",
                                         n));
        else if (is_header_comment(line))
          problem("comment", fmt::format("comment line {} looks like crontab's own 'DO NOT "
                                         "EDIT' header, which is dropped on read",
                                         n));
        if (eol == std::string_view::npos)
          break;
        rest.remove_prefix(eol + 1);
      }
    }
    if (const Value* env = item.find("env"); env && env->is_map())
      for (const auto& [name, value] : env->as_map()) {
        std::string ptr = pointer + "/env/" + pointer_token(name);
        if (auto p = env_name_problem(name); !p.empty())
          problem_at(value, ptr, p);
        else if (value.is_string())
          if (auto v = env_value_problem(value.as_string()); !v.empty())
            problem_at(value, ptr, v);
      }
  }
  return problems;
}

} // namespace twin::cron
