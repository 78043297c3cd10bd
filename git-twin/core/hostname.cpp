// SPDX-License-Identifier: MIT
#include "core/hostname.hpp"

namespace twin {

std::string parse_hostname(std::string_view text) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    while (!line.empty() && blank(line.front()))
      line.remove_prefix(1);
    while (!line.empty() && blank(line.back()))
      line.remove_suffix(1);
    if (!line.empty() && line.front() != '#')
      return std::string(line);
  }
  return {};
}

} // namespace twin
