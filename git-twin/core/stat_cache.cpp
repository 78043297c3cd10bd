// SPDX-License-Identifier: MIT
#include "core/stat_cache.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>

namespace twin {
namespace {

// Format: a header line, then per entry "<path>\0<8 fields>\n". Paths cannot hold NUL;
// the fields are numbers and a hex digest.
constexpr std::string_view k_magic = "git-twin files cache 1";

std::string read_whole(const std::string& path) {
  std::string out;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return out;
  char buffer[65536];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0)
    out.append(buffer, static_cast<size_t>(n));
  close(fd);
  return out;
}

} // namespace

StatCache StatCache::empty(std::uint64_t max_file_size) {
  StatCache cache;
  cache.m_max_file_size = max_file_size;
  return cache;
}

StatCache StatCache::load(const std::string& path, std::uint64_t max_file_size) {
  StatCache cache;
  cache.m_max_file_size = max_file_size;
  std::string text = read_whole(path);
  std::string header = fmt::format("{} {}\n", k_magic, max_file_size);
  if (text.compare(0, header.size(), header) != 0)
    return cache;
  size_t pos = header.size();
  while (pos < text.size()) {
    size_t nul = text.find('\0', pos);
    size_t eol = nul == std::string::npos ? nul : text.find('\n', nul);
    if (eol == std::string::npos)
      return empty(max_file_size); // truncated: trust nothing
    std::string logical = text.substr(pos, nul - pos);
    CacheEntry e;
    // Seven space-separated fields; parsed by hand (sscanf is a third of a no-change run).
    std::string_view fields(text.data() + nul + 1, eol - nul - 1);
    auto next = [&fields]() {
      std::size_t space = fields.find(' ');
      std::string_view field = fields.substr(0, space);
      fields = space == std::string_view::npos ? std::string_view{} : fields.substr(space + 1);
      return field;
    };
    auto number = [](std::string_view f, auto& out) {
      auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), out);
      return ec == std::errc() && p == f.data() + f.size() && !f.empty();
    };
    bool ok = number(next(), e.inode) && number(next(), e.size) && number(next(), e.mtime_ns) &&
              number(next(), e.ctime_ns);
    std::string_view digest = next();
    ok = ok && digest.size() == 64 && number(next(), e.copy_inode) &&
         number(next(), e.copy_mtime_ns) && fields.empty();
    if (!ok)
      return empty(max_file_size);
    e.sha256 = std::string(digest);
    cache.m_entries.emplace(std::move(logical), std::move(e));
    pos = eol + 1;
  }
  cache.m_loaded_text = std::move(text);
  return cache;
}

void StatCache::save(const std::string& path, std::int64_t now_ns) const {
  std::string text = fmt::format("{} {}\n", k_magic, m_max_file_size);
  constexpr std::int64_t racy_window_ns = 2'000'000'000;
  // Sorted, so that the same entries always give the same text (see m_loaded_text).
  std::vector<const std::pair<const std::string, CacheEntry>*> sorted;
  sorted.reserve(m_next.size());
  for (const auto& item : m_next)
    sorted.push_back(&item);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
  for (const auto* item : sorted) {
    const auto& [logical, e] = *item;
    if (e.mtime_ns >= now_ns - racy_window_ns || e.ctime_ns >= now_ns - racy_window_ns)
      continue;
    text += logical;
    text += '\0';
    text += fmt::format("{} {} {} {} {} {} {}\n", e.inode, e.size, e.mtime_ns, e.ctime_ns, e.sha256,
                        e.copy_inode, e.copy_mtime_ns);
  }
  if (text == m_loaded_text)
    return; // nothing changed: a no-change snapshot writes nothing
  std::string temp = path + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  if (!ok || rename(temp.c_str(), path.c_str()) != 0)
    unlink(temp.c_str());
}

const CacheEntry* StatCache::lookup(const std::string& logical, const FileStat& source,
                                    const FileStat* copy, bool check_copy) const {
  auto it = m_entries.find(logical);
  if (it == m_entries.end())
    return nullptr;
  const CacheEntry& e = it->second;
  if (e.inode != source.inode || e.size != source.size || e.mtime_ns != source.mtime_ns ||
      e.ctime_ns != source.ctime_ns)
    return nullptr;
  if (!check_copy)
    return &e;
  if (!copy || e.copy_inode != copy->inode || e.copy_mtime_ns != copy->mtime_ns ||
      copy->size != source.size || copy->type != FileType::file)
    return nullptr;
  return &e;
}

} // namespace twin
