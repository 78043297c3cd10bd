// SPDX-License-Identifier: MIT
#include "plugins/services_systemd/unit_files.hpp"

#include <algorithm>
#include <array>

#include "plugins/services_systemd/unit_name.hpp"

namespace twin::services {
namespace {

constexpr std::string_view k_persistent_config = "/etc/systemd/system";
constexpr std::string_view k_transient = "/run/systemd/transient";
constexpr std::array<std::string_view, 3> k_generators = {
    "/run/systemd/generator", "/run/systemd/generator.early", "/run/systemd/generator.late"};
// path_is_runtime(): besides everything below /run, these (all below /run anyway).
constexpr std::array<std::string_view, 6> k_runtime_dirs = {
    "/run/systemd/system",         "/run/systemd/generator", "/run/systemd/generator.early",
    "/run/systemd/generator.late", "/run/systemd/transient", "/run/systemd/system.control"};
constexpr int k_follow_max = 64; // UNIT_FILE_FOLLOW_SYMLINK_MAX

std::string basename_of(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string parent_of(std::string_view path) {
  std::size_t slash = path.rfind('/');
  if (slash == std::string_view::npos || slash == 0)
    return "/";
  return std::string(path.substr(0, slash));
}

std::string join(std::string_view dir, std::string_view name) {
  if (dir.empty() || dir.back() != '/')
    return std::string(dir) + "/" + std::string(name);
  return std::string(dir) + std::string(name);
}

std::vector<std::string> components(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos)
      j = path.size();
    if (j > i)
      out.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// Absolute, without "//", ".", ".." or a trailing "/": what normalize() makes, unchanged.
// Nearly every path here already is; checking is cheaper than rebuilding it.
bool is_normal(std::string_view path) {
  if (path == "/")
    return true;
  if (path.empty() || path[0] != '/' || path.back() == '/')
    return false;
  for (std::size_t i = 1; i <= path.size();) {
    std::size_t j = std::min(path.find('/', i), path.size());
    std::string_view c = path.substr(i, j - i);
    if (c.empty() || c == "." || c == "..")
      return false;
    i = j + 1;
  }
  return true;
}

// Lexical normalization: "//", "." and ".." (clamped at "/"), as path_equal() compares.
std::string normalize(std::string_view path) {
  if (is_normal(path))
    return std::string(path);
  std::vector<std::string> kept;
  for (auto& c : components(path)) {
    if (c == ".")
      continue;
    if (c == "..") {
      if (!kept.empty())
        kept.pop_back();
      continue;
    }
    kept.push_back(c);
  }
  std::string out;
  for (auto& c : kept)
    out += "/" + c;
  return out.empty() ? "/" : out;
}

// path_startswith(): `path` is `prefix` or lies below it.
bool path_starts_with(std::string_view path, std::string_view prefix) {
  if (is_normal(path) && is_normal(prefix))
    return path_is_within(prefix, path);
  return path_is_within(normalize(prefix), normalize(path));
}

bool path_is_runtime(const std::string& path, bool check_parent) {
  if (path_starts_with(path, "/run"))
    return true;
  std::string p = normalize(check_parent ? parent_of(path) : path);
  return std::find(k_runtime_dirs.begin(), k_runtime_dirs.end(), p) != k_runtime_dirs.end();
}

bool is_generator_dir(const std::string& dir) {
  std::string d = normalize(dir);
  return std::find(k_generators.begin(), k_generators.end(), d) != k_generators.end();
}

// unit_validate_alias_symlink_or_warn(): may `src` be a symlink to the unit `dst`?
bool valid_alias(const std::string& src, const std::string& dst) {
  UnitNameKind s = classify_unit_name(src);
  if (s == UnitNameKind::invalid || !unit_type_may_alias(unit_type(src)))
    return false;
  if (s != UnitNameKind::plain && !unit_type_may_template(unit_type(src)))
    return false;
  if (src == dst)
    return false; // an alias to itself
  UnitNameKind d = classify_unit_name(dst);
  if (d == UnitNameKind::invalid)
    return false;
  if (!(d == s || (s == UnitNameKind::instance && d == UnitNameKind::template_)))
    return false;
  if (d == UnitNameKind::instance && unit_instance_of(src) != unit_instance_of(dst))
    return false;
  return unit_type(src) == unit_type(dst);
}

// unit_file_load()'s first check, made before it looks at the file.
bool loadable_name(const std::string& name) {
  UnitNameKind kind = classify_unit_name(name);
  if (kind == UnitNameKind::invalid)
    return false;
  return kind == UnitNameKind::plain || unit_type_may_template(unit_type(name));
}

bool null_or_empty(const FileStat& st) {
  return (st.type == FileType::file && st.size == 0) || st.type == FileType::char_device;
}

// find_symlinks(): the subdirectories whose symlinks enable the unit they are named after.
bool is_dependency_dir(std::string_view name) {
  std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos)
    return false;
  std::string_view suffix = name.substr(dot);
  return suffix == ".wants" || suffix == ".requires" || suffix == ".upholds";
}

bool known_name(const InstallSection& install, const std::string& unit, const std::string& name) {
  if (name == unit)
    return true;
  if (std::find(install.aliases.begin(), install.aliases.end(), name) != install.aliases.end())
    return true;
  if (install.default_instance && classify_unit_name(unit) == UnitNameKind::template_) {
    auto s = unit_replace_instance(unit, *install.default_instance);
    if (s && *s == name)
      return true;
  }
  return false;
}

} // namespace

bool hidden_or_backup_file(std::string_view name) {
  if (name.empty() || name[0] == '.' || name == "lost+found" || name == "aquota.user" ||
      name == "aquota.group" || name.back() == '~')
    return true;
  std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos)
    return false;
  static constexpr std::array<std::string_view, 17> k_suffixes = {
      "rpmnew",    "rpmsave",  "rpmorig",     "dpkg-old",    "dpkg-new", "dpkg-tmp",
      "dpkg-dist", "dpkg-bak", "dpkg-backup", "dpkg-remove", "ucf-new",  "ucf-old",
      "ucf-dist",  "swp",      "bak",         "old",         "new"};
  std::string_view suffix = name.substr(dot + 1);
  return std::find(k_suffixes.begin(), k_suffixes.end(), suffix) != k_suffixes.end();
}

