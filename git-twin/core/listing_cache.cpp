// SPDX-License-Identifier: MIT
#include "core/listing_cache.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "core/fs_util.hpp"

namespace twin {
namespace {

// Format: a header line, then per directory its key, inode, mtime, ctime, the number of
// names and the names, each field ended by a NUL (no path or name can hold one).
constexpr std::string_view k_header = "git-twin listings cache 1\n";

// Reads the NUL-ended field at `pos` and moves past it; false at the end of the text.
bool next_field(std::string_view text, std::size_t& pos, std::string_view& field) {
  std::size_t nul = text.find('\0', pos);
  if (nul == std::string_view::npos)
    return false;
  field = text.substr(pos, nul - pos);
  pos = nul + 1;
  return true;
}

template <class Number> bool next_number(std::string_view text, std::size_t& pos, Number& out) {
  std::string_view field;
  if (!next_field(text, pos, field) || field.empty())
    return false;
  auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), out);
  return error == std::errc() && end == field.data() + field.size();
}

} // namespace

ListingCache ListingCache::load(const std::string& path) {
  ListingCache cache;
  *cache.m_text = read_state_file(path);
  std::string_view text = *cache.m_text;
  if (text.substr(0, k_header.size()) != k_header)
    return ListingCache{};
  for (std::size_t pos = k_header.size(); pos < text.size();) {
    std::string_view key;
    Listing listing;
    std::size_t count = 0;
    if (!next_field(text, pos, key) || !next_number(text, pos, listing.inode) ||
        !next_number(text, pos, listing.mtime_ns) || !next_number(text, pos, listing.ctime_ns) ||
        !next_number(text, pos, count) || count > text.size() ||
        (!cache.m_keys.empty() && !(cache.m_keys.back() < key)))
      return ListingCache{}; // damaged or not as save() writes it: trust nothing
    listing.names.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
      std::string_view& name = listing.names[i];
      // The walker relies on what entries() gives: single names, sorted, each once.
      if (!next_field(text, pos, name) || !is_single_component(name) ||
          (i > 0 && !(listing.names[i - 1] < name)))
        return ListingCache{};
    }
    cache.m_keys.push_back(key);
    cache.m_loaded.push_back(std::move(listing));
  }
  cache.m_kept = std::make_unique<char[]>(cache.m_keys.size()); // zeroed
  return cache;
}

const std::vector<std::string_view>* ListingCache::lookup(std::string_view key,
                                                          const FileStat& dir) {
  auto it = std::lower_bound(m_keys.begin(), m_keys.end(), key);
  if (it == m_keys.end() || *it != key)
    return nullptr;
  std::size_t index = static_cast<std::size_t>(it - m_keys.begin());
  const Listing& listing = m_loaded[index];
  if (listing.inode != dir.inode || listing.mtime_ns != dir.mtime_ns ||
      listing.ctime_ns != dir.ctime_ns)
    return nullptr;
  m_kept[index] = 1;
  return &listing.names;
}

void ListingCache::record(std::string_view key, const FileStat& dir, std::int64_t listed_ns,
                          const std::vector<Dir::Entry>& entries) {
  if (dir.mtime_ns >= listed_ns - k_racy_window_ns || dir.ctime_ns >= listed_ns - k_racy_window_ns)
    return;
  Listing listing{dir.inode, dir.mtime_ns, dir.ctime_ns, {}, {}};
  listing.owned = std::make_shared<std::vector<std::string>>();
  listing.owned->reserve(entries.size());
  for (const auto& e : entries)
    listing.owned->push_back(e.name);
  listing.names.assign(listing.owned->begin(), listing.owned->end());
  m_recorded.insert_or_assign(std::string(key), std::move(listing));
}

void ListingCache::append(std::string& text, std::string_view key, const Listing& listing) {
  text += key;
  text += '\0';
  text += fmt::format("{}{}{}{}{}{}{}{}", listing.inode, '\0', listing.mtime_ns, '\0',
                      listing.ctime_ns, '\0', listing.names.size(), '\0');
  for (std::string_view name : listing.names) {
    text += name;
    text += '\0';
  }
}

void ListingCache::save(const std::string& path) const {
  bool all_kept = std::all_of(m_kept.get(), m_kept.get() + m_keys.size(), [](char k) { return k; });
  if (m_recorded.empty() && all_kept && !m_text->empty())
    return;
  std::string text(k_header);
  text.reserve(m_text->size() + 64 * m_recorded.size());
  // Both sides are sorted by key: merge them, a recorded listing replacing a loaded one.
  auto recorded = m_recorded.begin();
  for (std::size_t i = 0; i < m_keys.size(); ++i) {
    for (; recorded != m_recorded.end() && recorded->first < m_keys[i]; ++recorded)
      append(text, recorded->first, recorded->second);
    if (recorded != m_recorded.end() && recorded->first == m_keys[i]) {
      append(text, recorded->first, recorded->second);
      ++recorded;
    } else if (m_kept[i]) {
      append(text, m_keys[i], m_loaded[i]);
    }
  }
  for (; recorded != m_recorded.end(); ++recorded)
    append(text, recorded->first, recorded->second);
  if (text != *m_text)
    (void)replace_state_file(path, text);
}

} // namespace twin
