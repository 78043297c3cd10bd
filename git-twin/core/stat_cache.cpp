// SPDX-License-Identifier: MIT
#include "core/stat_cache.hpp"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstdint>
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
  if (text.compare(0, header.size(), header) != 0 || text.size() > UINT32_MAX)
    return empty(max_file_size);
  cache.m_starts.reserve(text.size() / 160);
  std::string_view previous;
  bool sorted = true;
  for (size_t pos = header.size(); pos < text.size();) {
    size_t nul = text.find('\0', pos);
    size_t eol = nul == std::string::npos ? nul : text.find('\n', nul);
    if (eol == std::string::npos)
      return empty(max_file_size); // truncated: trust nothing
    std::string_view logical(text.data() + pos, nul - pos);
    sorted = sorted && (cache.m_starts.empty() || previous < logical);
    cache.m_starts.push_back(static_cast<std::uint32_t>(pos));
    cache.m_lengths.push_back(static_cast<std::uint32_t>(nul - pos));
    previous = logical;
    pos = eol + 1;
  }
  if (!sorted) { // not as save() writes it (written by hand, or by an older version)
    std::stable_sort(cache.m_starts.begin(), cache.m_starts.end(),
                     [&](std::uint32_t a, std::uint32_t b) {
                       return std::string_view(text.data() + a) < std::string_view(text.data() + b);
                     });
    for (std::size_t i = 0; i < cache.m_starts.size(); ++i)
      cache.m_lengths[i] =
          static_cast<std::uint32_t>(std::string_view(text.data() + cache.m_starts[i]).size());
  }
  cache.m_kept.assign(cache.m_starts.size(), 0);
  cache.m_slot.assign(cache.m_starts.size(), -1);
  return cache;
}

std::string_view StatCache::path_at(std::size_t index) const {
  return std::string_view(m_loaded_text->data() + m_starts[index], m_lengths[index]);
}

std::size_t StatCache::find(std::string_view logical) const {
  std::size_t low = 0, high = m_starts.size();
  while (low < high) {
    std::size_t mid = low + (high - low) / 2;
    if (path_at(mid) < logical)
      low = mid + 1;
    else
      high = mid;
  }
  return low < m_starts.size() && path_at(low) == logical ? low : std::string_view::npos;
}

const CacheEntry* StatCache::parsed(std::size_t index) {
  if (m_slot[index] >= 0) {
    const auto& known = m_parsed[static_cast<std::size_t>(m_slot[index])];
    return known ? &*known : nullptr;
  }
  const std::string& text = *m_loaded_text;
  std::size_t nul = m_starts[index] + path_at(index).size();
  std::size_t eol = text.find('\n', nul);
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
  m_slot[index] = static_cast<std::int32_t>(m_parsed.size());
  std::optional<CacheEntry>& e = m_parsed.emplace_back(CacheEntry{});
  bool ok = number(next(), e->inode) && number(next(), e->size) && number(next(), e->mtime_ns) &&
            number(next(), e->ctime_ns);
  std::string_view digest = next();
  ok = ok && digest.size() == 64 && number(next(), e->copy_inode) &&
       number(next(), e->copy_mtime_ns) && fields.empty();
  if (!ok) {
    e.reset(); // a damaged line is a miss
    return nullptr;
  }
  e->sha256 = std::string(digest);
  return &*e;
}

void StatCache::record(std::string_view logical, const CacheEntry& entry, std::int64_t read_ns) {
  if (entry.mtime_ns >= read_ns - k_racy_window_ns ||
      entry.ctime_ns >= read_ns - k_racy_window_ns) {
    m_changed.erase(std::string(logical)); // not kept: read again next time
    return;
  }
  std::size_t index = find(logical);
  if (index != std::string_view::npos) {
    const CacheEntry* loaded = parsed(index);
    if (loaded && *loaded == entry) {
      m_kept[index] = 1;
      m_changed.erase(std::string(logical));
      return;
    }
  }
  m_changed.insert_or_assign(std::string(logical), entry);
}

void StatCache::save(const std::string& path, std::int64_t now_ns) const {
  // Everything recorded as it was loaded: the file would come out the same.
  bool all_kept = std::all_of(m_kept.begin(), m_kept.end(), [](char k) { return k != 0; });
  if (m_changed.empty() && all_kept && !m_loaded_text->empty())
    return;
  std::string text = fmt::format("{} {}\n", k_magic, m_max_file_size);
  text.reserve(m_loaded_text->size() + m_changed.size() * 200);
  const std::string& loaded = *m_loaded_text;
  auto append_entry = [&](std::string_view logical, const CacheEntry& e) {
    if (e.mtime_ns >= now_ns - k_racy_window_ns || e.ctime_ns >= now_ns - k_racy_window_ns)
      return;
    text += logical;
    text += '\0';
    text += fmt::format("{} {} {} {} {} {} {}\n", e.inode, e.size, e.mtime_ns, e.ctime_ns, e.sha256,
                        e.copy_inode, e.copy_mtime_ns);
  };
  // Both sides are sorted by path: merge them, kept loaded lines copied as they are (they
  // were written from entries that were not racy then, and are not now).
  auto changed = m_changed.begin();
  for (std::size_t i = 0; i < m_starts.size(); ++i) {
    std::string_view logical = path_at(i);
    for (; changed != m_changed.end() && changed->first < logical; ++changed)
      append_entry(changed->first, changed->second);
    if (changed != m_changed.end() && changed->first == logical) {
      append_entry(changed->first, changed->second);
      ++changed;
      continue;
    }
    if (!m_kept[i])
      continue;
    std::size_t end = loaded.find('\n', m_starts[i] + m_lengths[i]);
    text.append(loaded, m_starts[i], end + 1 - m_starts[i]);
  }
  for (; changed != m_changed.end(); ++changed)
    append_entry(changed->first, changed->second);
  if (text == loaded)
    return; // nothing changed: a no-change snapshot writes nothing
  (void)replace_state_file(path, text);
}

const CacheEntry* StatCache::lookup(std::string_view logical, const FileStat& source,
                                    const FileStat* copy, bool check_copy) {
  std::size_t index = find(logical);
  if (index == std::string_view::npos)
    return nullptr;
  const CacheEntry* found = parsed(index);
  if (!found)
    return nullptr;
  const CacheEntry& e = *found;
  if (e.inode != source.inode || e.size != source.size || e.mtime_ns != source.mtime_ns ||
      e.ctime_ns != source.ctime_ns)
    return nullptr;
  if (check_copy && (!copy || e.copy_inode != copy->inode || e.copy_mtime_ns != copy->mtime_ns ||
                     copy->size != source.size || copy->type != FileType::file))
    return nullptr;
  m_kept[index] = 1;
  return &e;
}

} // namespace twin
