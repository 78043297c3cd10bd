// SPDX-License-Identifier: MIT
#include "core/stat_cache.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

#include <fmt/format.h>

#include "core/fs_util.hpp"

namespace twin {
namespace {

// Format: a header line, then per entry "<path>\0<8 fields>\n". Paths cannot hold NUL;
// the fields are numbers and a hex digest.
constexpr std::string_view k_magic = "git-twin files cache 1";

} // namespace

StatCache StatCache::empty(std::uint64_t max_file_size) {
  StatCache cache;
  cache.m_max_file_size = max_file_size;
  return cache;
}

StatCache StatCache::load(const std::string& path, std::uint64_t max_file_size) {
  StatCache cache;
  cache.m_max_file_size = max_file_size;
  *cache.m_loaded_text = read_state_file(path);
  const std::string& text = *cache.m_loaded_text;
  std::string header = fmt::format("{} {}\n", k_magic, max_file_size);
  if (text.compare(0, header.size(), header) != 0)
    return empty(max_file_size);
  size_t pos = header.size();
  cache.m_entries.reserve(text.size() / 128);
  while (pos < text.size()) {
    size_t nul = text.find('\0', pos);
    size_t eol = nul == std::string::npos ? nul : text.find('\n', nul);
    if (eol == std::string::npos)
      return empty(max_file_size); // truncated: trust nothing
    std::string_view logical(text.data() + pos, nul - pos);
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
    cache.m_entries.emplace(logical, Loaded{std::move(e), false});
    pos = eol + 1;
  }
  return cache;
}

void StatCache::record(std::string_view logical, const CacheEntry& entry) {
  auto it = m_entries.find(logical);
  if (it != m_entries.end() && it->second.entry == entry) {
    it->second.kept = true;
    return;
  }
  m_changed.insert_or_assign(std::string(logical), entry);
}

void StatCache::save(const std::string& path, std::int64_t now_ns) const {
  // Everything recorded as it was loaded: the file would come out the same.
  bool all_kept = std::all_of(m_entries.begin(), m_entries.end(),
                              [](const auto& item) { return item.second.kept; });
  if (m_changed.empty() && all_kept && !m_loaded_text->empty())
    return;
  std::string text = fmt::format("{} {}\n", k_magic, m_max_file_size);
  // Sorted, so that the same entries always give the same text (see m_loaded_text).
  std::vector<std::pair<std::string_view, const CacheEntry*>> sorted;
  sorted.reserve(m_entries.size() + m_changed.size());
  for (const auto& [logical, loaded] : m_entries)
    if (loaded.kept && !m_changed.count(std::string(logical)))
      sorted.emplace_back(logical, &loaded.entry);
  for (const auto& [logical, e] : m_changed)
    sorted.emplace_back(logical, &e);
  std::sort(sorted.begin(), sorted.end(), [](auto& a, auto& b) { return a.first < b.first; });
  for (const auto& [logical, e] : sorted) {
    if (e->mtime_ns >= now_ns - k_racy_window_ns || e->ctime_ns >= now_ns - k_racy_window_ns)
      continue;
    text += logical;
    text += '\0';
    text += fmt::format("{} {} {} {} {} {} {}\n", e->inode, e->size, e->mtime_ns, e->ctime_ns,
                        e->sha256, e->copy_inode, e->copy_mtime_ns);
  }
  if (text == *m_loaded_text)
    return; // nothing changed: a no-change snapshot writes nothing
  (void)replace_state_file(path, text);
}

const CacheEntry* StatCache::lookup(std::string_view logical, const FileStat& source,
                                    const FileStat* copy, bool check_copy) {
  auto it = m_entries.find(logical);
  if (it == m_entries.end())
    return nullptr;
  const CacheEntry& e = it->second.entry;
  if (e.inode != source.inode || e.size != source.size || e.mtime_ns != source.mtime_ns ||
      e.ctime_ns != source.ctime_ns)
    return nullptr;
  if (check_copy && (!copy || e.copy_inode != copy->inode || e.copy_mtime_ns != copy->mtime_ns ||
                     copy->size != source.size || copy->type != FileType::file))
    return nullptr;
  it->second.kept = true;
  return &e;
}

} // namespace twin