const std::vector<std::string>& system_search_path() {
  static const std::vector<std::string> paths = {
      "/etc/systemd/system.control", "/run/systemd/system.control",
      "/run/systemd/transient",      "/run/systemd/generator.early",
      "/etc/systemd/system",         "/etc/systemd/system.attached",
      "/run/systemd/system",         "/run/systemd/system.attached",
      "/run/systemd/generator",      "/usr/local/lib/systemd/system",
      "/lib/systemd/system",         "/usr/lib/systemd/system",
      "/run/systemd/generator.late"};
  return paths;
}

const UnitFileReader::Listing& UnitFileReader::listing(const std::string& dir) {
  if (auto it = m_dirs.find(dir); it != m_dirs.end())
    return it->second;
  Listing l;
  l.same_as = dir;
  // Opening dir walks to it first: when it is not there, it cannot be listed and nothing
  // below it exists.
  auto st = lstat(dir);
  l.absent = !st;
  std::optional<DirId> id;
  if (st && st->type == FileType::directory)
    id = DirId{st->device, st->inode};
  if (auto same = id ? m_dir_ids.find(*id) : m_dir_ids.end(); same != m_dir_ids.end()) {
    l = m_dirs.at(same->second); // one directory by two paths (/lib -> usr/lib)
  } else if (st) {
    if (auto d = m_root.open_dir(dir))
      if (auto e = d->entries()) {
        l.entries = std::make_shared<const std::vector<Dir::Entry>>(std::move(*e));
        l.dir = std::make_shared<const Dir>(std::move(*d));
      }
    if (id)
      m_dir_ids.emplace(*id, dir);
  }
  return m_dirs.emplace(dir, std::move(l)).first->second;
}

// The search path with its directories listed: lookups of names below them need no syscall.
const std::vector<std::string>& UnitFileReader::search_path() {
  if (!m_search_path_listed) {
    for (const auto& dir : system_search_path())
      listing(dir);
    m_search_path_listed = true;
  }
  return system_search_path();
}

const std::vector<Dir::Entry>* UnitFileReader::entries(const std::string& dir) {
  return listing(dir).entries.get();
}

