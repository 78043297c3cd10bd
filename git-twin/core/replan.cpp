// SPDX-License-Identifier: MIT
#include "core/replan.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/sha256.hpp"
#include "core/yaml_reader.hpp"

namespace twin {
namespace {

// More changed files than this: a full plan is about as quick and certainly right.
constexpr std::size_t k_max_changed = 64;

using Found = std::optional<PlanResult>;

bool is_ancestor(const std::string& dir, const std::string& path) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         (dir == "/" || path[dir.size()] == '/');
}

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
  return text ? sha256_hex(*text) : std::string();
}

Result<Value> item_document(const std::string& list, const std::string& json) {
  Value document = Value::map();
  Value& items = document[list] = Value::list();
  if (json != "null")
    items.push_back(TWIN_TRY(parse_yaml(json, "the plan memo")));
  return document;
}

} // namespace

Result<Found> replan_changed(TwinEnv& env, std::span<const Plugin* const> plugins,
                             const std::string& old_commit) {
  auto saved = TWIN_TRY(load_saved_plan(env.tree));
  auto head_commit = TWIN_TRY(env.repo.resolve("HEAD"));
  // HEAD must have moved: a squash merge runs post-merge without moving it, and then the
  // commits cannot tell what changed in the work tree.
  if (!saved || !head_commit || saved->desired_commit != old_commit || *head_commit == old_commit)
    return Found();
  // plan/latest.yaml names only the plugins with actions, in no particular order: put the
  // actions back in apply order, as a full plan has them.
  std::vector<std::string> enabled;
  for (const Plugin* p : plugins)
    enabled.emplace_back(p->name());
  auto rank = [&](const std::string& plugin) {
    return std::find(enabled.begin(), enabled.end(), plugin) - enabled.begin();
  };
  for (const auto& p : saved->plugins)
    if (rank(p) == static_cast<std::ptrdiff_t>(enabled.size()))
      return Found();
  saved->plugins = enabled;
  std::stable_sort(
      saved->actions.begin(), saved->actions.end(),
      [&](const Action& a, const Action& b) { return rank(a.plugin) < rank(b.plugin); });

  // The memo must belong to the saved plan, and everything else the plan was made from
  // must be as it was.
  auto memo = read_plan_memo_head(env.repo.git_dir());
  auto plan_text = TWIN_TRY(env.tree.read(k_plan_path));
  if (!memo || !plan_text || sha256_hex(*plan_text) != memo->plan_sha)
    return Found();
  if (TWIN_TRY(env.repo.resolve(k_base_ref)).value_or("") != memo->base)
    return Found();
  for (const char* path : {"config.yaml", "state", "plugins"})
    if (TWIN_TRY(env.repo.entry_id(old_commit, path)) !=
        TWIN_TRY(env.repo.entry_id(*head_commit, path)))
      return Found();
  for (const auto& [path, stamp] : memo->stamps)
    if (stamp_of(TWIN_TRY(env.tree.stat(path))) != stamp)
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

  Plan plan = *saved;
  for (const auto& [plugin_name, items] : affected) {
    auto plugin = std::find_if(plugins.begin(), plugins.end(),
                               [&](const Plugin* p) { return p->name() == plugin_name; });
    if (plugin == plugins.end())
      return Found();
    // Plan the affected resources alone, from the items the full plan saw.
    Value desired = Value::map(), live = Value::map(), base = Value::map();
    std::set<std::string> resources;
    for (const auto& item : items) {
      Value d = TWIN_TRY(item_document(item.list, item.desired));
      Value l = TWIN_TRY(item_document(item.list, item.live));
      Value b = TWIN_TRY(item_document(item.list, item.base == "=" ? item.live : item.base));
      if (const Value* path = d[item.list].as_list().front().find("path");
          path && path->is_string())
        resources.insert(path->as_string());
      for (auto [into, from] : {std::pair{&desired, &d}, {&live, &l}, {&base, &b}}) {
        Value& list = (*into)[item.list];
        if (!list.is_list())
          list = Value::list();
        for (auto& v : (*from)[item.list].as_list())
          list.push_back(std::move(v));
      }
    }
    bool has_base = memo->plugin_has_base[plugin_name];
    PlanInput input{desired, live, has_base ? &base : nullptr, digest, Prefer::none};
    PluginPlan partial = TWIN_TRY((*plugin)->plan(input));
    if (!partial.conflicts.empty())
      return Found();
    for (const auto& c : plan.conflicts)
      if (c.plugin == plugin_name && resources.count(c.resource))
        return Found();
    for (const auto& a : partial.actions)
      if (!simple(a) || !resources.count(a.resource))
        return Found();
    for (const auto& a : plan.actions) {
      if (a.plugin != plugin_name)
        continue;
      for (const auto& r : resources)
        if (is_ancestor(a.resource, r) || (a.resource == r && !simple(a)))
          return Found();
    }

    // Merge. A plugin's actions are one block, in plugin order; files.mirror's block is
    // its creations ordered by resource, then its removals (only a plugin with twin_paths
    // has memo items, and no removal is replaced: see simple()).
    auto order = std::find(plan.plugins.begin(), plan.plugins.end(), plugin_name);
    auto comes_after = [&](const Action& a) {
      return std::find(plan.plugins.begin(), order + 1, a.plugin) == order + 1;
    };
    std::vector<Action> merged, creations, removals;
    std::size_t insert_at = plan.actions.size();
    for (auto& a : plan.actions) {
      if (a.plugin == plugin_name) {
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
    for (auto& a : partial.actions)
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

  plan.desired_commit = *head_commit;
  plan.desired_digest = desired_digest(memo->state_sha, consulted);
  std::string text = TWIN_TRY(save_plan(env, plan));
  memo->plan_sha = sha256_hex(text);
  TWIN_CHECK(write_plan_memo_head(env.repo.git_dir(), *memo));

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
  return Found(std::move(result));
}

} // namespace twin
