// SPDX-License-Identifier: MIT
#include "core/replan.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/secret_cipher.hpp"
#include "core/sha256.hpp"
#include "core/yaml_reader.hpp"

namespace twin {
namespace {

// More changed files than this: a full plan is about as quick and certainly right.
constexpr std::size_t k_max_changed = 64;

using Found = std::optional<PlanResult>;

// A resource whose actions a partial plan can replace: one action that needs no other
// (creations of its parents, removals of its children) and that none needs.
bool simple(const Action& a) {
  return a.op != "create_directory" && a.op != "remove" && a.depends_on.empty();
}

// The sha256 of a regular file in the work tree; "" when it is missing or not a file.
Result<std::string> content_digest(const WorkTree& tree, const std::string& path) {
  auto st = TWIN_TRY(tree.stat(path));
  if (!st || st->type != FileType::file)
    return std::string();
  auto text = TWIN_TRY(tree.read(path));
  return text ? desired_content_digest(*text) : std::string();
}

Result<Value> item_document(const std::string& list, const std::string& json) {
  Value document = Value::map();
  Value& items = document[list] = Value::list();
  if (json != "null")
    items.push_back(TWIN_TRY(parse_yaml(json, "the plan memo")));
  return document;
}

// plan/latest.yaml names only the plugins with actions, in no particular order: puts the
// actions back in apply order, as a full plan has them. False when a plugin of the saved
// plan is no longer enabled.
bool restore_plugin_order(Plan& plan, std::span<const Plugin* const> plugins) {
  std::vector<std::string> enabled;
  for (const Plugin* p : plugins)
    enabled.emplace_back(p->name());
  auto rank = [&](const std::string& plugin) {
    return std::find(enabled.begin(), enabled.end(), plugin) - enabled.begin();
  };
  for (const auto& p : plan.plugins)
    if (rank(p) == static_cast<std::ptrdiff_t>(enabled.size()))
      return false;
  plan.plugins = enabled;
  std::stable_sort(plan.actions.begin(), plan.actions.end(), [&](const Action& a, const Action& b) {
    return rank(a.plugin) < rank(b.plugin);
  });
  return true;
}

// Whether everything the memo's plan was made from, other than files under filesystem/,
// is as it was: the plan file itself, the sync base, config.yaml, state/ and plugins/ in
// both commits and in the work tree.
Result<bool> memo_still_holds(const TwinEnv& env, const PlanMemoHead& memo,
                              std::string_view plan_text, const std::string& old_commit,
                              const std::string& new_commit) {
  if (sha256_hex(plan_text) != memo.plan_sha)
    return false;
  if (TWIN_TRY(env.repo.resolve(k_base_ref)).value_or("") != memo.base)
    return false;
  for (const char* path : {"config.yaml", "state", "plugins"})
    if (TWIN_TRY(env.repo.entry_id(old_commit, path)) !=
        TWIN_TRY(env.repo.entry_id(new_commit, path)))
      return false;
  for (const auto& [path, stamp] : memo.stamps)
    if (stamp_of(TWIN_TRY(env.tree.stat(path))) != stamp)
      return false;
  return true;
}

// Plans `items` (one plugin's) alone, from what the full plan saw of them; `resources`
// gets their identities.
Result<PluginPlan> plan_items(const Plugin& plugin, const std::vector<MemoItem>& items,
                              bool has_base, const ContentDigest& digest,
                              std::set<std::string>& resources) {
  Value desired = Value::map(), live = Value::map(), base = Value::map();
  for (const auto& item : items) {
    Value d = TWIN_TRY(item_document(item.list, item.desired));
    Value l = TWIN_TRY(item_document(item.list, item.live));
    Value b = TWIN_TRY(item_document(item.list, item.base == "=" ? item.live : item.base));
    if (const Value* path = d[item.list].as_list().front().find("path"); path && path->is_string())
      resources.insert(path->as_string());
    for (auto [into, from] : {std::pair{&desired, &d}, {&live, &l}, {&base, &b}}) {
      Value& list = (*into)[item.list];
      if (!list.is_list())
        list = Value::list();
      for (auto& v : (*from)[item.list].as_list())
        list.push_back(std::move(v));
    }
  }
  PlanInput input{desired, live, has_base ? &base : nullptr, digest, Prefer::none};
  return plugin.plan(input);
}

// Whether the partial plan can replace the saved plan's actions for `resources`: no
// conflict on either side, and no action that depends on or is depended on by another.
bool replaceable(const Plan& plan, const std::string& plugin,
                 const std::set<std::string>& resources, const PluginPlan& partial) {
  if (!partial.conflicts.empty())
    return false;
  for (const auto& c : plan.conflicts)
    if (c.plugin == plugin && resources.count(c.resource))
      return false;
  for (const auto& a : partial.actions)
    if (!simple(a) || !resources.count(a.resource))
      return false;
  for (const auto& a : plan.actions) {
    if (a.plugin != plugin)
      continue;
    for (const auto& r : resources)
      if ((a.resource != r && path_is_within(a.resource, r)) || (a.resource == r && !simple(a)))
        return false;
  }
  return true;
}

// Puts `partial` in place of the plan's actions for `resources`. A plugin's actions are one
// block, in plugin order; files.mirror's block is its creations ordered by resource, then
// its removals (only a plugin with twin_paths has memo items, and no removal is replaced:
// see simple()).
void merge_actions(Plan& plan, const std::string& plugin, const std::set<std::string>& resources,
                   std::vector<Action> partial) {
  auto order = std::find(plan.plugins.begin(), plan.plugins.end(), plugin);
  auto comes_after = [&](const Action& a) {
    return std::find(plan.plugins.begin(), order + 1, a.plugin) == order + 1;
  };
  std::vector<Action> merged, creations, removals;
  std::size_t insert_at = plan.actions.size();
  for (auto& a : plan.actions) {
    if (a.plugin == plugin) {
      insert_at = std::min(insert_at, merged.size());
      if (resources.count(a.resource))
        continue; // replaced
      (a.change == Action::Change::remove ? removals : creations).push_back(std::move(a));
      continue;
    }
    if (comes_after(a))
      insert_at = std::min(insert_at, merged.size());
    merged.push_back(std::move(a));
  }
  for (auto& a : partial)
    creations.push_back(std::move(a));
  std::sort(creations.begin(), creations.end(),
            [](const Action& a, const Action& b) { return a.resource < b.resource; });
  insert_at = std::min(insert_at, merged.size());
  creations.insert(creations.end(), std::make_move_iterator(removals.begin()),
                   std::make_move_iterator(removals.end()));
  merged.insert(merged.begin() + static_cast<std::ptrdiff_t>(insert_at),
                std::make_move_iterator(creations.begin()),
                std::make_move_iterator(creations.end()));
  plan.actions = std::move(merged);
}

// What the hook reports: actions and conflicts per plugin (local drift is not kept in a
// saved plan).
PlanResult result_of(Plan plan, std::span<const Plugin* const> plugins) {
  PlanResult result;
  for (const Plugin* p : plugins) {
    PluginStatus& st = result.status.emplace_back();
    st.plugin = std::string(p->name());
    st.fragment = std::string(p->fragment());
    st.has_state = p->has_state();
    st.actions = static_cast<std::size_t>(
        std::count_if(plan.actions.begin(), plan.actions.end(),
                      [&](const Action& a) { return a.plugin == st.plugin; }));
    for (const auto& c : plan.conflicts)
      if (c.plugin == st.plugin)
        st.conflicts.push_back(c);
  }
  result.plan = std::move(plan);
  return result;
}

} // namespace

Result<Found> replan_changed(TwinEnv& env, std::span<const Plugin* const> plugins,
                             const std::string& old_commit) {
  auto plan_text = TWIN_TRY(env.tree.read(k_plan_path));
  if (!plan_text)
    return Found();
  Plan plan = TWIN_TRY(parse_saved_plan(*plan_text));
  auto head_commit = TWIN_TRY(env.repo.resolve("HEAD"));
  // HEAD must have moved: a squash merge runs post-merge without moving it, and then the
  // commits cannot tell what changed in the work tree.
  if (!head_commit || plan.desired_commit != old_commit || *head_commit == old_commit)
    return Found();
  if (!restore_plugin_order(plan, plugins))
    return Found();
  auto memo = read_plan_memo_head(env.repo.git_dir());
  if (!memo || !TWIN_TRY(memo_still_holds(env, *memo, *plan_text, old_commit, *head_commit)))
    return Found();
  auto changed = TWIN_TRY(env.repo.changed_files(old_commit, *head_commit, "filesystem"));
  if (changed.size() > k_max_changed)
    return Found();
  auto body = PlanMemoBody::open(env.repo.git_dir(), *memo);
  if (!body)
    return Found();

  // New digests of the changed twin_paths, and the resources that use them, per plugin.
  std::map<std::string, std::string> digests;
  std::map<std::string, std::vector<MemoItem>> affected;
  ConsultedSet consulted(memo->consulted_xor);
  for (const auto& path : changed) {
    auto items = body->items_for(path);
    if (items.empty())
      continue; // no resource uses it
    std::string sha = TWIN_TRY(content_digest(env.tree, path));
    if (sha.empty())
      return Found(); // a twin_path gone: a full plan reports that state/ is invalid
    digests[path] = sha;
    if (items.front().digest != "-") {
      auto before = memo->digests_changed.find(path);
      consulted.toggle(path, before != memo->digests_changed.end() ? before->second
                                                                   : items.front().digest);
      consulted.toggle(path, sha);
      memo->digests_changed[path] = sha;
    }
    for (auto& item : items)
      affected[item.plugin].push_back(std::move(item));
  }
  memo->consulted_xor = consulted.hex();
  ContentDigest digest = [&](const std::string& path) -> std::optional<std::string> {
    auto it = digests.find(path);
    return it == digests.end() ? std::nullopt : std::optional<std::string>(it->second);
  };

  for (const auto& [plugin_name, items] : affected) {
    // Captured as a new name: clang before 16 cannot capture a structured binding (fuzz build).
    auto plugin =
        std::find_if(plugins.begin(), plugins.end(),
                     [&name = plugin_name](const Plugin* p) { return p->name() == name; });
    if (plugin == plugins.end())
      return Found();
    std::set<std::string> resources;
    PluginPlan partial = TWIN_TRY(
        plan_items(**plugin, items, memo->plugin_has_base[plugin_name], digest, resources));
    if (!replaceable(plan, plugin_name, resources, partial))
      return Found();
    merge_actions(plan, plugin_name, resources, std::move(partial.actions));
  }

  plan.desired_commit = *head_commit;
  plan.desired_digest = desired_digest(memo->state_sha, consulted);
  std::string text = TWIN_TRY(save_plan(env, plan));
  memo->plan_sha = sha256_hex(text);
  TWIN_CHECK(write_plan_memo_head(env.repo.git_dir(), *memo));
  return Found(result_of(std::move(plan), plugins));
}

} // namespace twin
