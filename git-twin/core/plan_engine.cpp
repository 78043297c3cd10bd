// SPDX-License-Identifier: MIT
#include "core/plan_engine.hpp"

#include <cstdio>
#include <cstdlib>
#include <map>

#include <fmt/ranges.h>

#include "core/embedded.hpp"
#include "core/fs_util.hpp"
#include "core/schema.hpp"
#include "core/secret_cipher.hpp"
#include "core/sha256.hpp"
#include "core/stat_cache.hpp"
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

// Items of the top-level lists of a document, by their `path`, with the list's name.
std::map<std::string_view, std::pair<std::string_view, const Value*>>
items_by_path(const Value* document) {
  std::map<std::string_view, std::pair<std::string_view, const Value*>> out;
  if (document && document->is_map())
    for (const auto& [key, list] : document->as_map())
      if (list.is_list())
        for (const Value& item : list.as_list())
          if (const Value* path = item.find("path"); path && path->is_string())
            out.emplace(path->as_string(), std::pair<std::string_view, const Value*>(key, &item));
  return out;
}

// The memo's body: for every desired item with a twin_path, what it was planned from.
std::vector<MemoItem> memo_items(const PlanRecord& record) {
  std::vector<MemoItem> items;
  for (const auto& planned : record.planned) {
    auto live = items_by_path(planned.live);
    auto base = items_by_path(planned.base ? &*planned.base : nullptr);
    auto find = [](const auto& index, std::string_view key) -> const Value* {
      auto it = index.find(key);
      return it == index.end() ? nullptr : it->second.second;
    };
    for (const auto& [path, found] : items_by_path(&planned.desired)) {
      const auto& [list, desired] = found;
      const Value* twin_path = desired->find("twin_path");
      if (!twin_path || !twin_path->is_string())
        continue;
      const Value* l = find(live, path);
      const Value* b = find(base, path);
      auto consulted = record.consulted.find(twin_path->as_string());
      items.push_back(MemoItem{planned.plugin, std::string(list), twin_path->as_string(),
                               consulted == record.consulted.end() ? "-" : consulted->second,
                               to_json(*desired), l ? to_json(*l) : "null",
                               b && l && *b == *l ? "="
                               : b                ? to_json(*b)
                                                  : "null"});
    }
  }
  return items;
}

} // namespace

bool PlanResult::pending() const {
  if (!plan.actions.empty() || !plan.conflicts.empty())
    return true;
  for (const auto& s : status)
    if (!s.local_drift.empty())
      return true;
  return false;
}

const Value& plan_schema() {
  return embedded_schema("plan.schema.json");
}

Result<Observation> observe(TwinEnv& env, std::span<const Plugin* const> plugins) {
  Observation obs;
  std::string all;
  for (const Plugin* plugin : plugins) {
    Notes notes;
    PluginContext ctx{env.root, env.runner, env.config, env.tree, env.repo.git_dir(), notes, false};
    std::vector<std::string> written;
    auto live = plugin->collect(ctx, written);
    if (!live)
      return fail("{}: {}", plugin->name(), live.error().message);
    for (auto& w : notes.warnings)
      obs.warnings.push_back(fmt::format("{}: {}", plugin->name(), w));
    all += live_path(*plugin) + '\0' + live->fingerprint() + '\0';
    obs.documents.push_back({plugin, std::move(*live)});
  }
  obs.digest = sha256_hex(all);
  return obs;
}