// SystemRoot::lstat() through the listing of the parent when it was listed (the same lstat,
// made by Dir::entries()), else once per path.
std::optional<FileStat> UnitFileReader::lstat(const std::string& path) {
  std::size_t slash = path.rfind('/');
  std::string_view name = std::string_view(path).substr(slash + 1);
  if (slash != std::string::npos && slash > 0 && !name.empty() && name != "." && name != "..")
    if (auto dir = m_dirs.find(std::string_view(path).substr(0, slash)); dir != m_dirs.end())
      if (auto st = listed_stat(dir->second, name))
        return *st;
  auto it = m_stats.find(path);
  if (it == m_stats.end()) {
    std::optional<FileStat> st;
    if (auto r = m_root.lstat(path))
      st = *r;
    it = m_stats.emplace(path, st).first;
  }
  return it->second;
}

std::optional<FileStat> UnitFileReader::lstat_in(const std::string& dir, std::string_view name) {
  if (auto st = listed_stat(listing(dir), name))
    return *st;
  return lstat(join(dir, name));
}

// What the listing says of `name` (nullopt inside: it is not there), or nullopt when it
// cannot tell (the directory exists but could not be listed).
std::optional<std::optional<FileStat>> UnitFileReader::listed_stat(const Listing& dir,
                                                                   std::string_view name) {
  if (dir.absent)
    return std::optional<FileStat>();
  if (!dir.entries)
    return std::nullopt;
  const auto& list = *dir.entries;
  auto e = std::lower_bound(list.begin(), list.end(), name,
                            [](const Dir::Entry& x, std::string_view n) { return x.name < n; });
  if (e == list.end() || e->name != name)
    return std::optional<FileStat>();
  return e->stat;
}

// SystemRoot::read_file() of what lstat() says is a regular file: through the open fd of
// its directory when that was listed (a shorter walk; not following a final symlink changes
// nothing for a regular file).
std::optional<std::string> UnitFileReader::read_file(const std::string& path) {
  std::size_t slash = path.rfind('/');
  Result<std::string> text;
  auto dir = slash == std::string::npos || slash == 0
                 ? m_dirs.end()
                 : m_dirs.find(std::string_view(path).substr(0, slash));
  if (dir != m_dirs.end() && dir->second.dir)
    text = dir->second.dir->read_file(std::string_view(path).substr(slash + 1));
  else
    text = m_root.read_file(path);
  if (!text)
    return std::nullopt;
  return std::move(*text);
}

// What find_symlinks_in_directory() would see of `config_path`, for every unit at once.
const UnitFileReader::SymlinkIndex& UnitFileReader::symlink_index(const std::string& path) {
  // The same directory by another path has the same links: one index serves both.
  const std::string config_path = listing(path).same_as;
  auto it = m_indexes.find(config_path);
  if (it != m_indexes.end())
    return it->second;
  SymlinkIndex index;
  const auto* list = entries(config_path);
  for (std::size_t i = 0; list && i < list->size(); ++i) {
    const Dir::Entry& e = (*list)[i];
    if (hidden_or_backup_file(e.name))
      continue;
    if (e.stat.type == FileType::directory && is_dependency_dir(e.name)) {
      // ignore_destination: the link's own name, or its template, names the unit
      const auto* links = entries(join(config_path, e.name));
      for (std::size_t j = 0; links && j < links->size(); ++j) {
        const Dir::Entry& l = (*links)[j];
        if (l.stat.type != FileType::symlink || hidden_or_backup_file(l.name))
          continue;
        index.wanted.emplace(l.name, l.name);
        if (auto t = unit_template_of(l.name); t && *t != l.name)
          index.wanted.emplace(*t, l.name);
      }
    } else if (e.stat.type == FileType::symlink) {
      std::string link = join(config_path, e.name);
      auto dest = read_link(link);
      if (!dest)
        continue;
      std::string absolute = !dest->empty() && (*dest)[0] == '/' ? *dest : join(config_path, *dest);
      std::string target = basename_of(absolute);
      index.by_target.emplace(target, e.name);
      index.target_of.emplace(e.name, std::move(target));
    }
  }
  return m_indexes.emplace(config_path, std::move(index)).first->second;
}

std::optional<std::string> UnitFileReader::read_link(const std::string& path) {
  auto it = m_links.find(path);
  if (it == m_links.end()) {
    std::optional<std::string> target;
    if (auto t = m_root.read_link(path))
      target = std::move(*t);
    it = m_links.emplace(path, std::move(target)).first;
  }
  return it->second;
}

