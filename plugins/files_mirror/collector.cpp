// SPDX-License-Identifier: MIT
#include "plugins/files_mirror/collector.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>

#include "core/fs_util.hpp"
#include "core/listing_cache.hpp"
#include "core/parallel.hpp"
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

// Sorted through their positions, then put in place by following the permutation's cycles:
// sorting the entries themselves moves six strings per swap, and a sorted copy is megabytes
// of fresh memory.
void sort_entries(std::vector<FileEntry>& entries) {
  std::vector<std::uint32_t> order(entries.size());
  for (std::uint32_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::uint32_t a, std::uint32_t b) { return entries[a].path < entries[b].path; });
  // order[i] is the entry that belongs at i.
  for (std::uint32_t start = 0; start < order.size(); ++start) {
    if (order[start] == start)
      continue;
    FileEntry held = std::move(entries[start]);
    std::uint32_t at = start;
    while (order[at] != start) {
      std::uint32_t from = order[at];
      entries[at] = std::move(entries[from]);
      order[at] = at;
      at = from;
    }
    entries[at] = std::move(held);
    order[at] = at;
  }
}

// Merges lists that are each sorted by path into one.
std::vector<FileEntry> merge_sorted(std::vector<std::vector<FileEntry>>& lists) {
  std::size_t total = 0;
  for (const auto& l : lists)
    total += l.size();
  std::vector<FileEntry> merged;
  merged.reserve(total);
  std::vector<std::size_t> next(lists.size(), 0);
  while (merged.size() < total) {
    std::size_t best = lists.size();
    for (std::size_t i = 0; i < lists.size(); ++i)
      if (next[i] < lists[i].size() &&
          (best == lists.size() || lists[i][next[i]].path < lists[best][next[best]].path))
        best = i;
    merged.push_back(std::move(lists[best][next[best]++]));
  }
  return merged;
}

// A directory still to be walked. Queued tasks hold their parents' descriptors, not their
// own (a directory with thousands of subdirectories would otherwise hold thousands of open
// descriptors); the task opens its directory when it runs.
struct DirTask {
  std::string logical;
  std::optional<Dir> dir;                 // a filesystem root: already open
  std::shared_ptr<const Dir> parent;      // else: `name` in here
  std::shared_ptr<const Dir> parent_copy; // the parent's copy in live/filesystem, if any
                                          // (for a root: the root's own copy)
  bool has_copy = false;                  // parent_copy holds a directory named `name`
  std::string name;
};

// What one walking thread found; merged after the walk, in path order.
struct WalkOutput {
  std::vector<FileEntry> entries;
  std::vector<std::string> written;
  std::vector<std::pair<std::string, std::string>> warnings; // path, message
  void warn(const std::string& path, std::string message) {
    warnings.emplace_back(path, std::move(message));
  }
};

// Walks the roots on a few threads (git's preload-index idea: a tree walk is mostly stat
// calls, which the kernel serves in parallel). Each thread takes directories from one
// queue; what they share is guarded: the stat cache and the secret tracker by their own
// mutexes, and the mirror tree by a shared lock, held exclusively while a copy is removed
// (a removal also removes the directories it leaves empty, which must not race with a
// write creating them).
class Walker {
public:
  Walker(PluginContext& ctx, std::string repo_logical, StatCache& cache, ListingCache& listings,
         AccountNames names, const SystemRoot& mirror_root)
      : m_ctx(ctx), m_repo_logical(std::move(repo_logical)), m_cache(cache), m_listings(listings),
        m_names(std::move(names)), m_rules(ctx.config.exclude),
        m_max_size(static_cast<std::uint64_t>(ctx.config.max_file_size_mb * 1024 * 1024)),
        m_mirror_root(mirror_root) {}

  // Records a filesystem root and queues it when it is a directory.
  void add_root(const std::string& logical) {
    auto st = m_ctx.root.lstat(logical);
    if (!st) {
      m_ctx.notes.warn(
          fmt::format("filesystem root '{}' cannot be read: {}", logical, st.error().message));
      return;
    }
    FileEntry entry = describe(logical, *st);
    if (st->type == FileType::symlink) {
      auto target = m_ctx.root.read_link(logical);
      entry.target = target ? *target : "";
      m_root_entries.push_back(std::move(entry));
      return;
    }
    if (st->type != FileType::directory) {
      m_ctx.notes.warn(fmt::format("filesystem root '{}' is not a directory", logical));
      return;
    }
    m_root_entries.push_back(std::move(entry));
    auto dir = m_ctx.root.open_dir(logical);
    if (!dir) {
      m_ctx.notes.warn(dir.error().message);
      return;
    }
    DirTask task;
    task.logical = logical;
    task.dir = std::move(*dir);
    // Observing only (plan, status), live/ is neither checked nor repaired: no mirror.
    if (m_ctx.record)
      if (auto m = m_mirror_root.open_dir(std::string("/") + std::string(k_live_tree) + logical))
        task.parent_copy = std::make_shared<const Dir>(std::move(*m));
    m_queue.push_back(std::move(task));
  }

