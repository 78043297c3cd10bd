// SPDX-License-Identifier: MIT
#include "cli/args.hpp"

namespace twin::cli {

std::optional<std::string> Args::value(std::string_view name) const {
  auto it = values.find(name);
  return it == values.end() ? std::nullopt : std::optional<std::string>(it->second);
}

Result<Args> parse_args(std::string_view command, std::span<const std::string> args,
                        std::span<const OptionSpec> specs) {
  Args out;
  auto store = [&](const OptionSpec& spec, std::optional<std::string> inline_value,
                   size_t& i) -> Status {
    if (!spec.takes_value) {
      if (inline_value)
        return usage_error("option '--{}' takes no value", spec.long_name);
      out.flags.insert(std::string(spec.long_name));
      return {};
    }
    if (inline_value) {
      out.values[std::string(spec.long_name)] = *inline_value;
      return {};
    }
    if (i + 1 >= args.size())
      return usage_error("option '--{}' requires a value", spec.long_name);
    out.values[std::string(spec.long_name)] = args[++i];
    return {};
  };

  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      out.positional.insert(out.positional.end(), args.begin() + static_cast<long>(i) + 1,
                            args.end());
      break;
    }
    if (a.rfind("--", 0) == 0) {
      std::string name = a.substr(2);
      std::optional<std::string> inline_value;
      if (auto eq = name.find('='); eq != std::string::npos) {
        inline_value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      const OptionSpec* spec = nullptr;
      for (const auto& s : specs)
        if (s.long_name == name)
          spec = &s;
      if (!spec)
        return usage_error("unknown option '--{}' for 'git twin {}'", name, command);
      TWIN_CHECK(store(*spec, inline_value, i));
    } else if (a.size() > 1 && a[0] == '-') {
      const OptionSpec* spec = nullptr;
      for (const auto& s : specs)
        if (s.short_name && s.short_name == a[1])
          spec = &s;
      if (!spec)
        return usage_error("unknown option '{}' for 'git twin {}'", a, command);
      std::optional<std::string> inline_value;
      if (a.size() > 2)
        inline_value = a.substr(2);
      if (inline_value && !spec->takes_value)
        return usage_error("unknown option '{}' for 'git twin {}'", a, command);
      TWIN_CHECK(store(*spec, inline_value, i));
    } else {
      out.positional.push_back(a);
    }
  }
  return out;
}

} // namespace twin::cli
