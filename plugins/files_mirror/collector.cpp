// SPDX-License-Identifier: MIT
#include "plugins/files_mirror/collector.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>

#include "core/fs_util.hpp"
#include "core/sha256.hpp"
#include "core/stat_cache.hpp"
#include "plugins/files_mirror/account_names.hpp"
#include "plugins/files_mirror/exclude.hpp"

namespace twin::files {
namespace {

constexpr std::string_view k_live_tree = "live/filesystem";
constexpr std::string_view k_attributes_name = ".gitattributes";

// Strictly below: a root is not its own ancestor.
bool is_ancestor(std::string_view dir, std::string_view path) {
  return dir != path && path_is_within(dir, path);
}

class Walker {
public:
  Walker(PluginContext& ctx, std::vector<std::string>& written, std::string repo_logical,
         StatCache& cache, AccountNames names, const SystemRoot& mirror_root)
      : m_ctx(ctx), m_written(written), m_repo_logical(std::move(repo_logical)), m_cache(cache),
        m_names(std::move(names)), m_rules(ctx.config.exclude),
        m_max_size(static_cast<std::uint64_t>(ctx.config.max_file_size_mb * 1024 * 1024)),
        m_mirror_root(mirror_root) {}

  std::vector<FileEntry> take() { return std::move(m_entries); }

  Status walk_root(const std::string& logical) {
    auto st = m_ctx.root.lstat(logical);
    if (!st) {
      m_ctx.notes.warn(
          fmt::format("filesystem root '{}' cannot be read: {}", logical, st.error().message));
      return {};
    }
    FileEntry entry = describe(logical, *st);
    if (st->type == FileType::symlink) {
      auto target = m_ctx.root.read_link(logical);
      entry.target = target ? *target : "";
      m_entries.push_back(std::move(entry));
      return {};
    }
    if (st->type != FileType::directory) {
      m_ctx.notes.warn(fmt::format("filesystem root '{}' is not a directory", logical));
      return {};
    }
    m_entries.push_back(std::move(entry));
    auto dir = m_ctx.root.open_dir(logical);
    if (!dir) {
      m_ctx.notes.warn(dir.error().message);
      return {};
    }
    // Observing only (plan, status), live/ is neither checked nor repaired: no mirror.
    std::optional<Dir> mirror;
    if (m_ctx.record)
      if (auto m = m_mirror_root.open_dir(std::string("/") + std::string(k_live_tree) + logical))
        mirror = std::move(*m);
    return walk_dir(*dir, mirror ? &*mirror : nullptr, logical);
  }

  // Removes mirrored content of trees that are no longer configured roots.
  Status prune_outside_roots(const Dir& mirror, const std::string& logical,
                             const std::vector<std::string>& roots) {
    auto list = TWIN_TRY(mirror.entries());
    for (const auto& e : list) {
      std::string path = join_logical(logical, e.name);
      if (std::find(roots.begin(), roots.end(), path) != roots.end())
        continue;
      bool ancestor = std::any_of(roots.begin(), roots.end(),
                                  [&](const std::string& r) { return is_ancestor(path, r); });
      if (ancestor && e.stat.type == FileType::directory) {
        auto sub = TWIN_TRY(mirror.open_dir(e.name));
        TWIN_CHECK(prune_outside_roots(sub, path, roots));
      } else {
        TWIN_CHECK(remove_mirror(mirror, e.name, e.stat, path));
      }
    }
    return {};
  }

private:
  FileEntry describe(const std::string& logical, const FileStat& st) const {
    FileEntry e;
    e.path = logical;
    e.type = st.type;
    e.mode = format_mode(st.mode);
    e.owner = m_names.user(st.uid);
    e.group = m_names.group(st.gid);
    e.size = st.type == FileType::file ? st.size : 0;
    return e;
  }

