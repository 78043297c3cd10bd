// SPDX-License-Identifier: MIT
#include "cli/session.hpp"

#include "core/apply_journal.hpp"
#include "core/output.hpp"

#include <cstdlib>
#include <fmt/ranges.h>
#include <unistd.h>

#include "core/yaml_reader.hpp"
#include "plugins/registry.hpp"

namespace twin::cli {

std::string choose_root(const Args& args, const Config& config) {
  if (auto root = args.value("root"))
    return *root;
  if (const char* env = std::getenv("GIT_TWIN_ROOT"); env && *env)
    return env;
  return config.root;
}

Result<Config> load_config(const WorkTree& tree) {
  auto text = TWIN_TRY(tree.read("config.yaml"));
  if (!text)
    return fail("'{}' has no config.yaml: not a git-twin repository (run 'git twin init')",
                tree.dir());
  Value doc = TWIN_TRY(parse_yaml(*text, "config.yaml"));
  auto problems = check_config(doc, plugins::names());
  if (!problems.empty()) {
    std::vector<std::string> lines;
    for (const auto& p : problems)
      lines.push_back(format_problem("config.yaml", p));
    return fail("config.yaml is invalid:\n  {}", fmt::join(lines, "\n  "));
  }
  return config_from_document(doc);
}

Result<Session> open_session(const Args& args) {
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd))
    return fail("cannot determine the current directory");
  GitRepo repo = TWIN_TRY(GitRepo::discover(cwd));
  WorkTree tree = TWIN_TRY(WorkTree::open(repo.work_tree()));
  Config config = TWIN_TRY(load_config(tree));
  std::string root_dir = choose_root(args, config);
  auto root = SystemRoot::open(root_dir);
  if (!root)
    return fail("cannot use '{}' as the system root: {}", root_dir, root.error().message);
  // From here on config.root is the root in use (--root and GIT_TWIN_ROOT win), so that
  // checks that read it (cron users must exist in its /etc/passwd) look at the right one.
  config.root = root->physical();
  if (auto notice = interrupted_apply_notice(repo.git_dir()); !notice.empty())
    print_warning(notice);
  return Session{std::move(repo), std::move(tree), std::move(config), std::move(*root)};
}

} // namespace twin::cli