// chase(CHASE_NONEXISTENT): resolves symlinks in the directories of `path` (and in its last
// component when `follow_last`) inside the root; a missing component ends the walk, the rest
// is appended as written.
std::string UnitFileReader::chase(const std::string& path, bool follow_last) {
  std::vector<std::string> remaining = components(path);
  std::reverse(remaining.begin(), remaining.end());
  std::string resolved = "/";
  int hops = 0;
  while (!remaining.empty()) {
    std::string c = std::move(remaining.back());
    remaining.pop_back();
    if (c == ".")
      continue;
    if (c == "..") {
      resolved = parent_of(resolved);
      continue;
    }
    std::string next = join(resolved, c);
    bool last = remaining.empty();
    if (last && !follow_last) {
      resolved = next;
      break;
    }
    auto st = lstat(next);
    if (!st) { // nonexistent: keep the rest as written
      resolved = next;
      while (!remaining.empty()) {
        resolved = join(resolved, remaining.back());
        remaining.pop_back();
      }
      return normalize(resolved);
    }
    if (st->type != FileType::symlink || ++hops > 32) {
      resolved = next;
      continue;
    }
    auto target = read_link(next);
    if (!target) {
      resolved = next;
      continue;
    }
    auto more = components(*target);
    for (auto it = more.rbegin(); it != more.rend(); ++it)
      remaining.push_back(*it);
    if (!target->empty() && (*target)[0] == '/')
      resolved = "/";
  }
  return normalize(resolved);
}

std::optional<FileStat> UnitFileReader::stat_following(const std::string& path) {
  return lstat(chase(path, true));
}

// unit_file_load() without SEARCH_DROPIN, always with SEARCH_LOAD.
UnitFileReader::Err UnitFileReader::load(Info& info, const std::string& path) {
  if (!loadable_name(info.name))
    return Err::other;
  auto st = lstat(path);
  if (!st) // SystemRoot::exists() is this same lstat: it would say no
    return Err::noent;
  if (st->type == FileType::symlink)
    return Err::ok; // the caller reads it (ELOOP from open(O_NOFOLLOW))
  if (null_or_empty(*st)) {
    info.mode = Mode::masked;
    return Err::ok;
  }
  if (st->type != FileType::file)
    return Err::other; // EISDIR, ENOTTY
  auto text = read_file(path);
  if (!text)
    return Err::other;
  if (!parse_install_section(*text, info.name, info.install))
    return Err::other;
  info.mode = Mode::regular;
  return Err::ok;
}

// unit_file_load_or_readlink() with unit_file_resolve_symlink().
UnitFileReader::Err UnitFileReader::load_or_readlink(Info& info, const std::string& path) {
  auto st = lstat(path);
  if (!st || st->type != FileType::symlink)
    return load(info, path);
  if (Err e = load(info, path); e != Err::ok) // the template check
    return e;
  auto target = read_link(path);
  if (!target)
    return Err::other;
  std::string dir = parent_of(path);
  std::string absolute = !target->empty() && (*target)[0] == '/' ? *target : join(dir, *target);
  std::string simplified = chase(absolute, false);
  bool inside = false;
  for (const auto& s : system_search_path())
    inside = inside || path_starts_with(simplified, s);
  if (inside && !valid_alias(basename_of(path), basename_of(simplified)))
    return Err::other;
  info.symlink_target = simplified;
  bool masked = simplified == "/dev/null";
  if (!masked)
    if (auto target_stat = stat_following(simplified))
      masked = null_or_empty(*target_stat);
  info.mode = masked ? Mode::masked : inside ? Mode::alias : Mode::linked;
  return Err::ok;
}

