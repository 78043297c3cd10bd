// SPDX-License-Identifier: MIT
// Pure parsers for what system.info reads below the root.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace twin::system_info {

/// os-release(5): KEY=value lines, values optionally quoted ("..." with \" \\ \$ \` escapes,
/// or '...'); comments and malformed lines are skipped.
std::map<std::string, std::string> parse_os_release(std::string_view text);

/// The architecture named by an ELF header's e_machine ("x86_64", "aarch64", "armhf"...),
/// or nullopt when `header` is not an ELF header this knows.
std::optional<std::string> elf_architecture(std::string_view header);

} // namespace twin::system_info
