// SPDX-License-Identifier: MIT
// git twin logs [index] [--json] | show SOURCE [--at STAMP] | grep [-i] [-F] PATTERN [--json]
//
// Reads what snapshots captured (core/log_capture.hpp) from the work tree only: it works
// in a clone on another machine, and never runs the log plugins itself.
#include <cctype>
#include <map>
#include <optional>
#include <regex>
#include <unistd.h>

#include <fmt/format.h>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "core/ascii.hpp"
#include "core/git_repo.hpp"
#include "core/log_capture.hpp"
#include "core/schema.hpp"
#include "core/work_tree.hpp"
#include "core/yaml_reader.hpp"

namespace twin::cli {
namespace {

struct Twin {
  GitRepo repo;
  WorkTree tree;
};

Result<Twin> open_twin() {
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd))
    return fail("cannot determine the current directory");
  GitRepo repo = TWIN_TRY(GitRepo::discover(cwd));
  WorkTree tree = TWIN_TRY(WorkTree::open(repo.work_tree()));
  return Twin{std::move(repo), std::move(tree)};
}

// logs/current, or logs/<STAMP> with --at.
Result<std::string> capture_dir(const WorkTree& tree, const Args& args) {
  auto at = args.value("at");
  if (!at)
    return std::string("logs/current");
  if (!is_rotated_capture_name(*at))
    return usage_error("--at takes a capture's name as listed by 'git twin logs' "
                       "(YYYYMMDDTHHMMSSZ), not '{}'",
                       *at);
  std::string dir = "logs/" + *at;
  if (!TWIN_TRY(tree.stat(dir)))
    return fail("there is no capture {} (see 'git twin logs')", dir);
  return dir;
}

Result<Value> read_index(const WorkTree& tree, const std::string& dir) {
  std::string path = dir + "/index.yaml";
  auto text = TWIN_TRY(tree.read(path));
  if (!text)
    return fail("{} does not exist: no logs were captured yet (run 'git twin snapshot'; "
                "state/logs_config.yaml says what is captured)",
                path);
  Value index = TWIN_TRY(parse_yaml(*text, path));
  if (!index.is_map())
    return fail("{} is not a map", path);
  return index;
}

std::int64_t int_at(const Value& v, std::string_view pointer) {
  const Value* found = v.at_pointer(pointer);
  return found && found->is_int() ? found->as_int() : 0;
}

std::string plural(std::int64_t n, std::string_view noun) {
  return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
}

std::string counted_list(const Value* list) {
  std::string out;
  for (std::size_t i = 0; list && list->is_list() && i < list->as_list().size(); ++i) {
    const Value& item = list->as_list()[i];
    out += (i ? ", " : "") + item.get_string("name");
    if (const Value* n = item.find("count"); n && n->is_int() && n->as_int() > 1)
      out += fmt::format(" ({}x)", n->as_int());
  }
  return out;
}

void print_last_errors(const Value* lines) {
  if (!lines || !lines->is_list() || lines->as_list().empty())
    return;
  const Value& last = lines->as_list().back();
  if (last.is_string())
    fmt::print("    last error: {}\n", last.as_string().substr(0, 200));
}

void print_journal(const Value& j) {
  if (const Value* a = j.find("available"); a && a->is_bool() && !a->as_bool()) {
    fmt::print("journal: not captured ({})\n", j.get_string("reason"));
    return;
  }
  fmt::print("journal: last hour {}, {}; last boot {}, {}\n",
             plural(int_at(j, "/last_hour/errors"), "error"),
             plural(int_at(j, "/last_hour/warnings"), "warning"),
             plural(int_at(j, "/last_boot/errors"), "error"),
             plural(int_at(j, "/last_boot/warnings"), "warning"));
  if (auto failed = counted_list(j.at_pointer("/last_boot/failed_units")); !failed.empty())
    fmt::print("    failed units: {}\n", failed);
  if (auto crashed = counted_list(j.at_pointer("/last_boot/crashed_units")); !crashed.empty())
    fmt::print("    crashed units: {}\n", crashed);
  print_last_errors(j.at_pointer("/last_boot/last_errors"));
}

