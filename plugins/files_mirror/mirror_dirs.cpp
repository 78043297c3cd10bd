// SPDX-License-Identifier: MIT
#include "plugins/files_mirror/mirror_dirs.hpp"

#include <sstream>

#include <fmt/format.h>

#include "core/fs_util.hpp"

namespace twin::files {
namespace {

constexpr std::string_view k_header = "twin-mirror-dirs 1";

} // namespace

MirrorDirs MirrorDirs::load(const std::string& path) {
  MirrorDirs dirs;
  std::istringstream in(read_state_file(path));
  std::string line;
  if (!std::getline(in, line) || line != k_header)
    return dirs;
  while (std::getline(in, line)) { // "<inode> <mtime_ns> <logical>"
    std::istringstream fields(line);
    Stamp stamp;
    std::string logical;
    if (!(fields >> stamp.inode >> stamp.mtime_ns) || fields.get() != ' ' ||
        !std::getline(fields, logical) || logical.empty() || logical.front() != '/')
      return MirrorDirs{}; // damaged: trust nothing
    dirs.m_loaded[logical] = stamp;
  }
  return dirs;
}

bool MirrorDirs::trusted(std::string_view logical, const FileStat& mirror_dir) const {
  auto it = m_loaded.find(std::string(logical));
  return it != m_loaded.end() && mirror_dir.type == FileType::directory &&
         it->second == Stamp{mirror_dir.inode, mirror_dir.mtime_ns};
}

void MirrorDirs::record(std::string_view logical, const FileStat& mirror_dir, std::int64_t now_ns) {
  if (mirror_dir.type != FileType::directory || mirror_dir.mtime_ns >= now_ns - k_racy_window_ns)
    return;
  m_recorded[std::string(logical)] = Stamp{mirror_dir.inode, mirror_dir.mtime_ns};
}

void MirrorDirs::save(const std::string& path) const {
  if (m_recorded == m_loaded)
    return;
  std::string text = fmt::format("{}\n", k_header);
  for (const auto& [logical, stamp] : m_recorded)
    text += fmt::format("{} {} {}\n", stamp.inode, stamp.mtime_ns, logical);
  (void)replace_state_file(path, text);
}

} // namespace twin::files
