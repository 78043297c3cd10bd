// SPDX-License-Identifier: MIT
// A small git-style option parser: long options (--root DIR, --root=DIR), short ones
// (-m MSG), flags, "--" ending options, positional arguments in any position.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace twin::cli {

struct OptionSpec {
  std::string_view long_name; // without "--"
  char short_name = 0;        // 0: none
  bool takes_value = false;
};

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string, std::less<>> values;
  std::set<std::string, std::less<>> flags;

  bool flag(std::string_view name) const { return flags.count(name) > 0; }
  std::optional<std::string> value(std::string_view name) const;
};

/// Parses `args` against `specs`; an unknown option or a missing value is a usage error
/// (exit 129) naming the option and the command.
Result<Args> parse_args(std::string_view command, std::span<const std::string> args,
                        std::span<const OptionSpec> specs);

} // namespace twin::cli
