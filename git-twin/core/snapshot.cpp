// SPDX-License-Identifier: MIT
#include "core/snapshot.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sstream>

#include <fmt/ranges.h>

#include "core/conflict_markers.hpp"
#include "core/fs_util.hpp"
#include "core/live_memo.hpp"
#include "core/schema.hpp"
#include "core/sha256.hpp"
#include "core/snapshot_secrets.hpp"
#include "core/yaml_emitter.hpp"
#include "core/yaml_reader.hpp"

namespace twin {
namespace {

std::string live_path(const Plugin& p) {
  return fmt::format("live/{}.yaml", p.fragment());
}
std::string state_path(const Plugin& p) {
  return fmt::format("state/{}.yaml", p.fragment());
}

std::string default_message(const SnapshotOptions& options, const SnapshotReport& report) {
  std::string msg = options.seed ? "git twin init: first snapshot" : "git twin snapshot";
  std::vector<std::string> details;
  for (const auto& p : report.plugins) {
    if (!p.adopt.adopted.empty())
      details.push_back(fmt::format("{}: adopted {}", p.plugin, p.adopt.adopted.size()));
    if (!p.adopt.conflicts.empty())
      details.push_back(fmt::format("{}: {} conflict{}", p.plugin, p.adopt.conflicts.size(),
                                    p.adopt.conflicts.size() == 1 ? "" : "s"));
  }
  if (!details.empty())
    msg += fmt::format(" ({})", fmt::join(details, ", "));
  msg += "\n";
  // Name what was adopted, but not thousands of paths (a first snapshot of a new root).
  constexpr std::size_t listed = 100;
  std::size_t count = 0;
  for (const auto& p : report.plugins)
    for (const auto& path : p.adopt.adopted)
      if (++count <= listed)
        msg += fmt::format("\nadopted {} {}", p.plugin, path);
  if (count > listed)
    msg += fmt::format("\n... and {} more", count - listed);
  return msg;
}

// Observes one plugin and adopts its drift. Errors here fail only this plugin.
Status snapshot_plugin(TwinEnv& env, const Plugin& plugin, const SnapshotOptions& options,
                       const std::optional<std::string>& base, LiveMemo& memo,
                       SnapshotSecrets& secrets, PluginSnapshot& report,
                       std::vector<std::string>& commit_paths, std::vector<std::string>& fresh,
                       std::string& live_blob) {
  Notes notes;
  PluginContext ctx{env.root, env.runner, env.config, env.tree, env.repo.git_dir(), notes};
  ctx.secrets = &secrets.tracker;
  std::vector<std::string> written;
  LiveObservation observed = TWIN_TRY(plugin.collect(ctx, written));
  report.warnings = std::move(notes.warnings);
  report.resources = observed.resources();
  report.copies_written = written.size();
  fresh.insert(fresh.end(), written.begin(), written.end());
  report.has_state = plugin.has_state();

  // live_blob is compared with the base's and HEAD's below. The document itself is built
  // only when it is needed: new text, seeding or adoption.
  std::string file = live_path(plugin);
  auto current = TWIN_TRY(env.tree.stat(file));
  if (auto known = current ? memo.blob_for(file, observed.fingerprint(), *current) : std::nullopt) {
    live_blob = *known; // the file already holds this observation
  } else {
    if (TWIN_TRY(env.tree.write_if_changed(file, observed.text())))
      fresh.push_back(file);
    live_blob = TWIN_TRY(stored_blob_id(plugin, file, observed.text(), secrets));
    if (auto written_stat = TWIN_TRY(env.tree.stat(file)))
      memo.record(file, observed.fingerprint(), live_blob, *written_stat);
  }
  std::optional<std::string> base_blob;
  if (base)
    base_blob = TWIN_TRY(env.repo.blob_id(*base, live_path(plugin)));
  report.live_changed = !base_blob || *base_blob != live_blob;

  if (!plugin.has_state())
    return {};
  if (options.seed) {
    std::size_t collected = written.size();
    Value desired = TWIN_TRY(plugin.seed_state(ctx, observed.document(), written));
    fresh.insert(fresh.end(), written.begin() + static_cast<std::ptrdiff_t>(collected),
                 written.end());
    if (TWIN_TRY(env.tree.write_if_changed(state_path(plugin), emit_yaml(desired))))
      fresh.push_back(state_path(plugin));
    return {};
  }
  if (!env.config.adopt_local_changes || !report.live_changed)
    return {};
  if (!base_blob) {
    report.warnings.push_back(fmt::format(
        "no sync base for {} yet ({}); local changes are recorded in live/ but not adopted",
        live_path(plugin), k_base_ref));
    return {};
  }

  auto base_text = TWIN_TRY(env.repo.read_blob(*base, live_path(plugin)));
  Value base_doc =
      TWIN_TRY(parse_yaml(*base_text, std::string(k_base_ref) + ":" + live_path(plugin)));
  auto desired_text = TWIN_TRY(env.tree.read(state_path(plugin)));
  Value desired = Value::map();
  if (desired_text) {
    auto errors = check_state_document(plugin, state_path(plugin), *desired_text, env.config,
                                       env.tree, &desired, env.repo.git_dir());
    if (!errors.empty())
      return fail("{} is invalid, local changes were not adopted:\n  {}", state_path(plugin),
                  fmt::join(errors, "\n  "));
  }
  report.adopt = TWIN_TRY(plugin.adopt(ctx, observed.document(), &base_doc, desired));
  for (const auto& path : report.adopt.conflicts)
    report.warnings.push_back(
        fmt::format("conflict at {}: changed in the twin and on the machine since the last sync; "
                    "left alone",
                    path));
  if (!report.adopt.adopted.empty()) {
    if (TWIN_TRY(env.tree.write_if_changed(state_path(plugin), emit_yaml(desired))))
      fresh.push_back(state_path(plugin));
    commit_paths.push_back(state_path(plugin));
    for (const auto& p : report.adopt.written)
      commit_paths.push_back(p);
    fresh.insert(fresh.end(), report.adopt.written.begin(), report.adopt.written.end());
  }
  return {};
}

// Adoptions made by a --no-commit snapshot, so that the next committing snapshot commits
// them too (they are in state/ and filesystem/, which a snapshot otherwise commits only
// path by path).
std::string pending_file(const GitRepo& repo) {
  return repo.git_dir() + "/twin/uncommitted";
}

// NUL-terminated paths.
std::vector<std::string> read_pending(const GitRepo& repo) {
  std::vector<std::string> paths;
  std::istringstream in(read_state_file(pending_file(repo)));
  std::string path;
  while (std::getline(in, path, '\0'))
    if (!path.empty())
      paths.push_back(path);
  return paths;
}

Status write_pending(const GitRepo& repo, const std::vector<std::string>& paths) {
  if (paths.empty()) {
    std::remove(pending_file(repo).c_str());
    return {};
  }
  std::string text;
  for (const auto& p : paths)
    text += p + '\0';
  if (!replace_state_file(pending_file(repo), text))
    return fail("cannot write {}", pending_file(repo));
  return {};
}

// The digests of (schema, text) pairs that passed validation, newest last, at most 64.
std::vector<std::string> remembered_keys(const std::string& memo) {
  std::vector<std::string> keys;
  std::istringstream in(read_state_file(memo));
  std::string line;
  while (std::getline(in, line))
    keys.push_back(line);
  return keys;
}

bool remembered(const std::string& memo, const std::string& key) {
  auto keys = remembered_keys(memo);
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

void remember(const std::string& memo, const std::string& key) {
  std::vector<std::string> keys = remembered_keys(memo);
  std::erase_if(keys, [&](const std::string& k) { return k.size() != key.size(); });
  keys.push_back(key);
  if (keys.size() > 64)
    keys.erase(keys.begin(), keys.end() - 64);
  std::string text;
  for (const auto& k : keys)
    text += k + '\n';
  (void)replace_state_file(memo, text);
}

} // namespace

bool SnapshotReport::failed() const {
  for (const auto& p : plugins)
    if (p.error)
      return true;
  return false;
}

bool SnapshotReport::has_conflicts() const {
  for (const auto& p : plugins)
    if (!p.adopt.conflicts.empty())
      return true;
  return false;
}

std::vector<std::string> check_state_document(const Plugin& plugin, std::string_view file,
                                              std::string_view text, const Config& config,
                                              const WorkTree& tree, Value* parsed,
                                              const std::string& git_dir) {
  std::vector<std::string> errors;
  if (auto conflict = conflict_marker_error(file, text))
    return {std::move(*conflict)};
  auto doc = parse_yaml(text, file);
  if (!doc)
    return {doc.error().message};
  const Value* schema = plugin.state_schema();
  if (!schema)
    return {fmt::format("{}: plugin '{}' has no desired state", file, plugin.name())};
  std::string memo = git_dir.empty() ? std::string() : git_dir + "/twin/schema-valid";
  std::string key =
      sha256_hex(std::string(plugin.name()) + '\0' + to_json(*schema) + '\0' + std::string(text));
  Result<std::vector<SchemaProblem>> problems = std::vector<SchemaProblem>{};
  if (memo.empty() || !remembered(memo, key)) {
    // Items found valid before are not validated again (an adoption changes a few).
    std::string items_memo = git_dir.empty()
                                 ? std::string()
                                 : git_dir + "/twin/valid-items." + std::string(plugin.name());
    ValidItems items = ValidItems::load(items_memo);
    problems = validate_against(*schema, *doc, items_memo.empty() ? nullptr : &items);
    if (!problems)
      return {problems.error().message};
    if (!items_memo.empty())
      items.save(items_memo);
    if (problems->empty() && !memo.empty())
      remember(memo, key);
  }
  if (problems->empty())
    *problems = plugin.check_state(*doc, config, tree);
  for (const auto& p : *problems)
    errors.push_back(format_problem(file, p));
  if (errors.empty() && parsed)
    *parsed = std::move(*doc);
  return errors;
}

Result<SnapshotReport> take_snapshot(TwinEnv& env, std::span<const Plugin* const> plugins,
                                     const SnapshotOptions& options) {
  SnapshotReport report;
  auto base = TWIN_TRY(env.repo.resolve(k_base_ref));
  if (options.seed)
    base.reset();
  std::vector<std::string> paths = {"live"};
  std::vector<std::pair<std::string, std::string>> live_blobs; // repo path, blob id
  std::vector<std::string> fresh; // files written (copies, .gitattributes): objects may be new
  bool wrote = false;
  LiveMemo memo = LiveMemo::load(env.repo.git_dir());
  std::string attributes = TWIN_TRY(env.tree.read(".gitattributes")).value_or("");
  SnapshotSecrets secrets = TWIN_TRY(open_secrets(env, attributes));
  for (const Plugin* plugin : plugins) {
    PluginSnapshot& pr = report.plugins.emplace_back();
    pr.plugin = std::string(plugin->name());
    std::string blob;
    std::vector<std::string> adopted_paths;
    if (auto ok = snapshot_plugin(env, *plugin, options, base, memo, secrets, pr, adopted_paths,
                                  fresh, blob);
        !ok) {
      pr.error = ok.error().message;
      continue;
    }
    wrote = wrote || !adopted_paths.empty();
    paths.insert(paths.end(), adopted_paths.begin(), adopted_paths.end());
    live_blobs.emplace_back(live_path(*plugin), std::move(blob));
  }
  auto now = std::chrono::system_clock::now().time_since_epoch();
  memo.save(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count());
  std::vector<std::string> pending = read_pending(env.repo);
  // Whether a file copy may have come or gone in filesystem/ or live/filesystem: only then
  // can the per-directory .gitattributes of secret files be out of date.
  bool copies_changed = options.seed || wrote || !pending.empty() || !options.extra_paths.empty() ||
                        std::any_of(report.plugins.begin(), report.plugins.end(),
                                    [](const PluginSnapshot& p) { return p.copies_written > 0; });
  for (auto& path :
       TWIN_TRY(update_attributes(env, plugins, attributes, secrets, copies_changed))) {
    fresh.push_back(path);
    paths.push_back(std::move(path));
    wrote = true;
  }
  if (!options.log_plugins.empty()) {
    // Logs are a side dish: a repository whose logs/ cannot be written (a committed symlink)
    // warns, and the snapshot, or the apply it follows, still records the machine.
    auto logs = capture_logs(env.tree, env.root, env.runner, options.log_plugins,
                             std::chrono::system_clock::now());
    if (logs) {
      report.logs = std::move(*logs);
    } else {
      report.logs = LogsReport{};
      report.logs->warnings.push_back("logs were not captured: " + logs.error().message);
    }
    if (report.logs->captured) {
      paths.push_back("logs");
      wrote = true;
    }
  }
  if (!options.commit) {
    pending.insert(pending.end(), paths.begin() + 1, paths.end());
    TWIN_CHECK(write_pending(env.repo, pending));
    return report;
  }
  wrote = wrote || !pending.empty() || !options.extra_paths.empty();
  paths.insert(paths.end(), pending.begin(), pending.end());
  paths.insert(paths.end(), options.extra_paths.begin(), options.extra_paths.end());
  if (options.seed)
    paths = {"."};

  // Nothing adopted and live/ equal to HEAD's: no git process needed.
  auto head = TWIN_TRY(env.repo.resolve("HEAD"));
  bool head_matches = head.has_value();
  for (const auto& [path, live_blob] : live_blobs) {
    if (!head_matches)
      break;
    auto blob = TWIN_TRY(env.repo.blob_id(*head, path));
    head_matches = blob && *blob == live_blob;
  }
  if (!head_matches || wrote) {
    std::string message =
        options.message.empty() ? default_message(options, report) : options.message;
    report.commit = TWIN_TRY(commit_paths(env.runner, env.repo, paths, message, fresh));
    TWIN_CHECK(write_pending(env.repo, {}));
    head = TWIN_TRY(env.repo.resolve("HEAD"));
  }
  // The sync point moves when the committed live/ is what was just observed. Not while a
  // conflict is open: moving it would make the machine's side of the conflict look like
  // the base, and a plan would then silently undo it.
  // Nor past drift that was not adopted (sync.adopt_local_changes off): the next plan
  // would then undo the machine's change instead of reporting it.
  bool unadopted_drift = false;
  for (const auto& p : report.plugins)
    unadopted_drift = unadopted_drift || (p.has_state && p.live_changed && !options.seed &&
                                          !env.config.adopt_local_changes);
  if (report.has_conflicts())
    report.base_kept = "until the conflicts are resolved: edit state/ or filesystem/ to the "
                       "side you want, or run 'git twin adopt PATH'";
  else if (unadopted_drift)
    report.base_kept = "because local changes were not adopted (sync.adopt_local_changes is "
                       "off): 'git twin adopt' keeps them, 'git twin apply' undoes them";
  if (head && !report.failed() && report.base_kept.empty()) {
    bool all_match = true;
    for (const auto& [path, live_blob] : live_blobs) {
      auto blob = TWIN_TRY(env.repo.blob_id(*head, path));
      all_match = all_match && blob && *blob == live_blob;
    }
    if (all_match && head != base)
      TWIN_CHECK(env.repo.set_ref(k_base_ref, *head, "git twin snapshot"));
  }
  return report;
}

} // namespace twin

namespace twin {

Result<AdoptSummary> adopt_resources(TwinEnv& env, const Plugin& plugin,
                                     const std::vector<std::string>& selectors) {
  // Observe only: a refused name must leave the work tree untouched; the snapshot that
  // commits the adoption records live/.
  Notes notes;
  PluginContext ctx{env.root, env.runner, env.config, env.tree, env.repo.git_dir(), notes, false};
  std::vector<std::string> written;
  LiveObservation observed = TWIN_TRY(plugin.collect(ctx, written));
  Value desired = Value::map();
  if (auto text = TWIN_TRY(env.tree.read(state_path(plugin)))) {
    auto errors = check_state_document(plugin, state_path(plugin), *text, env.config, env.tree,
                                       &desired, env.repo.git_dir());
    if (!errors.empty())
      return fail("{} is invalid, nothing was adopted:\n  {}", state_path(plugin),
                  fmt::join(errors, "\n  "));
  }
  AdoptSummary summary = TWIN_TRY(plugin.adopt_named(ctx, observed.document(), selectors, desired));
  TWIN_TRY(env.tree.write_if_changed(state_path(plugin), emit_yaml(desired)));
  summary.written.insert(summary.written.begin(), state_path(plugin));
  return summary;
}

} // namespace twin