  Status walk_dir(const Dir& dir, const Dir* mirror, const std::string& logical) {
    auto list = dir.entries();
    if (!list) {
      m_ctx.notes.warn(fmt::format("cannot list '{}': {}", logical, list.error().message));
      return {};
    }
    // Both listings come sorted by name, so the mirror's entry for a name is found by
    // walking the two side by side.
    std::vector<Dir::Entry> mirrored;
    if (mirror)
      if (auto m = mirror->entries())
        mirrored = std::move(*m);
    std::vector<char> kept(mirrored.size(), 0); // mirror entries that still belong there
    std::size_t next_mirrored = 0;
    for (const auto& e : *list) {
      while (next_mirrored < mirrored.size() && mirrored[next_mirrored].name < e.name)
        ++next_mirrored;
      bool has_copy = next_mirrored < mirrored.size() && mirrored[next_mirrored].name == e.name;
      const FileStat* copy = has_copy ? &mirrored[next_mirrored].stat : nullptr;
      auto keep = [&] {
        if (has_copy)
          kept[next_mirrored] = 1;
      };
      std::string path = join_logical(logical, e.name);
      if (m_rules.excluded(path, e.name) || path == m_repo_logical)
        continue;
      if (!is_recordable_name(e.name)) {
        m_ctx.notes.warn(fmt::format("{} is not valid UTF-8 or holds a control character; "
                                     "it cannot be recorded and is left out",
                                     quote_path(path)));
        continue;
      }
      FileEntry entry = describe(path, e.stat);
      switch (e.stat.type) {
      case FileType::directory: {
        m_entries.push_back(std::move(entry));
        auto sub = dir.open_dir(e.name);
        if (!sub) {
          m_ctx.notes.warn(
              fmt::format("cannot read directory '{}': {}", path, sub.error().message));
          continue; // its entry is already recorded
        }
        std::optional<Dir> sub_mirror;
        if (copy && copy->type != FileType::directory && m_ctx.record) {
          // It was a file when last mirrored: its copy is in the way of the directory's.
          std::string stale = mirror_path(k_live_tree, path);
          TWIN_CHECK(m_ctx.tree.remove(stale));
          m_written.push_back(stale);
          keep();
        } else if (copy && copy->type == FileType::directory) {
          if (auto m = mirror->open_dir(e.name))
            sub_mirror = std::move(*m);
          keep();
        }
        TWIN_CHECK(walk_dir(*sub, sub_mirror ? &*sub_mirror : nullptr, path));
        continue;
      }
      case FileType::symlink: {
        auto target = dir.read_link(e.name);
        if (!target)
          m_ctx.notes.warn(
              fmt::format("cannot read symlink '{}': {}", path, target.error().message));
        entry.target = target ? *target : "";
        break;
      }
      case FileType::file:
        if (e.stat.size > m_max_size) {
          entry.content = Content::too_large;
        } else if (const CacheEntry* hit = m_cache.lookup(path, e.stat, copy, m_ctx.record)) {
          entry.content = Content::stored;
          entry.sha256 = hit->sha256;
          if (m_ctx.secrets)
            m_ctx.secrets->observe(path, entry.mode, nullptr);
          keep();
        } else if (auto stored = TWIN_TRY(store(dir, e.name, e.stat, copy, path, entry.mode))) {
          entry.content = Content::stored;
          entry.sha256 = *stored;
          keep();
        } else {
          entry.content = Content::unreadable;
        }
        break;
      default: // sockets, FIFOs, devices: recorded, never read
        break;
      }
      m_entries.push_back(std::move(entry));
    }
    // A .gitattributes in live/filesystem is git-twin's own (the machine's are excluded):
    // it encrypts the secret files of its directory, and snapshot keeps it current.
    if (mirror && m_ctx.record)
      for (std::size_t i = 0; i < mirrored.size(); ++i)
        if (!kept[i] && mirrored[i].name != k_attributes_name)
          TWIN_CHECK(remove_mirror(*mirror, mirrored[i].name, mirrored[i].stat,
                                   join_logical(logical, mirrored[i].name)));
    return {};
  }

  // Reads a file, copies it into live/filesystem when the copy differs, and records it in
  // the cache. Returns the sha256, or nullopt (with a warning) when only this file could not
  // be read. An error is the repository failing (disk full, read-only): that fails the
  // snapshot, since recording a readable file as unreadable would drop its copy from live/.
  // A snapshot learns here whether the bytes make the file secret (a key in /etc/nginx).
  Result<std::optional<std::string>> store(const Dir& dir, const std::string& name,
                                           const FileStat& st, const FileStat* copy,
                                           const std::string& logical, std::string_view mode) {
    auto content = dir.read_file(name);
    if (!content) {
      m_ctx.notes.warn(fmt::format("cannot read '{}': {}", logical, content.error().message));
      return std::optional<std::string>{};
    }
    if (m_ctx.secrets)
      m_ctx.secrets->observe(logical, mode, &*content);
    std::string digest = sha256_hex(*content);
    if (!m_ctx.record)
      return std::optional<std::string>{digest};
    std::string copy_path = mirror_path(k_live_tree, logical);
    bool same = false;
    if (copy && copy->type == FileType::file && copy->size == content->size()) {
      auto current = TWIN_TRY(m_ctx.tree.read(copy_path));
      same = current && *current == *content;
    } else if (copy && copy->type == FileType::directory) {
      TWIN_CHECK(remove_mirror_tree(copy_path));
    }
    if (!same) {
      TWIN_CHECK(m_ctx.tree.write(copy_path, *content));
      m_written.push_back(copy_path);
    }
    auto copy_stat = TWIN_TRY(m_ctx.tree.stat(copy_path));
    CacheEntry ce{st.inode, st.size, st.mtime_ns, st.ctime_ns, digest, 0, 0};
    if (copy_stat) {
      ce.copy_inode = copy_stat->inode;
      ce.copy_mtime_ns = copy_stat->mtime_ns;
    }
    m_cache.record(logical, ce);
    return std::optional<std::string>{digest};
  }