void print_files(const Value& f) {
  if (const Value* a = f.find("available"); a && a->is_bool() && !a->as_bool()) {
    fmt::print("files: not captured ({})\n", f.get_string("reason"));
    return;
  }
  const Value* sources = f.find("sources");
  if (!sources || !sources->is_map())
    return;
  for (const auto& [name, s] : sources->as_map()) {
    std::string path = s.get_string("path");
    if (const Value* p = s.find("present"); !p || !p->is_bool() || !p->as_bool()) {
      std::string reason = s.get_string("reason");
      fmt::print("{} ({}): not present{}\n", name, path, reason.empty() ? "" : ": " + reason);
      continue;
    }
    std::string line =
        fmt::format("{} ({}): {}", name, path, plural(int_at(s, "/error_lines"), "error line"));
    if (std::int64_t failures = int_at(s, "/auth_failures"))
      line += fmt::format(", {} from {}", plural(failures, "failed login"),
                          counted_list(s.find("auth_failure_sources")));
    fmt::print("{} in the last {}\n", line, plural(int_at(s, "/scanned_lines"), "line"));
    print_last_errors(s.find("last_errors"));
  }
}

void print_apply(const Value& a) {
  fmt::print("last apply: {}: {} done, {} failed, {} skipped ({})\n",
             a.get_string("last_applied_at"), int_at(a, "/done"), int_at(a, "/failed"),
             int_at(a, "/skipped"), a.get_string("history"));
  if (const Value* failures = a.find("failures"); failures && failures->is_list())
    for (const auto& f : failures->as_list())
      if (f.is_string())
        fmt::print("    failed: {}\n", f.as_string());
}

Result<std::vector<std::string>> rotated_captures(const WorkTree& tree) {
  std::vector<std::string> names;
  for (const auto& e : TWIN_TRY(tree.list("logs")))
    if (e.directory && is_rotated_capture_name(e.name))
      names.push_back(e.name);
  return names;
}

Result<int> logs_index(const Twin& twin, const Args& args) {
  std::string dir = TWIN_TRY(capture_dir(twin.tree, args));
  Value index = TWIN_TRY(read_index(twin.tree, dir));
  auto rotated = TWIN_TRY(rotated_captures(twin.tree));
  if (args.flag("json")) {
    index["format_version"] = 1;
    Value& earlier = index["earlier_captures"] = Value::list();
    for (const auto& name : rotated)
      earlier.push_back(name);
    fmt::print("{}\n", to_json(index, true));
    return 0;
  }
  std::string captured = index.get_string("captured_at");
  fmt::print("{}: captured {}", dir, captured.empty() ? "never (apply results only)" : captured);
  if (!rotated.empty())
    fmt::print("; {} earlier capture{}, the last {}", rotated.size(),
               rotated.size() == 1 ? "" : "s", rotated.back());
  fmt::print("\n");
  if (const Value* j = index.find("journal"); j && j->is_map())
    print_journal(*j);
  if (const Value* f = index.find("files"); f && f->is_map())
    print_files(*f);
  if (const Value* a = index.find("apply"); a && a->is_map())
    print_apply(*a);
  std::int64_t redactions =
      int_at(index, "/journal/redactions") + int_at(index, "/files/redactions");
  if (redactions)
    fmt::print("{} redacted from the captures\n", plural(redactions, "secret value"));
  return 0;
}

// The captures an index lists, by name: journal_tail, errors_last_boot, and one per file
// source.
std::map<std::string, std::string> capture_names(const Value& index) {
  std::map<std::string, std::string> out;
  if (const Value* captures = index.at_pointer("/journal/captures"); captures && captures->is_map())
    for (const auto& [name, c] : captures->as_map())
      out[name] = c.get_string("file");
  if (const Value* sources = index.at_pointer("/files/sources"); sources && sources->is_map())
    for (const auto& [name, s] : sources->as_map())
      if (const Value* c = s.find("capture"))
        out[name] = c->get_string("file");
  return out;
}