  // Walks everything queued; the entries, copies written and warnings come back in path
  // order, whatever thread found them.
  Status run(std::vector<std::string>& written) {
    unsigned threads = io_threads();
    std::vector<WalkOutput> outputs(threads);
    on_threads(threads, [&](unsigned t) { work(outputs[t]); });
    if (m_error)
      return tl::unexpected(*m_error);
    std::vector<std::pair<std::string, std::string>> warnings;
    std::size_t first_written = written.size();
    sort_entries(m_root_entries);
    std::vector<std::vector<FileEntry>> sorted;
    sorted.push_back(std::move(m_root_entries));
    for (auto& out : outputs) {
      sorted.push_back(std::move(out.entries));
      std::move(out.written.begin(), out.written.end(), std::back_inserter(written));
      std::move(out.warnings.begin(), out.warnings.end(), std::back_inserter(warnings));
    }
    std::sort(written.begin() + static_cast<std::ptrdiff_t>(first_written), written.end());
    std::stable_sort(warnings.begin(), warnings.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [path, message] : warnings)
      m_ctx.notes.warn(std::move(message));
    m_entries = merge_sorted(sorted);
    return {};
  }

  /// Everything found, sorted by path.
  std::vector<FileEntry> take() { return std::move(m_entries); }

  // Removes mirrored content of trees that are no longer configured roots (single-threaded,
  // after run()).
  Status prune_outside_roots(const Dir& mirror, const std::string& logical,
                             const std::vector<std::string>& roots,
                             std::vector<std::string>& written) {
    auto list = TWIN_TRY(mirror.entries());
    for (const auto& e : list) {
      std::string path = join_logical(logical, e.name);
      if (std::find(roots.begin(), roots.end(), path) != roots.end())
        continue;
      bool ancestor = std::any_of(roots.begin(), roots.end(),
                                  [&](const std::string& r) { return is_ancestor(path, r); });
      if (ancestor && e.stat.type == FileType::directory) {
        auto sub = TWIN_TRY(mirror.open_dir(e.name));
        TWIN_CHECK(prune_outside_roots(sub, path, roots, written));
      } else {
        TWIN_CHECK(remove_mirror(mirror, e.name, e.stat, path, written));
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

  // One thread: takes tasks until the queue is empty and no other thread can add to it.
  void work(WalkOutput& out) {
    for (;;) {
      DirTask task;
      {
        std::unique_lock lock(m_queue_mutex);
        m_queue_changed.wait(lock, [&] { return !m_queue.empty() || m_busy == 0 || m_error; });
        if (m_error || m_queue.empty())
          break;
        // Last in, first out: depth first, so few directories wait with open descriptors.
        task = std::move(m_queue.back());
        m_queue.pop_back();
        ++m_busy;
      }
      std::vector<DirTask> found;
      Status status = [&]() -> Status {
        try {
          return walk_dir(task, found, out);
        } catch (const std::exception& e) { // bad_alloc, system_error: fail the snapshot
          return fail("walking '{}': {}", task.logical, e.what());
        }
      }();
      {
        std::lock_guard lock(m_queue_mutex);
        --m_busy;
        if (!status && !m_error)
          m_error = status.error();
        std::move(found.begin(), found.end(), std::back_inserter(m_queue));
      }
      m_queue_changed.notify_all();
    }
    // Each thread sorts what it found, so that run() only merges.
    try {
      sort_entries(out.entries);
    } catch (const std::exception& e) {
      std::lock_guard lock(m_queue_mutex);
      if (!m_error)
        m_error = Error{fmt::format("sorting the files found: {}", e.what())};
    }
  }

  Status walk_dir(DirTask& task, std::vector<DirTask>& found, WalkOutput& out) {
    const std::string& logical = task.logical;
    std::shared_ptr<const Dir> dir, mirror;
    if (task.dir) {
      dir = std::make_shared<const Dir>(std::move(*task.dir));
      mirror = std::move(task.parent_copy);
    } else {
      auto sub = task.parent->open_dir(task.name);
      if (!sub) { // its entry is already recorded; copies of what it held are not kept
        out.warn(logical,
                 fmt::format("cannot read directory '{}': {}", logical, sub.error().message));
        if (task.has_copy && m_ctx.record) {
          FileStat directory;
          directory.type = FileType::directory;
          std::unique_lock lock(m_tree_mutex);
          TWIN_CHECK(remove_mirror(*task.parent_copy, task.name, directory, logical, out.written));
        }
        return {};
      }
      dir = std::make_shared<const Dir>(std::move(*sub));
      if (task.has_copy)
        if (auto m = task.parent_copy->open_dir(task.name))
          mirror = std::make_shared<const Dir>(std::move(*m));
    }
    task.parent.reset(); // the parents' descriptors close when their last child opened
    task.parent_copy.reset();

    auto list = list_dir(*dir, logical);
    if (!list) {
      out.warn(logical, fmt::format("cannot list '{}': {}", logical, list.error().message));
      return {};
    }
    // Both listings come sorted by name, so the mirror's entry for a name is found by
    // walking the two side by side.
    std::vector<Dir::Entry> mirrored;
    if (mirror) {
      auto m = list_dir(*mirror, mirror_path(k_live_tree, logical));
      if (m)
        mirrored = std::move(*m);
    }
    std::vector<char> kept(mirrored.size(), 0); // mirror entries that still belong there
    std::vector<Listed> items = match_copies(logical, *list, mirrored, out);
    look_up_digests(items, *list, mirrored);
    for (std::size_t i = 0; i < list->size(); ++i) {
      const Dir::Entry& e = (*list)[i];
      Listed& item = items[i];
      if (item.skip)
        continue;
      const std::string& path = item.path;
      const FileStat* copy = item.copy_index ? &mirrored[item.copy_index - 1].stat : nullptr;
      auto keep = [&] {
        if (item.copy_index)
          kept[item.copy_index - 1] = 1;
      };
      FileEntry entry = describe(path, e.stat);
      switch (e.stat.type) {
      case FileType::directory: {
        out.entries.push_back(std::move(entry));
        DirTask sub;
        sub.logical = path;
        sub.parent = dir;
        sub.name = e.name;
        if (copy && copy->type != FileType::directory && m_ctx.record) {
          // It was a file when last mirrored: its copy is in the way of the directory's.
          std::string stale = mirror_path(k_live_tree, path);
          std::unique_lock lock(m_tree_mutex);
          TWIN_CHECK(m_ctx.tree.remove(stale));
          out.written.push_back(stale);
          keep();
        } else if (copy && copy->type == FileType::directory) {
          sub.parent_copy = mirror;
          sub.has_copy = true;
          keep();
        }
        found.push_back(std::move(sub));
        continue;
      }
      case FileType::symlink: {
        auto target = dir->read_link(e.name);
        if (!target)
          out.warn(path, fmt::format("cannot read symlink '{}': {}", path, target.error().message));
        entry.target = target ? *target : "";
        break;
      }
      case FileType::file:
        if (e.stat.size > m_max_size) {
          entry.content = Content::too_large;
        } else if (item.cached) {
          entry.content = Content::stored;
          entry.sha256 = std::move(*item.cached);
          if (m_ctx.secrets && m_ctx.secrets->must_list(path, entry.mode, nullptr)) {
            std::lock_guard lock(m_secrets_mutex);
            m_ctx.secrets->list(path);
          }
          keep();
        } else if (auto stored =
                       TWIN_TRY(store(*dir, e.name, e.stat, copy, path, entry.mode, out))) {
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
      out.entries.push_back(std::move(entry));
    }
    // A .gitattributes in live/filesystem is git-twin's own (the machine's are excluded):
    // it encrypts the secret files of its directory, and snapshot keeps it current.
    if (mirror && m_ctx.record)
      for (std::size_t i = 0; i < mirrored.size(); ++i)
        if (!kept[i] && mirrored[i].name != k_attributes_name) {
          std::unique_lock lock(m_tree_mutex);
          TWIN_CHECK(remove_mirror(*mirror, mirrored[i].name, mirrored[i].stat,
                                   join_logical(logical, mirrored[i].name), out.written));
        }
    return {};
  }

  // A directory's entries: from the listings cache when the directory is as it was when
  // last listed (then only its names are stat'ed again), else read and remembered. Its
  // stat is taken from the open descriptor, right before: a stat from the parent's listing
  // could be older than a change made while the directory waited in the queue.
  Result<std::vector<Dir::Entry>> list_dir(const Dir& dir, std::string_view key) {
    FileStat stat = TWIN_TRY(dir.stat());
    if (const auto* names = m_listings.lookup(key, stat))
      if (auto known = TWIN_TRY(dir.entries_named(*names)))
        return std::move(*known);
    std::int64_t listed_ns = wall_clock_ns();
    auto entries = TWIN_TRY(dir.entries());
    if (m_ctx.record) { // observing only (plan, status), the cache is not saved
      std::lock_guard lock(m_listings_mutex);
      m_listings.record(key, stat, listed_ns, entries);
    }
    return entries;
  }

  // One entry of a directory listing, as walk_dir sees it.
  struct Listed {
    std::string path;
    bool skip = false;                 // excluded, the twin itself, or unrecordable
    std::size_t copy_index = 0;        // 1 + its copy's index in the mirror listing
    std::optional<std::string> cached; // a regular file's digest from the stat cache
  };

  // Pairs each entry with its copy (both listings are sorted by name, so the two are walked
  // side by side) and decides what is left out.
  std::vector<Listed> match_copies(const std::string& logical, const std::vector<Dir::Entry>& list,
                                   const std::vector<Dir::Entry>& mirrored, WalkOutput& out) const {
    std::vector<Listed> items(list.size());
    std::size_t next = 0;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const Dir::Entry& e = list[i];
      while (next < mirrored.size() && mirrored[next].name < e.name)
        ++next;
      if (next < mirrored.size() && mirrored[next].name == e.name)
        items[i].copy_index = next + 1;
      items[i].path = join_logical(logical, e.name);
      items[i].skip = m_rules.excluded(items[i].path, e.name) || items[i].path == m_repo_logical;
      if (!items[i].skip && !is_recordable_name(e.name)) {
        items[i].skip = true;
        out.warn(items[i].path, fmt::format("{} is not valid UTF-8 or holds a control character; "
                                            "it cannot be recorded and is left out",
                                            quote_path(items[i].path)));
      }
    }
    return items;
  }

  // The cached digests of a directory's regular files, under one lock for the directory:
  // a lock per file made the threads wait on each other.
  void look_up_digests(std::vector<Listed>& items, const std::vector<Dir::Entry>& list,
                       const std::vector<Dir::Entry>& mirrored) {
    std::lock_guard lock(m_cache_mutex);
    for (std::size_t i = 0; i < list.size(); ++i) {
      const FileStat& st = list[i].stat;
      if (items[i].skip || st.type != FileType::file || st.size > m_max_size)
        continue;
      const FileStat* copy =
          items[i].copy_index ? &mirrored[items[i].copy_index - 1].stat : nullptr;
      if (const CacheEntry* hit = m_cache.lookup(items[i].path, st, copy, m_ctx.record))
        items[i].cached = hit->sha256;
    }
  }

  // Reads a file, copies it into live/filesystem when the copy differs, and records it in
  // the cache. Returns the sha256, or nullopt (with a warning) when only this file could not
  // be read. An error is the repository failing (disk full, read-only): that fails the
  // snapshot, since recording a readable file as unreadable would drop its copy from live/.
  // A snapshot learns here whether the bytes make the file secret (a key in /etc/nginx).
  Result<std::optional<std::string>> store(const Dir& dir, const std::string& name,
                                           const FileStat& st, const FileStat* copy,
                                           const std::string& logical, std::string_view mode,
                                           WalkOutput& out) {
    std::int64_t read_ns = wall_clock_ns();
    auto content = dir.read_file(name);
    if (!content) {
      out.warn(logical, fmt::format("cannot read '{}': {}", logical, content.error().message));
      return std::optional<std::string>{};
    }
    if (m_ctx.secrets && m_ctx.secrets->must_list(logical, mode, &*content)) {
      std::lock_guard lock(m_secrets_mutex);
      m_ctx.secrets->list(logical);
    }
    std::string digest = sha256_hex(*content);
    if (!m_ctx.record)
      return std::optional<std::string>{digest};
    std::string copy_path = mirror_path(k_live_tree, logical);
    bool same = false;
    if (copy && copy->type == FileType::file && copy->size == content->size()) {
      auto current = TWIN_TRY(m_ctx.tree.read(copy_path));
      same = current && *current == *content;
    } else if (copy && copy->type == FileType::directory) {
      std::unique_lock lock(m_tree_mutex);
      TWIN_CHECK(remove_mirror_tree(copy_path, out.written));
    }
    std::optional<FileStat> copy_stat;
    if (!same) {
      std::shared_lock lock(m_tree_mutex);
      copy_stat.emplace();
      TWIN_CHECK(m_ctx.tree.write(copy_path, *content, 0644, &*copy_stat));
      out.written.push_back(copy_path);
    } else {
      copy_stat = TWIN_TRY(m_ctx.tree.stat(copy_path));
    }
    CacheEntry ce{st.inode, st.size, st.mtime_ns, st.ctime_ns, digest, 0, 0};
    if (copy_stat) {
      ce.copy_inode = copy_stat->inode;
      ce.copy_mtime_ns = copy_stat->mtime_ns;
    }
    std::lock_guard lock(m_cache_mutex);
    m_cache.record(logical, ce, read_ns);
    return std::optional<std::string>{digest};
  }

  // Callers hold m_tree_mutex exclusively (or run alone).
  Status remove_mirror(const Dir& mirror, const std::string& name, const FileStat& st,
                       const std::string& logical, std::vector<std::string>& written) {
    std::string path = mirror_path(k_live_tree, logical);
    if (st.type == FileType::directory) {
      auto sub = TWIN_TRY(mirror.open_dir(name));
      auto list = TWIN_TRY(sub.entries());
      // Removing the last file also removes the directories it leaves empty.
      for (const auto& e : list)
        TWIN_CHECK(remove_mirror(sub, e.name, e.stat, join_logical(logical, e.name), written));
      return {};
    }
    TWIN_CHECK(m_ctx.tree.remove(path));
    written.push_back(path);
    return {};
  }

  Status remove_mirror_tree(const std::string& copy_path, std::vector<std::string>& written) {
    auto sub = m_mirror_root.open_dir("/" + copy_path);
    if (!sub)
      return {};
    std::string logical = copy_path.substr(k_live_tree.size());
    auto list = TWIN_TRY(sub->entries());
    for (const auto& e : list)
      TWIN_CHECK(remove_mirror(*sub, e.name, e.stat, join_logical(logical, e.name), written));
    return {};
  }

  PluginContext& m_ctx;
  std::string m_repo_logical;
  StatCache& m_cache;
  ListingCache& m_listings;
  AccountNames m_names;
  ExcludeRules m_rules;
  std::uint64_t m_max_size;
  const SystemRoot& m_mirror_root;
  std::vector<FileEntry> m_root_entries; // the roots themselves
  std::vector<FileEntry> m_entries;      // after run(): everything, sorted

  std::mutex m_queue_mutex;
  std::condition_variable m_queue_changed;
  std::vector<DirTask> m_queue;
  unsigned m_busy = 0;          // tasks running, which may still queue more
  std::optional<Error> m_error; // the first failure; the walk stops
  std::mutex m_cache_mutex;
  std::mutex m_listings_mutex; // for record(); lookups need none
  std::mutex m_secrets_mutex;
  std::shared_mutex m_tree_mutex; // shared: writing a copy; exclusive: removing one
};

} // namespace

Result<CollectResult> collect_files(PluginContext& ctx, const std::string& repo_logical,
                                    std::vector<std::string>& written) {
  auto max_size = static_cast<std::uint64_t>(ctx.config.max_file_size_mb * 1024 * 1024);
  std::string cache_path = ctx.git_dir + "/twin/files.cache";
  StatCache cache = StatCache::load(cache_path, max_size);
  std::string listings_path = ctx.git_dir + "/twin/listings.cache";
  ListingCache listings = ListingCache::load(listings_path);
  auto names = AccountNames::of_root(ctx.root);
  SystemRoot mirror_root = TWIN_TRY(SystemRoot::open(ctx.tree.dir()));

  std::vector<std::string> roots = ctx.config.filesystem_roots;
  std::sort(roots.begin(), roots.end());
  roots.erase(std::unique(roots.begin(), roots.end()), roots.end());
  Walker walker(ctx, repo_logical, cache, listings, std::move(names), mirror_root);
  for (const auto& root : roots) {
    // A root nested in another one is walked as part of it.
    bool nested = std::any_of(roots.begin(), roots.end(),
                              [&](const std::string& r) { return is_ancestor(r, root); });
    if (!nested)
      walker.add_root(root);
  }
  TWIN_CHECK(walker.run(written));
  if (!ctx.record)
    return CollectResult{walker.take()};
  if (auto top = mirror_root.open_dir(std::string("/") + std::string(k_live_tree)))
    TWIN_CHECK(walker.prune_outside_roots(*top, "/", roots, written));

  CollectResult result{walker.take()};
  cache.save(cache_path, wall_clock_ns());
  listings.save(listings_path);
  return result;
}

} // namespace twin::files
