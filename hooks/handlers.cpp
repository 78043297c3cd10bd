// SPDX-License-Identifier: MIT
#include "hooks/handlers.hpp"

#include <cstdlib>
#include <map>
#include <sys/stat.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/conflict_markers.hpp"
#include "core/git_repo.hpp"
#include "core/logs_config.hpp"
#include "core/machine_check.hpp"
#include "core/replan.hpp"
#include "core/secret_cipher.hpp"
#include "core/snapshot.hpp"
#include "core/yaml_emitter.hpp"
#include "core/yaml_reader.hpp"
#include "hooks/secret_check.hpp"

namespace twin::hooks {
namespace {

void note(std::string_view text) {
  fmt::print(stderr, "git-twin: {}\n", text);
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::string state_path(const Plugin& p) {
  return fmt::format("state/{}.yaml", p.fragment());
}

} // namespace

bool is_internal(std::string_view name, std::span<const std::string> args) {
  if (std::getenv("GIT_TWIN_INTERNAL") || std::getenv("GIT_TWIN_IN_HOOK"))
    return true; // git run by git-twin itself
  // A file checkout (flag 0) changes no branch; the same commit changes no desired state.
  return name == "post-checkout" && args.size() >= 3 && (args[2] == "0" || args[0] == args[1]);
}

std::string skip_reason(std::string_view name, std::span<const std::string> args,
                        const std::string& git_dir) {
  // post-rewrite after a rebase runs while git still has its rebase state: it is the end of
  // the sequence, exactly when the plan should be made again.
  bool rebase_done = name == "post-rewrite" && !args.empty() && args[0] == "rebase";
  for (const char* marker : {"rebase-merge", "rebase-apply", "CHERRY_PICK_HEAD", "REVERT_HEAD"})
    if (!rebase_done && exists(git_dir + "/" + marker))
      return "a rebase, cherry-pick or revert is in progress";
  return {};
}

std::string pending_summary(const PlanResult& result) {
  std::map<std::string, std::size_t> per_plugin;
  for (const auto& a : result.plan.actions)
    ++per_plugin[a.plugin];
  std::vector<std::string> parts;
  for (const auto& s : result.status)
    if (auto it = per_plugin.find(s.plugin); it != per_plugin.end())
      parts.push_back(fmt::format("{} {}", s.plugin, it->second));
  std::size_t n = result.plan.actions.size();
  std::string text = n == 0 ? "nothing to apply"
                            : fmt::format("{} action{} pending ({})", n, n == 1 ? "" : "s",
                                          fmt::join(parts, ", "));
  if (std::size_t c = result.plan.conflicts.size())
    text += fmt::format(", {} conflict{}", c, c == 1 ? "" : "s");
  return text;
}

int refresh_after_git(TwinEnv& env, std::span<const Plugin* const> plugins,
                      const std::optional<std::string>& previous_head) {
  std::optional<Result<PlanResult>> quick;
  if (previous_head)
    if (auto replanned = replan_changed(env, plugins, *previous_head); replanned && *replanned)
      quick = std::move(**replanned);
  auto result = quick ? std::move(*quick) : refresh_plan(env, plugins);
  if (!result) {
    note("warning: could not plan: " + result.error().message);
    note("run 'git twin plan' to see what is wrong");
    return 0;
  }
  std::string summary = pending_summary(*result);
  if (result->plan.actions.empty() && result->plan.conflicts.empty())
    note(summary + ": the machine matches the twin");
  else
    note(summary + "; review with 'git twin plan', run 'git twin apply' to apply");
  return 0;
}

int pre_commit(TwinEnv& env, std::span<const Plugin* const> plugins,
               const std::vector<std::string>& known_plugins) {
  // The index git is committing: GIT_INDEX_FILE when git set one (relative to the work tree,
  // where hooks run), else the repository's own.
  std::vector<std::string> errors;
  // The index holds what was cleaned: an encrypted document (state/cron.yaml) is read back
  // through the key. Without the key it cannot be checked here, and says so.
  auto key = load_key(env.repo.git_dir());
  auto staged = [&](const std::string& path) -> std::optional<std::string> {
    auto shown = run_git(env.runner, env.repo.work_tree(), {"cat-file", "blob", ":" + path});
    if (!shown)
      return std::nullopt; // not in the index
    if (!is_encrypted(shown->out))
      return shown->out;
    if (!key) {
      errors.push_back(fmt::format("{}: cannot be validated: {}", path, key.error().message));
      return std::nullopt;
    }
    if (!*key) {
      note(fmt::format("{} is encrypted and this clone has no key: not validated", path));
      return std::nullopt;
    }
    auto plain = decrypt_secret(**key, path, shown->out);
    if (!plain) {
      errors.push_back(fmt::format("{}: {}", path, plain.error().message));
      return std::nullopt;
    }
    return *plain;
  };
  Config config = env.config;
  if (auto text = staged("config.yaml")) {
    auto doc = parse_yaml(*text, "config.yaml");
    if (auto conflict = conflict_marker_error("config.yaml", *text)) {
      errors.push_back(std::move(*conflict));
    } else if (!doc) {
      errors.push_back(doc.error().message);
    } else {
      // Any built-in plugin may be enabled, not only those the current config enables.
      for (const auto& p : check_config(*doc, known_plugins))
        errors.push_back(format_problem("config.yaml", p));
      if (errors.empty())
        config = config_from_document(*doc);
    }
  }
  // In a clone on another machine the documents alone are checked (machine_check.hpp).
  bool on_the_machine =
      std::getenv("GIT_TWIN_ROOT") || root_is_the_twins_machine(config.root, env.tree);
  Config checks = config;
  if (!on_the_machine)
    checks.root.clear();
  for (const Plugin* p : plugins) {
    if (!p->has_state())
      continue;
    if (auto text = staged(state_path(*p)))
      for (auto& e : check_state_document(*p, state_path(*p), *text, checks, env.tree, nullptr,
                                          env.repo.git_dir()))
        errors.push_back(std::move(e));
  }
  if (auto text = staged(std::string(k_logs_config_path)))
    for (auto& e : check_logs_config_document(k_logs_config_path, *text))
      errors.push_back(std::move(e));
  if (!errors.empty()) {
    for (const auto& e : errors)
      fmt::print(stderr, "error: {}\n", e);
    note("commit refused: the staged desired state is invalid (see 'git twin validate')");
    return 1;
  }
  auto secrets = staged_secret_problems(env.runner, env.repo.work_tree(), config, plugins);
  if (!secrets) {
    fmt::print(stderr, "error: cannot check the staged files for secrets: {}\n",
               secrets.error().message);
    return 1; // fail closed: an unchecked commit could publish a secret
  }
  if (!secrets->empty()) {
    for (const auto& e : *secrets)
      fmt::print(stderr, "error: {}\n", e);
    note("commit refused: it would store secrets in plaintext");
    return 1;
  }
  if (!config.pre_commit_snapshot)
    return 0;
  const char* index = std::getenv("GIT_INDEX_FILE");
  if (index && std::string_view(index).find("next-index") != std::string_view::npos) {
    // A partial commit (git commit <paths>) commits a temporary index; staging into it would
    // leave the real index looking like a revert of what was just committed.
    note("partial commit: live/ not refreshed (run 'git twin snapshot' afterwards)");
    return 0;
  }
  for (const Plugin* p : plugins) {
    Notes notes;
    PluginContext ctx{env.root, env.runner, config, env.tree, env.repo.git_dir(), notes};
    std::vector<std::string> written;
    auto live = p->collect(ctx, written);
    if (!live) {
      note(fmt::format("warning: {}: {}; live/ not refreshed", p->name(), live.error().message));
      return 0;
    }
    auto wrote =
        env.tree.write_if_changed(fmt::format("live/{}.yaml", p->fragment()), live->text());
    if (!wrote) {
      note("warning: " + wrote.error().message);
      return 0;
    }
  }
  if (auto added = run_git(env.runner, env.repo.work_tree(), {"add", "-A", "-f", "--", "live"});
      !added)
    note("warning: live/ not staged: " + added.error().message);
  return 0;
}

} // namespace twin::hooks
