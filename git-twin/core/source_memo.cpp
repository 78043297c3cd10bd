// SPDX-License-Identifier: MIT
#include "core/source_memo.hpp"

#include <chrono>

#include <fmt/format.h>

#include "core/fs_util.hpp"

namespace twin {
namespace {

constexpr std::string_view k_header = "twin-source-memo 1\n";

// One line per file; the memo holds the summary line, then these.
std::string file_lines(std::string_view version, std::span<const SourceFile> files) {
  std::string out = fmt::format("{}\n", version);
  for (const auto& f : files) {
    if (f.stat)
      out += fmt::format("{}\t{} {} {} {} {} {}\n", f.path, f.stat->device, f.stat->inode,
                         f.stat->size, f.stat->mtime_ns, f.stat->ctime_ns,
                         file_type_name(f.stat->type));
    else
      out += fmt::format("{}\t-\n", f.path);
  }
  return out;
}

} // namespace

bool SourceFile::operator==(const SourceFile& other) const {
  auto same = [](const FileStat& a, const FileStat& b) {
    return a.device == b.device && a.inode == b.inode && a.size == b.size &&
           a.mtime_ns == b.mtime_ns && a.ctime_ns == b.ctime_ns && a.type == b.type;
  };
  return path == other.path && stat.has_value() == other.stat.has_value() &&
         (!stat || same(*stat, *other.stat));
}

std::optional<SourceSummary> recall_source_memo(const std::string& memo_path,
                                                std::string_view version,
                                                std::span<const SourceFile> files) {
  std::string text = read_state_file(memo_path);
  if (text.compare(0, k_header.size(), k_header) != 0)
    return std::nullopt;
  std::size_t summary_end = text.find('\n', k_header.size());
  if (summary_end == std::string::npos)
    return std::nullopt;
  if (std::string_view(text).substr(summary_end + 1) != file_lines(version, files))
    return std::nullopt;
  std::string_view summary =
      std::string_view(text).substr(k_header.size(), summary_end - k_header.size());
  std::size_t space = summary.find(' ');
  if (space == std::string_view::npos)
    return std::nullopt;
  SourceSummary out;
  out.fingerprint = std::string(summary.substr(0, space));
  try {
    out.resources = std::stoull(std::string(summary.substr(space + 1)));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return out;
}

void keep_source_memo(const std::string& memo_path, std::string_view version,
                      std::span<const SourceFile> files, const SourceSummary& summary) {
  auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  for (const auto& f : files)
    if (f.stat &&
        (f.stat->mtime_ns >= now - k_racy_window_ns || f.stat->ctime_ns >= now - k_racy_window_ns))
      return;
  replace_state_file(memo_path, fmt::format("{}{} {}\n{}", k_header, summary.fingerprint,
                                            summary.resources, file_lines(version, files)));
}

} // namespace twin