UnitFileReader::Err UnitFileReader::load_dropins(Info& info,
                                                 const std::optional<std::string>& template_name) {
  // conf_files_list_strv(): *.conf from <dir>/<name>.d, then <dir>/<template>.d, the first
  // directory having a file name wins, files read in name order.
  std::vector<std::string> dirs; // only those there: most units have none
  auto add_dirs = [&](const std::string& name) {
    std::string dropin = name + ".d";
    for (const auto& s : search_path())
      if (lstat_in(s, dropin))
        dirs.push_back(join(s, dropin));
  };
  add_dirs(info.name);
  if (template_name)
    add_dirs(*template_name);
  std::map<std::string, std::string> files; // name -> path
  for (const auto& d : dirs) {
    const auto* list = entries(d);
    if (!list)
      continue;
    for (const auto& e : *list) {
      if (hidden_or_backup_file(e.name))
        continue;
      if (e.stat.type != FileType::file && e.stat.type != FileType::symlink)
        continue;
      if (e.name.size() < 5 || e.name.compare(e.name.size() - 5, 5, ".conf") != 0)
        continue;
      files.emplace(e.name, join(d, e.name));
    }
  }
  for (const auto& [name, path] : files) {
    std::string real = chase(path, true);
    if (real == "/dev/null")
      continue;
    auto st = lstat(real);
    if (!st)
      return Err::other;
    if (null_or_empty(*st))
      continue;
    if (st->type != FileType::file)
      return Err::other;
    auto text = read_file(real);
    if (!text || !parse_install_section(*text, info.name, info.install))
      return Err::other;
  }
  return Err::ok;
}

// unit_file_search().
UnitFileReader::Err UnitFileReader::search(Info& info) {
  if (info.mode != Mode::unknown)
    return Err::ok;
  if (!info.path.empty())
    return load_or_readlink(info, info.path);
  std::optional<std::string> template_name;
  if (classify_unit_name(info.name) == UnitNameKind::instance)
    template_name = unit_template_of(info.name);
  // load_or_readlink() fails on a name it cannot load, whether the file is there or not;
  // else a missing file is ENOENT, and most directories do not have the name.
  if (!loadable_name(info.name))
    return Err::other;
  bool found = false;
  for (const std::string* name : {&info.name, template_name ? &*template_name : nullptr}) {
    if (!name || found)
      continue;
    for (const auto& s : search_path()) {
      if (!lstat_in(s, *name))
        continue;
      std::string path = join(s, *name);
      Err e = load_or_readlink(info, path);
      if (e == Err::ok) {
        info.path = path;
        found = true;
        break;
      }
      if (e != Err::noent)
        return e;
    }
  }
  if (!found)
    return Err::noent;
  if (info.mode == Mode::masked)
    return Err::ok;
  return load_dropins(info, template_name);
}

// install_info_traverse() from a name.
UnitFileReader::Err UnitFileReader::traverse(Context& ctx, const std::string& name, Info*& out) {
  if (!unit_name_is_valid(name))
    return Err::other;
  Info* i = &ctx.infos.try_emplace(name, Info{name, {}, Mode::unknown, {}, {}}).first->second;
  if (Err e = search(*i); e != Err::ok)
    return e;
  int k = 0;
  while (i->mode == Mode::alias || i->mode == Mode::linked) {
    if (++k > k_follow_max)
      return Err::other;
    std::string target_name = basename_of(i->symlink_target);
    bool follow_same = i->mode == Mode::linked || target_name == i->name;
    if (!follow_same && classify_unit_name(i->name) == UnitNameKind::instance &&
        classify_unit_name(target_name) == UnitNameKind::template_) {
      auto filled = unit_replace_instance(target_name, *unit_instance_of(i->name));
      if (!filled)
        return Err::other;
      if (*filled == i->name)
        follow_same = true;
      else
        target_name = *filled;
    }
    if (follow_same) { // install_info_follow(): same info, the target's path
      i->path = i->symlink_target;
      i->symlink_target.clear();
      i->mode = Mode::unknown;
      if (Err e = load_or_readlink(*i, i->path); e != Err::ok)
        return e;
      continue;
    }
    if (!unit_name_is_valid(target_name))
      return Err::other;
    i = &ctx.infos.try_emplace(target_name, Info{target_name, {}, Mode::unknown, {}, {}})
             .first->second;
    if (Err e = search(*i); e != Err::ok)
      return Err::other; // ENOENT becomes ENOLINK: a dangling alias is bad too
  }
  out = i;
  return Err::ok;
}

