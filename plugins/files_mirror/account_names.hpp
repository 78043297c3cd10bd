// SPDX-License-Identifier: MIT
// User and group names as the root sees them: parsed from <root>/etc/passwd and
// <root>/etc/group, never from the host's NSS (a fake root or a mounted image has its own).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/system_root.hpp"

namespace twin::files {

class AccountNames {
public:
  /// Parses passwd and group text (either may be empty). Malformed lines are skipped.
  static AccountNames parse(std::string_view passwd, std::string_view group);
  /// The root's own /etc/passwd and /etc/group (a missing or unreadable one names nobody).
  static AccountNames of_root(const SystemRoot& root);

  /// The user name, or the decimal id when the root has no such user.
  std::string user(std::uint32_t uid) const;
  std::string group(std::uint32_t gid) const;
  /// Reverse lookups (for apply): a name or a decimal id string.
  std::optional<std::uint32_t> uid(std::string_view name) const;
  std::optional<std::uint32_t> gid(std::string_view name) const;

private:
  std::unordered_map<std::uint32_t, std::string> m_users;
  std::unordered_map<std::uint32_t, std::string> m_groups;
};

} // namespace twin::files