Result<PlanResult> make_plan(TwinEnv& env, const Observation& observation, Prefer prefer,
                             PlanRecord* record) {
  PlanResult result;
  Plan& plan = result.plan;
  plan.desired_commit = TWIN_TRY(env.repo.resolve("HEAD")).value_or("");
  auto base = TWIN_TRY(env.repo.resolve(k_base_ref));

  // Every twin_path consulted, with its digest: part of what the plan is pinned to. Digests
  // of unchanged files come from the stat cache.
  std::string cache_path = env.repo.git_dir() + "/twin/desired.cache";
  StatCache cache = StatCache::load(cache_path, 0);
  std::map<std::string, std::string> consulted;
  ContentDigest digest = [&](const std::string& twin_path) -> std::optional<std::string> {
    if (auto it = consulted.find(twin_path); it != consulted.end())
      return it->second.empty() ? std::nullopt : std::optional<std::string>(it->second);
    std::string sha;
    auto st = env.tree.stat(twin_path);
    if (st && *st && (*st)->type == FileType::file) {
      if (const CacheEntry* hit = cache.lookup(twin_path, **st, nullptr, false)) {
        sha = hit->sha256;
      } else {
        std::int64_t read_ns = wall_clock_ns();
        if (auto content = env.tree.read(twin_path); content && *content) {
          sha = desired_content_digest(**content);
          cache.record(
              twin_path,
              CacheEntry{(*st)->inode, (*st)->size, (*st)->mtime_ns, (*st)->ctime_ns, sha, 0, 0},
              read_ns);
        }
      }
    }
    consulted[twin_path] = sha;
    return sha.empty() ? std::nullopt : std::optional<std::string>(sha);
  };

  std::map<std::string, std::string> state_sha;
  std::vector<std::string> invalid;
  if (record) {
    record->head.base = base.value_or("");
    record->head.stamps["config.yaml"] = stamp_of(TWIN_TRY(env.tree.stat("config.yaml")));
  }
  for (const auto& doc : observation.documents) {
    const Plugin& plugin = *doc.plugin;
    plan.plugins.emplace_back(plugin.name());
    PluginStatus& st = result.status.emplace_back();
    st.plugin = std::string(plugin.name());
    st.fragment = std::string(plugin.fragment());
    st.has_state = plugin.has_state();
    if (!plugin.has_state())
      continue;

    Value desired = Value::map();
    if (record) // before the read: a change after it shows as a different stamp later
      record->head.stamps[state_path(plugin)] =
          stamp_of(TWIN_TRY(env.tree.stat(state_path(plugin))));
    auto text = TWIN_TRY(env.tree.read(state_path(plugin)));
    if (text && is_encrypted(*text)) {
      st.locked.push_back(state_path(plugin)); // a clone without the key: nothing to plan
      continue;
    }
    if (text) {
      auto errors = check_state_document(plugin, state_path(plugin), *text, env.config, env.tree,
                                         &desired, env.repo.git_dir());
      if (!errors.empty()) {
        invalid.insert(invalid.end(), errors.begin(), errors.end());
        continue;
      }
      state_sha[state_path(plugin)] = sha256_hex(*text);
    }
    std::optional<Value> base_doc;
    if (base)
      if (auto base_text = TWIN_TRY(env.repo.read_blob(*base, live_path(plugin))))
        base_doc = TWIN_TRY(parse_yaml(*base_text, live_path(plugin) + " at " + k_base_ref.data()));

    PlanInput input{desired, doc.live.document(), base_doc ? &*base_doc : nullptr, digest, prefer};
    if (record)
      record->head.plugin_has_base[st.plugin] = base_doc.has_value();
    PluginPlan pp = TWIN_TRY(plugin.plan(input));
    if (plugin.reacts(desired)) {
      for (Action& a : plugin.plan_reactions(input, plan.actions))
        pp.actions.push_back(std::move(a));
      if (record)
        record->reactive = true;
    }
    st.actions = pp.actions.size();
    st.local_drift = std::move(pp.local_drift);
    st.unmanaged = pp.unmanaged;
    st.locked = std::move(pp.locked);
    st.conflicts = pp.conflicts;
    for (auto& a : pp.actions)
      plan.actions.push_back(std::move(a));
    for (auto& c : pp.conflicts)
      plan.conflicts.push_back(std::move(c));
    if (record)
      record->planned.push_back(
          {st.plugin, std::move(desired), &doc.live.document(), std::move(base_doc)});
  }
  if (!invalid.empty())
    return fail("desired state is invalid, nothing was planned:\n  {}", fmt::join(invalid, "\n  "));
  cache.save(cache_path, wall_clock_ns());
  ConsultedSet consulted_set;
  for (const auto& [path, sha] : consulted)
    consulted_set.toggle(path, sha);
  plan.desired_digest = desired_digest(state_sha, consulted_set);
  plan.live_digest = observation.digest;
  if (record) {
    record->head.state_sha = state_sha;
    record->head.consulted_xor = consulted_set.hex();
    // Everything the body's items come from: desired state, the observation, the base and
    // which plugins were planned.
    std::string key = plan.desired_digest + '\0' + plan.live_digest + '\0' + record->head.base;
    for (const auto& p : plan.plugins)
      key += '\0' + p;
    record->head.body_key = sha256_hex(key);
    record->consulted = std::move(consulted);
  }
  return result;
}