// find_symlinks() over find_symlinks_in_directory() for the subdirectories, then for the
// directory itself, through the index. Which link is met first does not matter: the result
// is whether any link enables the unit, and a same-name link only counts when none does.
int UnitFileReader::find_symlinks(const Info& info, bool match_name, bool ignore_same_name,
                                  const std::string& config_path, bool& same_name_link) {
  const SymlinkIndex& index = symlink_index(config_path);
  auto enables = [&](const std::string& link) {
    return !match_name || known_name(info.install, info.name, link);
  };
  for (auto [it, end] = index.wanted.equal_range(info.name); it != end; ++it)
    if (enables(it->second))
      return 1;
  // In the directory itself a link matches by its target's name, or by its own name unless
  // same-name links are ignored; both at once is a same-name link (linked, not enabled).
  for (auto [it, end] = index.by_target.equal_range(info.name); it != end; ++it) {
    if (!ignore_same_name && it->second == info.name)
      same_name_link = true;
    else if (enables(it->second))
      return 1;
  }
  if (!ignore_same_name)
    if (auto it = index.target_of.find(info.name);
        it != index.target_of.end() && it->second != info.name && enables(info.name))
      return 1;
  return 0;
}

int UnitFileReader::find_symlinks_in_scope(const Info& info, bool match_name, std::string& state) {
  bool same_name_link_runtime = false, same_name_link_config = false;
  bool enabled_in_runtime = false, enabled_at_all = false;
  bool ignore_same_name = false;
  for (const auto& p : system_search_path()) {
    bool same_name_link = false;
    if (find_symlinks(info, match_name, ignore_same_name, p, same_name_link) > 0) {
      if (p == k_persistent_config) {
        state = "enabled";
        return 1;
      }
      if (path_is_runtime(p, false))
        enabled_in_runtime = true;
      else
        enabled_at_all = true;
    } else if (same_name_link) {
      if (p == k_persistent_config)
        same_name_link_config = true;
      else if (path_is_runtime(p, false))
        same_name_link_runtime = true;
    }
    // Directories after the one holding the unit file rank below it: same-name links
    // there are shadowed.
    if (!ignore_same_name && path_starts_with(info.path, p))
      ignore_same_name = true;
  }
  if (enabled_in_runtime) {
    state = "enabled-runtime";
    return 1;
  }
  if (enabled_at_all && classify_unit_name(info.name) == UnitNameKind::instance) {
    state = "static";
    return 1;
  }
  if (same_name_link_config) {
    state = "linked";
    return 1;
  }
  if (same_name_link_runtime) {
    state = "linked-runtime";
    return 1;
  }
  return 0;
}

std::string UnitFileReader::lookup_state(const std::string& name, std::string* resolved) {
  Context ctx;
  Info* info = nullptr;
  if (resolved)
    *resolved = name;
  if (traverse(ctx, name, info) != Err::ok)
    return "bad";
  if (resolved)
    *resolved = info->name;
  if (info->mode == Mode::masked)
    return path_is_runtime(info->path, true) ? "masked-runtime" : "masked";
  if (name != basename_of(info->path) && classify_unit_name(info->name) != UnitNameKind::instance)
    return "alias";
  std::string dir = parent_of(info->path);
  if (is_generator_dir(dir))
    return "generated";
  if (normalize(dir) == k_transient)
    return "transient";
  std::string state;
  if (find_symlinks_in_scope(*info, true, state) > 0)
    return state;
  if (find_symlinks_in_scope(*info, false, state) > 0)
    return "indirect";
  if (info->install.has_rules())
    return "disabled";
  if (!info->install.also.empty())
    return "indirect";
  return "static";
}

std::vector<UnitFileState> UnitFileReader::list() {
  std::map<std::string, UnitFileState> found;
  for (const auto& dir : search_path()) {
    const auto* list = entries(dir);
    if (!list)
      continue;
    for (const auto& e : *list) {
      if (hidden_or_backup_file(e.name) || !unit_name_is_valid(e.name) || found.count(e.name))
        continue;
      if (e.stat.type != FileType::file && e.stat.type != FileType::symlink)
        continue;
      UnitFileState u;
      u.name = e.name;
      u.path = join(dir, e.name);
      u.state = lookup_state(e.name, &u.resolved);
      found.emplace(e.name, std::move(u));
    }
  }
  std::vector<UnitFileState> out;
  out.reserve(found.size());
  for (auto& [name, u] : found)
    out.push_back(std::move(u));
  return out;
}

} // namespace twin::services
