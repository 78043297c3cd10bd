// SPDX-License-Identifier: MIT
#include "plugins/system_info/os_release.hpp"

#include <cstdint>

namespace twin::system_info {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::optional<std::string> unquote(std::string_view v) {
  if (v.size() >= 2 && v.front() == '\'' && v.back() == '\'')
    return std::string(v.substr(1, v.size() - 2));
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
    std::string out;
    for (size_t i = 1; i + 1 < v.size(); ++i) {
      if (v[i] == '\\' && i + 2 < v.size())
        ++i;
      out += v[i];
    }
    return out;
  }
  if (v.find_first_of("\"'") != std::string_view::npos)
    return std::nullopt;
  return std::string(v);
}

} // namespace

std::map<std::string, std::string> parse_os_release(std::string_view text) {
  std::map<std::string, std::string> out;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = trim(text.substr(0, eol));
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    if (line.empty() || line.front() == '#')
      continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0)
      continue;
    if (auto value = unquote(trim(line.substr(eq + 1))))
      out[std::string(trim(line.substr(0, eq)))] = *value;
  }
  return out;
}

std::optional<std::string> elf_architecture(std::string_view h) {
  if (h.size() < 20 || h.substr(0, 4) != "\x7f"
                                         "ELF")
    return std::nullopt;
  bool little = h[5] == 1;
  auto byte = [&](size_t i) { return static_cast<std::uint8_t>(h[i]); };
  std::uint16_t machine = little ? static_cast<std::uint16_t>(byte(18) | byte(19) << 8)
                                 : static_cast<std::uint16_t>(byte(19) | byte(18) << 8);
  bool is64 = h[4] == 2;
  switch (machine) {
  case 3:
    return "i386";
  case 62:
    return "x86_64";
  case 40:
    return "arm";
  case 183:
    return "aarch64";
  case 243:
    return is64 ? "riscv64" : "riscv32";
  case 8:
    return "mips";
  case 21:
    return "ppc64";
  case 22:
    return "s390x";
  default:
    return std::nullopt;
  }
}

} // namespace twin::system_info