  Status remove_mirror(const Dir& mirror, const std::string& name, const FileStat& st,
                       const std::string& logical) {
    std::string path = mirror_path(k_live_tree, logical);
    if (st.type == FileType::directory) {
      auto sub = TWIN_TRY(mirror.open_dir(name));
      auto list = TWIN_TRY(sub.entries());
      // Removing the last file also removes the directories it leaves empty.
      for (const auto& e : list)
        TWIN_CHECK(remove_mirror(sub, e.name, e.stat, join_logical(logical, e.name)));
      return {};
    }
    TWIN_CHECK(m_ctx.tree.remove(path));
    m_written.push_back(path);
    return {};
  }

  Status remove_mirror_tree(const std::string& copy_path) {
    auto sub = m_mirror_root.open_dir("/" + copy_path);
    if (!sub)
      return {};
    std::string logical = copy_path.substr(k_live_tree.size());
    auto list = TWIN_TRY(sub->entries());
    for (const auto& e : list)
      TWIN_CHECK(remove_mirror(*sub, e.name, e.stat, join_logical(logical, e.name)));
    return {};
  }

  PluginContext& m_ctx;
  std::vector<std::string>& m_written;
  std::string m_repo_logical;
  StatCache& m_cache;
  AccountNames m_names;
  ExcludeRules m_rules;
  std::uint64_t m_max_size;
  const SystemRoot& m_mirror_root;
  std::vector<FileEntry> m_entries;
};

// Sorted through their positions, and each entry moved once: sorting the entries
// themselves moves six strings per swap, which was most of the sort's time.
std::vector<FileEntry> sort_entries(std::vector<FileEntry> entries) {
  std::vector<std::uint32_t> order(entries.size());
  for (std::uint32_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::uint32_t a, std::uint32_t b) { return entries[a].path < entries[b].path; });
  std::vector<FileEntry> sorted;
  sorted.reserve(entries.size());
  for (std::uint32_t i : order)
    sorted.push_back(std::move(entries[i]));
  return sorted;
}

} // namespace

Result<CollectResult> collect_files(PluginContext& ctx, const std::string& repo_logical,
                                    std::vector<std::string>& written) {
  auto max_size = static_cast<std::uint64_t>(ctx.config.max_file_size_mb * 1024 * 1024);
  std::string cache_path = ctx.git_dir + "/twin/files.cache";
  StatCache cache = StatCache::load(cache_path, max_size);
  auto names = AccountNames::of_root(ctx.root);
  SystemRoot mirror_root = TWIN_TRY(SystemRoot::open(ctx.tree.dir()));

  std::vector<std::string> roots = ctx.config.filesystem_roots;
  std::sort(roots.begin(), roots.end());
  roots.erase(std::unique(roots.begin(), roots.end()), roots.end());
  Walker walker(ctx, written, repo_logical, cache, std::move(names), mirror_root);
  for (const auto& root : roots) {
    // A root nested in another one is walked as part of it.
    bool nested = std::any_of(roots.begin(), roots.end(),
                              [&](const std::string& r) { return is_ancestor(r, root); });
    if (!nested)
      TWIN_CHECK(walker.walk_root(root));
  }
  if (!ctx.record)
    return CollectResult{sort_entries(walker.take())};
  if (auto top = mirror_root.open_dir(std::string("/") + std::string(k_live_tree)))
    TWIN_CHECK(walker.prune_outside_roots(*top, "/", roots));

  CollectResult result{sort_entries(walker.take())};
  auto now = std::chrono::system_clock::now().time_since_epoch();
  cache.save(cache_path, std::chrono::duration_cast<std::chrono::nanoseconds>(now).count());
  return result;
}

} // namespace twin::files
