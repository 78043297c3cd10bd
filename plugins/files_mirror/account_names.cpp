// SPDX-License-Identifier: MIT
#include "plugins/files_mirror/account_names.hpp"

#include <charconv>
#include <vector>

namespace twin::files {
namespace {

std::optional<std::uint32_t> parse_id(std::string_view text) {
  std::uint32_t id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || p != text.data() + text.size() || text.empty())
    return std::nullopt;
  return id;
}

// name:x:id:... — the first entry for an id wins, as getpwuid would return it.
void parse_table(std::string_view text, std::unordered_map<std::uint32_t, std::string>& out) {
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    size_t c1 = line.find(':');
    size_t c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
    size_t c3 = c2 == std::string_view::npos ? c2 : line.find(':', c2 + 1);
    if (c3 == std::string_view::npos || c1 == 0)
      continue;
    auto id = parse_id(line.substr(c2 + 1, c3 - c2 - 1));
    if (id)
      out.emplace(*id, std::string(line.substr(0, c1)));
  }
}

std::optional<std::uint32_t> reverse(const std::unordered_map<std::uint32_t, std::string>& table,
                                     std::string_view name) {
  for (const auto& [id, n] : table)
    if (n == name)
      return id;
  return parse_id(name);
}

} // namespace

AccountNames AccountNames::parse(std::string_view passwd, std::string_view group) {
  AccountNames names;
  parse_table(passwd, names.m_users);
  parse_table(group, names.m_groups);
  return names;
}

std::string AccountNames::user(std::uint32_t uid) const {
  auto it = m_users.find(uid);
  return it == m_users.end() ? std::to_string(uid) : it->second;
}

std::string AccountNames::group(std::uint32_t gid) const {
  auto it = m_groups.find(gid);
  return it == m_groups.end() ? std::to_string(gid) : it->second;
}

std::optional<std::uint32_t> AccountNames::uid(std::string_view name) const {
  return reverse(m_users, name);
}

std::optional<std::uint32_t> AccountNames::gid(std::string_view name) const {
  return reverse(m_groups, name);
}

AccountNames AccountNames::of_root(const SystemRoot& root) {
  auto passwd = root.read_file("/etc/passwd");
  auto group = root.read_file("/etc/group");
  return parse(passwd ? *passwd : "", group ? *group : "");
}

} // namespace twin::files
