// SPDX-License-Identifier: MIT
// What /etc/hostname names, as hostname(5) reads it. Shared by system.info, which records
// it, and machine_check, which compares a root with what was recorded: both must read the
// file the same way.
#pragma once

#include <string>
#include <string_view>

namespace twin {

/// The first line of a hostname file, trimmed; comments and blank lines skipped.
std::string parse_hostname(std::string_view text);

} // namespace twin