Result<PlanResult> refresh_plan(TwinEnv& env, std::span<const Plugin* const> plugins,
                                Observation* observation) {
  Observation fresh = TWIN_TRY(observe(env, plugins));
  PlanRecord record;
  PlanResult result = TWIN_TRY(make_plan(env, fresh, Prefer::none, &record));
  std::string text = TWIN_TRY(save_plan(env, result.plan));
  record.head.plan_sha = sha256_hex(text);
  // The body is rewritten only when what it records changed. The memo only speeds hooks
  // up: when it cannot be written, the plan stands and hooks plan in full.
  auto previous = read_plan_memo_head(env.repo.git_dir());
  Status memo;
  if (record.reactive) {
    // Reactions cross plugins (a restart after a file was written): re-planning one
    // plugin's resources alone could miss one, so hooks plan such a twin in full.
    memo = fail("a plugin reacts to others");
  } else if (previous && previous->body_key == record.head.body_key &&
             PlanMemoBody::open(env.repo.git_dir(), *previous)) {
    record.head.token = previous->token;
    record.head.body_size = previous->body_size;
    memo = write_plan_memo_head(env.repo.git_dir(), record.head);
  } else {
    memo = write_plan_memo(env.repo.git_dir(), std::move(record.head), memo_items(record));
  }
  if (!memo)
    drop_plan_memo(env.repo.git_dir());
  if (observation)
    *observation = std::move(fresh);
  return result;
}

Result<std::string> save_plan(TwinEnv& env, const Plan& plan) {
  Value document = plan_to_value(plan);
  auto problems = TWIN_TRY(validate_against(plan_schema(), document));
  if (!problems.empty())
    return fail("internal error: the plan fails its own schema: {}",
                format_problem(k_plan_path, problems.front()));
  std::string text = plan_to_yaml(plan);
  TWIN_TRY(env.tree.write_if_changed(k_plan_path, text));
  return text;
}

Result<std::optional<Plan>> load_saved_plan(const WorkTree& tree) {
  auto text = TWIN_TRY(tree.read(k_plan_path));
  if (!text)
    return std::optional<Plan>();
  return std::optional<Plan>(TWIN_TRY(parse_saved_plan(*text)));
}

Result<Plan> parse_saved_plan(std::string_view text) {
  Value doc = TWIN_TRY(parse_yaml(text, k_plan_path));
  auto problems = TWIN_TRY(validate_against(plan_schema(), doc));
  if (!problems.empty()) {
    std::vector<std::string> lines;
    for (const auto& p : problems)
      lines.push_back(format_problem(k_plan_path, p));
    return fail("{} does not match the plan schema (edited by hand?):\n  {}\nhint: run 'git "
                "twin plan' to make a new one",
                k_plan_path, fmt::join(lines, "\n  "));
  }
  return plan_from_value(doc);
}

} // namespace twin