Result<int> logs_show(const Twin& twin, const Args& args) {
  if (args.positional.size() != 2)
    return usage_error("usage: git twin logs show SOURCE [--at STAMP]");
  std::string dir = TWIN_TRY(capture_dir(twin.tree, args));
  Value index = TWIN_TRY(read_index(twin.tree, dir));
  auto names = capture_names(index);
  auto it = names.find(args.positional[1]);
  if (it == names.end()) {
    std::string known;
    for (const auto& [name, file] : names)
      known += (known.empty() ? "" : ", ") + name;
    return fail("{} has no capture named '{}' (there are: {})", dir, args.positional[1],
                known.empty() ? "none" : known);
  }
  // The index names files below logs/current/; a rotated index still says "current".
  std::string file = it->second;
  constexpr std::string_view current = "logs/current/";
  if (file.rfind(current, 0) != 0)
    return fail("{}/index.yaml names '{}', which is not a capture", dir, file);
  file = dir + "/" + file.substr(current.size());
  auto text = TWIN_TRY(twin.tree.read(file));
  if (!text)
    return fail("{} is missing", file);
  fmt::print("{}", *text);
  return 0;
}

Result<int> logs_grep(const Twin& twin, const Args& args) {
  if (args.positional.size() != 2)
    return usage_error("usage: git twin logs grep [-i] [-F] PATTERN [--json]");
  const std::string& pattern = args.positional[1];
  bool ignore_case = args.flag("ignore-case");
  std::optional<std::regex> re;
  if (!args.flag("fixed-strings")) {
    try {
      auto flags = std::regex::ECMAScript | std::regex::optimize;
      re.emplace(pattern, ignore_case ? flags | std::regex::icase : flags);
    } catch (const std::regex_error& e) {
      return usage_error("'{}' is not a valid regular expression: {}", pattern, e.what());
    }
  }
  std::string needle = pattern;
  if (ignore_case)
    needle = ascii_lowercase(needle);
  auto matches = [&](const std::string& line) {
    if (re)
      return std::regex_search(line, *re);
    return (ignore_case ? ascii_lowercase(line) : line).find(needle) != std::string::npos;
  };

  std::vector<std::string> dirs = {"logs/current"};
  auto rotated = TWIN_TRY(rotated_captures(twin.tree));
  for (auto it = rotated.rbegin(); it != rotated.rend(); ++it)
    dirs.push_back("logs/" + *it); // newest first
  Value found = Value::list();
  for (const auto& dir : dirs) {
    for (const auto& name : TWIN_TRY(files_below(twin.tree, dir))) {
      if (name == "index.yaml")
        continue;
      std::string file = dir + "/" + name;
      auto text = TWIN_TRY(twin.tree.read(file));
      std::size_t number = 0, start = 0;
      while (text && start < text->size()) {
        std::size_t eol = text->find('\n', start);
        std::string line = text->substr(start, eol == std::string::npos ? eol : eol - start);
        start = eol == std::string::npos ? text->size() : eol + 1;
        ++number;
        if (!matches(line))
          continue;
        if (!args.flag("json"))
          fmt::print("{}:{}:{}\n", file, number, line);
        Value m;
        m["file"] = file;
        m["line"] = static_cast<std::int64_t>(number);
        m["text"] = line;
        found.push_back(std::move(m));
      }
    }
  }
  if (args.flag("json")) {
    Value out;
    out["format_version"] = 1;
    out["matches"] = found;
    fmt::print("{}\n", to_json(out, true));
  }
  // Like grep: 1 when nothing matched.
  return found.as_list().empty() ? 1 : 0;
}

} // namespace

Result<int> cmd_logs(std::span<const std::string> argv) {
  static const OptionSpec specs[] = {{"json", 0, false},
                                     {"at", 0, true},
                                     {"ignore-case", 'i', false},
                                     {"fixed-strings", 'F', false}};
  Args args = TWIN_TRY(parse_args("logs", argv, specs));
  Twin twin = TWIN_TRY(open_twin());
  std::string sub = args.positional.empty() ? "index" : args.positional[0];
  if (sub == "index" && args.positional.size() <= 1)
    return logs_index(twin, args);
  if (sub == "show")
    return logs_show(twin, args);
  if (sub == "grep")
    return logs_grep(twin, args);
  return usage_error("usage: git twin logs [index|show SOURCE|grep PATTERN] (not '{}')", sub);
}

} // namespace twin::cli
