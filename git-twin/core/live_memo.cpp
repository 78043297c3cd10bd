// SPDX-License-Identifier: MIT
#include "core/live_memo.hpp"

#include <sstream>

#include <fmt/format.h>

#include "core/fs_util.hpp"

namespace twin {
namespace {

// A header line, then one line per file:
// "<repo path> <fingerprint> <blob id> <inode> <size> <mtime_ns> <ctime_ns>".
// Repo paths are live/<fragment>.yaml: no spaces.
constexpr std::string_view k_header = "git-twin live memo 1";

} // namespace

LiveMemo LiveMemo::load(const std::string& git_dir) {
  LiveMemo memo;
  memo.m_file = git_dir + "/twin/live.memo";
  std::istringstream in(read_state_file(memo.m_file));
  std::string line;
  if (!std::getline(in, line) || line != k_header)
    return memo;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string path;
    Entry e;
    if (!(fields >> path >> e.fingerprint >> e.blob >> e.inode >> e.size >> e.mtime_ns >>
          e.ctime_ns)) {
      memo.m_entries.clear();
      return memo;
    }
    memo.m_entries[path] = std::move(e);
  }
  return memo;
}

void LiveMemo::save(std::int64_t now_ns) const {
  if (!m_changed)
    return;
  std::string text = std::string(k_header) + "\n";
  for (const auto& [path, e] : m_entries)
    if (e.mtime_ns < now_ns - k_racy_window_ns && e.ctime_ns < now_ns - k_racy_window_ns)
      text += fmt::format("{} {} {} {} {} {} {}\n", path, e.fingerprint, e.blob, e.inode, e.size,
                          e.mtime_ns, e.ctime_ns);
  (void)replace_state_file(m_file, text);
}

std::optional<std::string> LiveMemo::blob_for(const std::string& path,
                                              const std::string& fingerprint,
                                              const FileStat& current) const {
  auto it = m_entries.find(path);
  if (it == m_entries.end() || fingerprint.empty())
    return std::nullopt;
  const Entry& e = it->second;
  if (e.fingerprint != fingerprint || e.inode != current.inode || e.size != current.size ||
      e.mtime_ns != current.mtime_ns || e.ctime_ns != current.ctime_ns)
    return std::nullopt;
  return e.blob;
}

void LiveMemo::record(const std::string& path, std::string fingerprint, std::string blob,
                      const FileStat& written) {
  if (fingerprint.empty() || blob.empty() || path.find_first_of(" \n") != std::string::npos)
    return; // an unknown fingerprint proves nothing; the format has no room for the rest
  Entry e{std::move(fingerprint), std::move(blob),  written.inode,
          written.size,           written.mtime_ns, written.ctime_ns};
  auto it = m_entries.find(path);
  if (it != m_entries.end() && it->second.fingerprint == e.fingerprint &&
      it->second.blob == e.blob && it->second.inode == e.inode && it->second.size == e.size &&
      it->second.mtime_ns == e.mtime_ns && it->second.ctime_ns == e.ctime_ns)
    return;
  m_entries[path] = std::move(e);
  m_changed = true;
}

} // namespace twin
