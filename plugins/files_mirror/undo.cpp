// SPDX-License-Identifier: MIT
#include "plugins/files_mirror/undo.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace twin::files {
namespace {

Action make(const Action& done, std::string op, Action::Change change) {
  Action a;
  a.plugin = done.plugin;
  a.op = op;
  a.resource = done.resource;
  a.change = change;
  std::string path = done.fields.get_string("path");
  a.resource = path;
  a.id = fmt::format("{}/undo/{}{}", done.plugin, op, path);
  a.fields["path"] = path;
  return a;
}

bool is_mode_text(const std::string& text) {
  return (text.size() == 3 || text.size() == 4) &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '7'; });
}

// A user or group name, or a number; never something a tool could take for an option.
bool is_account_text(const std::string& text) {
  return !text.empty() && text.size() <= 64 && text.front() != '-' && text.front() != '.' &&
         std::all_of(text.begin(), text.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
                  c == '$';
         });
}

} // namespace

bool is_backup_of(std::string_view backup, std::string_view path) {
  std::string prefix = std::string(path) + ".twinbak-";
  if (backup.substr(0, prefix.size()) != prefix)
    return false;
  std::string_view stamp = backup.substr(prefix.size());
  return !stamp.empty() && std::all_of(stamp.begin(), stamp.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '-';
  });
}

std::vector<Action> undo_file_action(const Action& done, const ActionOutcome& outcome,
                                     std::vector<std::string>& cannot) {
  const std::string path = done.fields.get_string("path");
  std::vector<Action> out;
  auto restore = [&]() {
    Action a = make(done, "restore_backup", Action::Change::modify);
    a.fields["backup"] = outcome.backups.front();
    out.push_back(std::move(a));
  };
  if (done.op == "write_file" || done.op == "create_symlink" || done.op == "remove") {
    if (!outcome.backups.empty() && is_backup_of(outcome.backups.front(), path)) {
      restore();
    } else if (done.op != "remove" && done.change == Action::Change::create) {
      Action a = make(done, "remove", Action::Change::remove);
      a.fields["type"] = done.op == "write_file" ? "file" : "symlink";
      out.push_back(std::move(a));
    } else {
      cannot.push_back(
          fmt::format("{}: no backup was kept (apply.backup_replaced_files was off)", done.id));
    }
    return out;
  }
  if (done.op == "create_directory") {
    Action a = make(done, "remove", Action::Change::remove);
    a.fields["type"] = "directory";
    out.push_back(std::move(a));
    return out;
  }
  if (done.op == "set_attributes") {
    Action a = make(done, "set_attributes", Action::Change::modify);
    // A record is repository content: what it says to set back must look like what the
    // planner records, or the undo of it is refused.
    for (const char* field : {"mode", "owner", "group"}) {
      const Value* was = done.fields.find(std::string("was_") + field);
      if (!was)
        continue;
      bool valid =
          was->is_string() && (field == std::string("mode") ? is_mode_text(was->as_string())
                                                            : is_account_text(was->as_string()));
      if (!valid) {
        cannot.push_back(fmt::format("{}: was_{} in the record is not valid", done.id, field));
        return {};
      }
      a.fields[field] = *was;
    }
    if (a.fields.as_map().size() > 1)
      out.push_back(std::move(a));
    else
      cannot.push_back(fmt::format("{}: the attributes before were not recorded", done.id));
    return out;
  }
  cannot.push_back(fmt::format("{}: files.mirror cannot undo '{}'", done.id, done.op));
  return out;
}

} // namespace twin::files
