// SPDX-License-Identifier: MIT
#include "core/snapshot_secrets.hpp"

#include <set>

#include <fmt/format.h>

#include "core/git_repo.hpp"
#include "core/git_settings.hpp"

namespace twin {

Result<std::string> stored_blob_id(const Plugin& plugin, const std::string& path,
                                   std::string_view text, const SnapshotSecrets& secrets) {
  if (!plugin.secret_documents() || !secrets.key)
    return GitRepo::hash_blob(text);
  return GitRepo::hash_blob(TWIN_TRY(encrypt_secret(*secrets.key, path, text)));
}

std::vector<std::string> secret_documents(std::span<const Plugin* const> plugins) {
  std::vector<std::string> paths;
  for (const Plugin* p : plugins)
    if (p->secret_documents()) {
      if (p->has_state())
        paths.push_back(fmt::format("state/{}.yaml", p->fragment()));
      paths.push_back(fmt::format("live/{}.yaml", p->fragment()));
    }
  return paths;
}

Result<SnapshotSecrets> open_secrets(TwinEnv& env, std::string_view attributes) {
  auto key = TWIN_TRY(load_key(env.repo.git_dir()));
  std::set<std::string> listed = listed_secret_files(attributes);
  bool encrypting =
      !listed.empty() || attributes.find("filter=twin-crypt") != std::string_view::npos;
  if (!key && encrypting)
    return fail("this twin stores secrets encrypted and has no key here; import it with 'git "
                "twin key import FILE' (see 'git twin key export' on the machine that has it)");
  if (!key) { // a twin from before encryption: it gets a key now
    key = TWIN_TRY(SecretKey::generate());
    TWIN_CHECK(store_key(env.repo.git_dir(), *key));
    TWIN_CHECK(configure_git(env.runner, env.repo.work_tree()));
  }
  return SnapshotSecrets{std::move(key),
                         SecretTracker(SecretPatterns(env.config.secrets), std::move(listed))};
}

namespace {

// Writes the .gitattributes of every directory that holds, or held, a listed file, in both
// trees: each lists the listed files that are in that directory of that tree, and goes
// when none is left (WorkTree::remove then removes the directories it leaves empty).
// Returns the paths it wrote or removed.
Result<std::vector<std::string>> update_directory_attributes(WorkTree& tree,
                                                             const std::set<std::string>& listed,
                                                             const std::set<std::string>& before) {
  std::set<std::string> all = listed;
  all.insert(before.begin(), before.end());
  std::vector<std::string> changed;
  for (const auto& [dir, names] : listed_by_directory(all))
    for (std::string_view tree_dir : {"filesystem", "live/filesystem"}) {
      std::set<std::string> here;
      for (const auto& name : names)
        if (listed.count(dir + "/" + name) &&
            TWIN_TRY(tree.stat(fmt::format("{}{}/{}", tree_dir, dir, name))))
          here.insert(name);
      std::string path = fmt::format("{}{}/.gitattributes", tree_dir, dir);
      auto current = TWIN_TRY(tree.read(path));
      if (!current && here.empty())
        continue;
      std::string text = render_directory_attributes(current.value_or(""), here);
      if (text.empty())
        TWIN_CHECK(tree.remove(path));
      else if (!TWIN_TRY(tree.write_if_changed(path, text)))
        continue;
      changed.push_back(std::move(path));
    }
  return changed;
}

} // namespace

Result<std::vector<std::string>> update_attributes(TwinEnv& env,
                                                   std::span<const Plugin* const> plugins,
                                                   const std::string& attributes,
                                                   const SnapshotSecrets& secrets,
                                                   bool copies_changed) {
  std::set<std::string> listed = secrets.tracker.listed();
  // A file listed before stays listed while a copy of it is in the twin (gone from the
  // machine, unreadable, over the size limit, or not observed because a plugin failed):
  // an edit of that copy must still be encrypted.
  for (const auto& path : secrets.tracker.listed_before())
    if (!listed.count(path))
      for (const auto& copy : mirror_paths_of(path))
        if (TWIN_TRY(env.tree.stat(copy))) {
          listed.insert(path);
          break;
        }
  std::vector<std::string> documents = secret_documents(plugins);
  std::string text =
      render_gitattributes(attributes, secrets.tracker.patterns(), listed, documents);
  bool rules_changed = text != attributes;
  // The directories' files follow from the list and from which copies exist, so they can
  // be out of date only when one of those changed. A snapshot that changed neither (the
  // common case: nothing on the machine changed) does not read them.
  std::vector<std::string> changed;
  if (rules_changed || copies_changed)
    changed =
        TWIN_TRY(update_directory_attributes(env.tree, listed, secrets.tracker.listed_before()));
  // The top-level file last: a snapshot stopped before this point finds its list changed
  // next time and writes the directories' files again.
  if (rules_changed) {
    TWIN_CHECK(env.tree.write(".gitattributes", text));
    changed.push_back(".gitattributes");
  }
  if (changed.empty())
    return changed;

  std::vector<std::string> ls = {"ls-files", "-z", "--", "filesystem", "live/filesystem"};
  ls.insert(ls.end(), documents.begin(), documents.end());
  std::string tracked = TWIN_TRY(run_git(env.runner, env.repo.work_tree(), ls)).out;
  std::string again;
  for (std::size_t at = 0; at < tracked.size();) {
    std::size_t end = tracked.find('\0', at);
    std::string path = tracked.substr(at, end - at);
    at = end == std::string::npos ? tracked.size() : end + 1;
    // A tracked file gone from the work tree is staged as removed by the commit instead.
    if (must_be_encrypted(path, secrets.tracker.patterns(), listed, documents) &&
        TWIN_TRY(env.tree.stat(path))) {
      again += path + '\0';
      changed.push_back(std::move(path));
    }
  }
  if (!again.empty()) {
    std::vector<std::string> args = crypt_filter_overrides();
    args.insert(args.end(),
                {"add", "--renormalize", "-f", "--pathspec-from-file=-", "--pathspec-file-nul"});
    TWIN_CHECK(run_git(env.runner, env.repo.work_tree(), args, again));
  }
  return changed;
}

} // namespace twin
