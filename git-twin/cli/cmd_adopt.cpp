// SPDX-License-Identifier: MIT
// git twin adopt [PLUGIN|PATH]... : copy what is observed into desired state, and commit.
// A PATH (absolute, as on the machine) adopts that path and everything below it; a plugin
// name (files.mirror, or its fragment: files) adopts all of that plugin; nothing named
// adopts everything.
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/report.hpp"
#include "cli/session.hpp"
#include "core/apply_journal.hpp"
#include "core/repo_lock.hpp"
#include "plugins/registry.hpp"

namespace twin::cli {

Result<int> cmd_adopt(std::span<const std::string> argv) {
  static const OptionSpec specs[] = {{"message", 'm', true}, {"root", 0, true}};
  Args args = TWIN_TRY(parse_args("adopt", argv, specs));
  Session s = TWIN_TRY(open_session(args));
  RepoLock lock = TWIN_TRY(RepoLock::acquire(s.repo.git_dir()));
  TWIN_CHECK(refuse_while_interrupted(s.repo.git_dir()));
  auto enabled = plugins::enabled(s.config);
  TwinEnv env{s.repo, s.tree, s.root, s.config, process_runner()};

  const Plugin* files = nullptr;
  for (const Plugin* p : enabled)
    if (p->has_state() && p->fragment() == "files")
      files = p;
  std::set<const Plugin*> whole;
  std::vector<std::string> paths; // for files.mirror
  for (const auto& a : args.positional) {
    if (!a.empty() && a.front() == '/') {
      TWIN_CHECK(check_logical_path(a));
      if (!files)
        return fail("'{}' is a path, and files.mirror is not enabled", a);
      paths.push_back(a);
      continue;
    }
    const Plugin* named = nullptr;
    for (const Plugin* p : enabled)
      if (p->name() == a || p->fragment() == a)
        named = p;
    if (!named)
      return usage_error("'{}' is neither an enabled plugin nor an absolute path", a);
    if (!named->has_state())
      return fail("'{}' is observed only; there is no desired state to adopt into", a);
    whole.insert(named);
  }

  // Each plugin adopts everything (no selectors) or the named paths; nothing named: all.
  std::vector<std::pair<const Plugin*, std::vector<std::string>>> work;
  for (const Plugin* p : enabled) {
    if (!p->has_state())
      continue;
    if (args.positional.empty() || whole.count(p))
      work.emplace_back(p, std::vector<std::string>{});
    else if (p == files && !paths.empty())
      work.emplace_back(p, paths);
  }

  SnapshotOptions options;
  std::vector<std::string> adopted;
  for (const auto& [plugin, selectors] : work) {
    AdoptSummary summary = TWIN_TRY(adopt_resources(env, *plugin, selectors));
    for (const auto& r : summary.adopted) {
      fmt::print("adopted {} {}\n", plugin->name(), r);
      adopted.push_back(r);
    }
    options.extra_paths.insert(options.extra_paths.end(), summary.written.begin(),
                               summary.written.end());
  }
  if (adopted.empty()) {
    fmt::print("nothing to adopt: desired state already matches what is observed\n");
    return 0;
  }
  options.commit = true;
  options.message = args.value("message").value_or(
      fmt::format("git twin adopt: {} resource{}\n\n{}", adopted.size(),
                  adopted.size() == 1 ? "" : "s", fmt::join(adopted, "\n")));
  SnapshotReport report = TWIN_TRY(take_snapshot(env, enabled, options));
  return print_snapshot_report(report);
}

} // namespace twin::cli
