// SPDX-License-Identifier: MIT
// Unit-file states read natively below a SystemRoot, as `systemctl --root=R
// list-unit-files` computes them in systemd 252 (src/shared/install.c:
// unit_file_get_list, unit_file_lookup_state, install_info_traverse, unit_file_search,
// find_symlinks_in_scope, find_symlinks, find_symlinks_in_directory), without starting
// systemctl (which costs ~450 ms; reading the directories costs a few ms).
//
// The rules, briefly:
// - The system search path, highest priority first, as lookup_paths_init() builds it for a
//   root on a split-usr build (Debian 12): /etc/systemd/system.control,
//   /run/systemd/system.control, /run/systemd/transient, /run/systemd/generator.early,
//   /etc/systemd/system, /etc/systemd/system.attached, /run/systemd/system,
//   /run/systemd/system.attached, /run/systemd/generator, /usr/local/lib/systemd/system,
//   /lib/systemd/system, /usr/lib/systemd/system, /run/systemd/generator.late.
//   /lib and /usr/lib may be one directory (/lib -> usr/lib): like systemd, names are
//   deduplicated (the first directory that has a name wins), not directories.
// - Every regular file or symlink with a valid unit name is listed once.
// - A name resolves through symlinks: to /dev/null, a character device or an empty file:
//   masked (masked-runtime below /run); to a file inside the search path: an alias of that
//   name; outside: a linked unit file. An instance falls back to its template.
// - A regular unit's state: alias (the name is not the file's), generated, transient, then
//   enabled / enabled-runtime when a .wants/.requires/.upholds or alias symlink names it
//   in a config directory (static for instances enabled from vendor directories), linked /
//   linked-runtime for a same-name link in /etc or /run, indirect when other symlinks use
//   it, else disabled ([Install] has rules), indirect (only Also=) or static.
// - Anything systemd fails on (a broken symlink, an unparsable file, a bad alias) is "bad".
//
// systemd rescans the directories for every unit; here each is read once per reader (one
// reader is one snapshot), as a collect runs at every commit:
// - a directory is listed once and kept open; a name is looked up in its parent's listing
//   rather than lstat'ed, and a unit file is read through the directory's fd. One directory
//   reached by two paths (/lib -> usr/lib) is listed once (same device and inode).
// - the symlinks find_symlinks() looks at (in a search-path directory and its .wants,
//   .requires and .upholds subdirectories) are indexed once by the unit names they can
//   match, so a unit's state costs a few lookups, not a scan of every directory.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/system_root.hpp"
#include "plugins/services_systemd/install_section.hpp"

namespace twin::services {

/// The system search path (logical, highest priority first).
const std::vector<std::string>& system_search_path();

struct UnitFileState {
  std::string name;  // as listed ("dbus-org.freedesktop.timesync1.service")
  std::string path;  // logical path where it was found
  std::string state; // systemd's word: enabled, static, alias, masked, bad, ...
  // For an alias: the unit it names after following symlinks; else `name`.
  std::string resolved;
};

class UnitFileReader {
public:
  explicit UnitFileReader(const SystemRoot& root) : m_root(root) {}

  /// Every unit file of the search path with its state, sorted by name.
  std::vector<UnitFileState> list();
  /// The state of one name (as `systemctl is-enabled` would say it); "bad" when it cannot
  /// be resolved. `resolved` receives the name of the unit it ends at.
  std::string lookup_state(const std::string& name, std::string* resolved = nullptr);

private:
  enum class Mode { unknown, regular, masked, alias, linked };
  enum class Err { ok, noent, other };
  struct Info {
    std::string name;
    std::string path;
    Mode mode = Mode::unknown;
    std::string symlink_target;
    InstallSection install;
  };
  struct Context {
    std::map<std::string, Info> infos;
  };
  // A directory as listed once: all its entries, sorted by name (hidden ones too: scans skip
  // them, but a name looked up directly is found, as lstat would find it).
  struct Listing {
    std::shared_ptr<const std::vector<Dir::Entry>> entries; // null: it cannot be listed
    std::shared_ptr<const Dir> dir; // kept open: its unit files are read through it
    bool absent = false;            // not even lstat-able: nothing below it exists either
    std::string same_as;            // the first path listed for this directory, often itself
  };
  using DirId = std::pair<std::uint64_t, std::uint64_t>; // device, inode
  // The symlinks of one search-path directory that find_symlinks() looks at, keyed by the
  // unit names they can match: every unit's state asks every directory (twice), so the
  // directory and its .wants/.requires/.upholds subdirectories are scanned once, not once
  // per unit.
  struct SymlinkIndex {
    // unit -> link name in a subdirectory naming it by its own name or as its template
    std::multimap<std::string, std::string, std::less<>> wanted;
    // target basename -> link name, for the symlinks in the directory itself
    std::multimap<std::string, std::string, std::less<>> by_target;
    // link name -> target basename (the same links)
    std::map<std::string, std::string, std::less<>> target_of;
  };

  const std::vector<std::string>& search_path();
  const Listing& listing(const std::string& dir);
  const std::vector<Dir::Entry>* entries(const std::string& dir);
  const SymlinkIndex& symlink_index(const std::string& config_path);
  std::optional<FileStat> lstat(const std::string& path);
  std::optional<FileStat> lstat_in(const std::string& dir, std::string_view name);
  static std::optional<std::optional<FileStat>> listed_stat(const Listing& dir,
                                                            std::string_view name);
  std::optional<std::string> read_file(const std::string& path);
  std::optional<std::string> read_link(const std::string& path);
  std::optional<FileStat> stat_following(const std::string& path);
  std::string chase(const std::string& path, bool follow_last);

  Err load(Info& info, const std::string& path);
  Err load_or_readlink(Info& info, const std::string& path);
  Err search(Info& info);
  Err load_dropins(Info& info, const std::optional<std::string>& template_name);
  Err traverse(Context& ctx, const std::string& name, Info*& out);
  int find_symlinks_in_scope(const Info& info, bool match_name, std::string& state);
  int find_symlinks(const Info& info, bool match_name, bool ignore_same_name,
                    const std::string& config_path, bool& same_name_link);

  const SystemRoot& m_root;
  // Everything read is cached for the reader's life: one listing is one snapshot.
  struct PathHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <class T> using PathMap = std::unordered_map<std::string, T, PathHash, std::equal_to<>>;
  PathMap<Listing> m_dirs;
  std::map<DirId, std::string> m_dir_ids; // directory -> the first path it was listed by
  PathMap<SymlinkIndex> m_indexes;
  PathMap<std::optional<FileStat>> m_stats;
  std::map<std::string, std::optional<std::string>> m_links;
  bool m_search_path_listed = false;
};

/// systemd's hidden_or_backup_file(): names every directory scan skips.
bool hidden_or_backup_file(std::string_view name);

} // namespace twin::services
