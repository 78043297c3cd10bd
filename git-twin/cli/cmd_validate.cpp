// SPDX-License-Identifier: MIT
// git twin validate [PATH...]: config.yaml and state/*.yaml against their schemas and the
// semantic rules. Every problem names file:line:col and the field (JSON pointer).
#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/session.hpp"
#include "core/config.hpp"
#include "core/conflict_markers.hpp"
#include "core/git_repo.hpp"
#include "core/logs_config.hpp"
#include "core/machine_check.hpp"
#include "core/output.hpp"
#include "core/snapshot.hpp"
#include "core/work_tree.hpp"
#include "core/yaml_reader.hpp"
#include "plugins/registry.hpp"

namespace twin::cli {
namespace {

// A path given on the command line, as a path relative to the work tree.
Result<std::string> repo_relative(const std::string& work_tree, const std::string& arg) {
  std::string absolute = arg;
  if (arg.empty() || arg[0] != '/') {
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
      return fail("cannot determine the current directory");
    absolute = std::string(cwd) + "/" + arg;
  }
  // Normalise "." and ".." lexically; the file itself is read confined to the work tree.
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= absolute.size()) {
    size_t end = absolute.find('/', start);
    std::string part = absolute.substr(start, end == std::string::npos ? end : end - start);
    if (part == "..") {
      if (!parts.empty())
        parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
  std::string normal;
  for (const auto& p : parts)
    normal += "/" + p;
  if (normal.rfind(work_tree + "/", 0) != 0)
    return fail("'{}' is outside the twin repository '{}'", arg, work_tree);
  return normal.substr(work_tree.size() + 1);
}

std::vector<std::string> state_files(const std::string& work_tree) {
  std::vector<std::string> out;
  if (DIR* d = opendir((work_tree + "/state").c_str())) {
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name.size() > 5 && name.compare(name.size() - 5, 5, ".yaml") == 0)
        out.push_back("state/" + name);
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The config used for semantic checks of state/. When config.yaml is itself invalid (and
// reported as such), state/ is not judged against its roots: one bad root would otherwise
// flag every entry.
Config config_for_state_checks(const WorkTree& tree) {
  auto text = tree.read("config.yaml");
  if (text && *text)
    if (auto doc = parse_yaml(**text, "config.yaml");
        doc && check_config(*doc, plugins::names()).empty())
      return config_from_document(*doc);
  Config unknown;
  unknown.filesystem_roots = {"/"};
  return unknown;
}

std::vector<std::string> validate_file(const WorkTree& tree, const Config& config,
                                       const std::string& path) {
  auto text = tree.read(path);
  if (!text)
    return {text.error().message};
  if (!*text)
    return {fmt::format("{}: no such file in the twin", path)};
  if (path == "config.yaml") {
    if (auto conflict = conflict_marker_error(path, **text))
      return {std::move(*conflict)};
    auto doc = parse_yaml(**text, path);
    if (!doc)
      return {doc.error().message};
    std::vector<std::string> errors;
    for (const auto& p : check_config(*doc, plugins::names()))
      errors.push_back(format_problem(path, p));
    return errors;
  }
  if (path == k_logs_config_path)
    return check_logs_config_document(path, **text);
  for (const Plugin* p : plugins::all())
    if (p->has_state() && path == fmt::format("state/{}.yaml", p->fragment()))
      return check_state_document(*p, path, **text, config, tree);
  return {fmt::format("{}: no plugin has a state fragment by that name", path)};
}

} // namespace

Result<int> cmd_validate(std::span<const std::string> argv) {
  static const OptionSpec specs[] = {{"root", 0, true}};
  Args args = TWIN_TRY(parse_args("validate", argv, specs));
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd))
    return fail("cannot determine the current directory");
  GitRepo repo = TWIN_TRY(GitRepo::discover(cwd));
  WorkTree tree = TWIN_TRY(WorkTree::open(repo.work_tree()));

  std::vector<std::string> paths;
  for (const auto& a : args.positional)
    paths.push_back(TWIN_TRY(repo_relative(repo.work_tree(), a)));
  if (paths.empty()) {
    paths.push_back("config.yaml");
    for (auto& p : state_files(repo.work_tree()))
      paths.push_back(std::move(p));
  }

  Config config = config_for_state_checks(tree);
  // Checks that look at the machine (cron users must exist there) use the root a command
  // would use: --root, GIT_TWIN_ROOT, then config.yaml; in a clone elsewhere (a laptop,
  // CI), unless a root was given, the documents alone are checked.
  bool root_given = args.value("root") || std::getenv("GIT_TWIN_ROOT");
  config.root = choose_root(args, config);
  if (!root_given && !root_is_the_twins_machine(config.root, tree)) {
    config.root.clear();
    print_hint("this is not the machine the twin describes: users in state/cron.yaml were "
               "not checked against its accounts (give --root to check against a root)");
  }
  size_t problems = 0, bad_files = 0;
  for (const auto& path : paths) {
    auto errors = validate_file(tree, config, path);
    problems += errors.size();
    bad_files += errors.empty() ? 0 : 1;
    for (const auto& e : errors)
      print_error(e);
  }
  if (problems) {
    fmt::print(stderr, "{} problem{} in {} of {} file{}\n", problems, problems == 1 ? "" : "s",
               bad_files, paths.size(), paths.size() == 1 ? "" : "s");
    return 1;
  }
  fmt::print("valid: {}\n", fmt::join(paths, ", "));
  return 0;
}

} // namespace twin::cli
