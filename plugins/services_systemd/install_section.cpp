// SPDX-License-Identifier: MIT
#include "plugins/services_systemd/install_section.hpp"

#include "plugins/services_systemd/unit_name.hpp"

namespace twin::services {
namespace {

constexpr std::string_view k_whitespace = " \t\n\r";

std::string_view strip(std::string_view s) {
  std::size_t b = s.find_first_not_of(k_whitespace);
  if (b == std::string_view::npos)
    return {};
  std::size_t e = s.find_last_not_of(k_whitespace);
  return s.substr(b, e - b + 1);
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra = c < 0x80           ? 0
                        : (c >> 5) == 0x6  ? 1
                        : (c >> 4) == 0xE  ? 2
                        : (c >> 3) == 0x1E ? 3
                                           : 4;
    if (extra == 4 || i + extra >= s.size())
      return false;
    for (std::size_t k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2)
        return false;
    i += extra + 1;
  }
  return true;
}

// Splits the raw text into physical lines (\n, \r\n or \r end one).
std::vector<std::string_view> physical_lines(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' || text[i] == '\r') {
      out.push_back(text.substr(start, i - start));
      if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
        ++i;
      start = i + 1;
    }
  }
  if (start < text.size())
    out.push_back(text.substr(start));
  return out;
}

// extract_first_word(): whitespace-separated words; with `unquote`, '...' and "..." group
// and lose their quotes. Backslash escapes are kept as written. Returns false on an
// unterminated quote.
bool split_words(std::string_view value, bool unquote, std::vector<std::string>& words) {
  std::size_t i = 0;
  while (true) {
    while (i < value.size() && k_whitespace.find(value[i]) != std::string_view::npos)
      ++i;
    if (i >= value.size())
      return true;
    std::string word;
    char quote = 0;
    for (; i < value.size(); ++i) {
      char c = value[i];
      if (c == '\\' && i + 1 < value.size()) {
        word += c;
        word += value[++i];
        continue;
      }
      if (quote) {
        if (c == quote)
          quote = 0;
        else
          word += c;
        continue;
      }
      if (unquote && (c == '"' || c == '\'')) {
        quote = c;
        continue;
      }
      if (k_whitespace.find(c) != std::string_view::npos)
        break;
      word += c;
    }
    if (quote)
      return false;
    words.push_back(std::move(word));
  }
}

void parse_list(std::string_view value, std::vector<std::string>& list) {
  if (value.empty()) { // config_parse_strv: an empty assignment resets the list
    list.clear();
    return;
  }
  split_words(value, true, list); // words before a syntax error are kept
}

// unit_file_lines(), handing each line to `visit` until it returns false (then false). A line
// is a view into `text` unless continuations were joined: most files need no copy at all.
template <class Visit> bool visit_unit_file_lines(std::string_view text, Visit&& visit) {
  std::string continuation;
  bool continuing = false;
  for (std::string_view raw : physical_lines(text)) {
    std::string_view lead = raw.substr(std::min(raw.size(), raw.find_first_not_of(k_whitespace)));
    if (!lead.empty() && (lead[0] == '#' || lead[0] == ';'))
      continue;
    std::string_view line = raw;
    if (continuing) {
      continuation += raw;
      line = continuation;
    }
    bool escaped = false;
    for (char c : line)
      escaped = escaped ? false : c == '\\';
    if (escaped) {
      if (!continuing)
        continuation.assign(raw);
      continuation.back() = ' ';
      continuing = true;
      continue;
    }
    std::string_view stripped = strip(line);
    bool more = stripped.empty() || visit(stripped);
    continuing = false;
    continuation.clear();
    if (!more)
      return false;
  }
  // A continuation still open at the end of the file is dropped, as in systemd.
  return true;
}

// One logical line of a unit file for parse_install_section(); false: the file is bad.
bool parse_line(std::string_view line, std::string_view unit_name, UnitNameKind kind,
                bool& in_install, InstallSection& install) {
  if (!valid_utf8(line))
    return false;
  if (line[0] == '[') {
    if (line.back() != ']')
      return false;
    in_install = line == "[Install]";
    return true;
  }
  if (!in_install)
    return true;
  std::size_t eq = line.find('=');
  if (eq == std::string_view::npos || eq == 0)
    return true; // "Missing '='": a warning, the line is ignored
  std::string_view key = strip(line.substr(0, eq));
  std::string_view value = strip(line.substr(eq + 1));
  if (key == "Alias") {
    if (unit_type_may_alias(unit_type(unit_name)))
      parse_list(value, install.aliases);
  } else if (key == "WantedBy") {
    parse_list(value, install.wanted_by);
  } else if (key == "RequiredBy") {
    parse_list(value, install.required_by);
  } else if (key == "UpheldBy") {
    parse_list(value, install.upheld_by);
  } else if (key == "Also") {
    std::vector<std::string> words;
    if (!split_words(value, false, words))
      return false;
    for (auto& w : words) {
      // install_info_add() refuses an invalid name, which fails the whole parse.
      if (w.find('%') == std::string::npos && !unit_name_is_valid(w))
        return false;
      install.also.push_back(std::move(w));
    }
  } else if (key == "DefaultInstance") {
    if (kind != UnitNameKind::template_)
      return true; // ignored for instances (silently) and plain units (with a warning)
    if (value.empty()) {
      install.default_instance.reset();
      return true;
    }
    if (value.find('%') == std::string_view::npos && !unit_instance_is_valid(value))
      return false;
    install.default_instance = std::string(value);
  }
  return true;
}

} // namespace

std::vector<std::string> unit_file_lines(std::string_view text) {
  std::vector<std::string> out;
  visit_unit_file_lines(text, [&](std::string_view line) {
    out.emplace_back(line);
    return true;
  });
  return out;
}

bool parse_install_section(std::string_view text, std::string_view unit_name,
                           InstallSection& install) {
  bool in_install = false;
  UnitNameKind kind = classify_unit_name(unit_name);
  return visit_unit_file_lines(text, [&](std::string_view line) {
    return parse_line(line, unit_name, kind, in_install, install);
  });
}

} // namespace twin::services
