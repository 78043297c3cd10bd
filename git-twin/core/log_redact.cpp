// SPDX-License-Identifier: MIT
#include "core/log_redact.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/ascii.hpp"
#include <utility>
#include <vector>

namespace twin {
namespace {

constexpr std::string_view k_mark = "[REDACTED]";
constexpr std::string_view k_key_mark = "[REDACTED PRIVATE KEY]";

using Span = std::pair<std::size_t, std::size_t>; // [begin, end) within one line

bool is_alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}
bool is_space(char c) {
  return c == ' ' || c == '\t';
}
bool is_word(char c) {
  return is_alnum(c) || c == '_';
}
// What a bare value runs over: up to whitespace, a quote or a separator of the text around.
bool is_value_char(char c) {
  return !is_space(c) && std::string_view("\"'&,;()[]{}<>").find(c) == std::string_view::npos &&
         c != '\r';
}
bool is_token_char(char c, std::string_view extra) {
  return is_alnum(c) || extra.find(c) != std::string_view::npos;
}

// key=value, key: value, "key": "value", --key value.
void find_key_values(std::string_view line, std::string_view low, std::vector<Span>& out) {
  static constexpr std::array<std::string_view, 11> keys{
      "password", "passwd", "secret",     "token",       "api_key",    "apikey",
      "api-key",  "psk",    "access_key", "private_key", "credentials"};
  for (std::string_view key : keys) {
    for (std::size_t at = low.find(key); at != std::string_view::npos; at = low.find(key, at + 1)) {
      std::size_t i = at + key.size();
      if (i < line.size() && (is_word(line[i]) || line[i] == '-'))
        continue; // "tokens", "password_policy": another word
      bool option = at >= 2 && line.substr(at - 2, 2) == "--";
      if (i < line.size() && (line[i] == '"' || line[i] == '\''))
        ++i;
      std::size_t before_spaces = i;
      while (i < line.size() && is_space(line[i]))
        ++i;
      if (i < line.size() && (line[i] == '=' || line[i] == ':')) {
        ++i;
        while (i < line.size() && is_space(line[i]))
          ++i;
      } else if (!(option && i > before_spaces)) {
        continue; // "Failed password for root": prose, not a value
      }
      if (i < line.size() && (line[i] == '"' || line[i] == '\'')) {
        char quote = line[i++];
        std::size_t end = line.find(quote, i);
        if (end == std::string_view::npos)
          end = line.size();
        if (end > i)
          out.emplace_back(i, end);
        continue;
      }
      std::size_t end = i;
      while (end < line.size() && is_value_char(line[end]))
        ++end;
      if (end > i)
        out.emplace_back(i, end);
    }
  }
}

// scheme://user:password@host
void find_url_credentials(std::string_view line, std::vector<Span>& out) {
  for (std::size_t at = line.find("://"); at != std::string_view::npos;
       at = line.find("://", at + 3)) {
    std::size_t start = at + 3;
    std::size_t end = start;
    while (end < line.size() && !is_space(line[end]) &&
           std::string_view("/@\"'<>").find(line[end]) == std::string_view::npos)
      ++end;
    if (end >= line.size() || line[end] != '@')
      continue;
    std::size_t colon = line.find(':', start);
    if (colon != std::string_view::npos && colon + 1 < end)
      out.emplace_back(colon + 1, end);
  }
}

// "Bearer <token>", "Basic <base64>".
void find_authorization(std::string_view line, std::string_view low, std::vector<Span>& out) {
  for (std::string_view scheme :
       {std::string_view("bearer "), std::string_view("token "), std::string_view("basic ")}) {
    for (std::size_t at = low.find(scheme); at != std::string_view::npos;
         at = low.find(scheme, at + 1)) {
      if (at > 0 && is_alnum(line[at - 1]))
        continue;
      std::size_t i = at + scheme.size();
      while (i < line.size() && is_space(line[i]))
        ++i;
      std::size_t end = i;
      while (end < line.size() && is_token_char(line[end], "-._~+/="))
        ++end;
      std::string_view value = line.substr(i, end - i);
      // Prose ("basic configuration") has no digits or base64 padding, and is no header.
      bool looks_encoded = std::any_of(value.begin(), value.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) || c == '=' || c == '+' || c == '/';
      });
      bool header = low.substr(0, at).find("authorization") != std::string_view::npos;
      if (value.size() >= 8 && (scheme != "basic " || looks_encoded || header) &&
          (scheme != "token " || header))
        out.emplace_back(i, end);
    }
  }
}

struct TokenShape {
  std::string_view prefix;
  std::string_view body_chars; // besides letters and digits
  std::size_t min_body;
  std::size_t max_body;
};

void find_token_shapes(std::string_view line, std::vector<Span>& out) {
  static constexpr std::array<TokenShape, 13> shapes{{
      {"ghp_", "", 20, 255},
      {"gho_", "", 20, 255},
      {"ghu_", "", 20, 255},
      {"ghs_", "", 20, 255},
      {"ghr_", "", 20, 255},
      {"github_pat_", "_", 20, 255},
      {"glpat-", "_-", 20, 255},
      {"xoxa-", "-", 10, 255},
      {"xoxb-", "-", 10, 255},
      {"xoxp-", "-", 10, 255},
      {"xoxr-", "-", 10, 255},
      {"xoxs-", "-", 10, 255},
      {"AIza", "_-", 35, 35},
  }};
  for (std::size_t at = 0; at < line.size(); ++at) {
    if (at > 0 && is_word(line[at - 1]))
      continue;
    std::size_t scanned = at; // the end of the runs read from here
    for (const TokenShape& shape : shapes) {
      if (line.substr(at, shape.prefix.size()) != shape.prefix)
        continue;
      std::size_t end = at + shape.prefix.size();
      while (end < line.size() && is_token_char(line[end], shape.body_chars))
        ++end;
      std::size_t body = end - at - shape.prefix.size();
      if (body >= shape.min_body && body <= shape.max_body)
        out.emplace_back(at, end);
      scanned = std::max(scanned, end);
    }
    // AWS access key ids: AKIA or ASIA and 16 capitals or digits.
    if ((line.substr(at, 4) == "AKIA" || line.substr(at, 4) == "ASIA") && at + 20 <= line.size()) {
      std::string_view body = line.substr(at + 4, 16);
      bool shaped = std::all_of(body.begin(), body.end(), [](char c) {
        return std::isupper(static_cast<unsigned char>(c)) ||
               std::isdigit(static_cast<unsigned char>(c));
      });
      if (shaped && (at + 20 == line.size() || !is_alnum(line[at + 20])))
        out.emplace_back(at, at + 20);
    }
    // JSON web tokens: base64url header "eyJ..." . payload "eyJ..." . signature.
    if (line.substr(at, 3) == "eyJ") {
      std::size_t end = at;
      int dots = 0;
      while (end < line.size() && (is_token_char(line[end], "_-") || line[end] == '.')) {
        dots += line[end] == '.';
        ++end;
      }
      std::size_t second = line.find('.', at);
      if (dots == 2 && end - at >= 30 && line.substr(second + 1, 3) == "eyJ")
        out.emplace_back(at, end);
      scanned = std::max(scanned, end);
    }
    // Whatever started inside a run just read was part of it.
    if (scanned > at + 1)
      at = scanned - 1;
  }
}

std::string redact_line(std::string_view line, std::size_t& count) {
  std::vector<Span> spans;
  std::string low = ascii_lowercase(line);
  find_key_values(line, low, spans);
  find_url_credentials(line, spans);
  find_authorization(line, low, spans);
  find_token_shapes(line, spans);
  if (spans.empty())
    return std::string(line);
  std::sort(spans.begin(), spans.end());
  std::string out;
  std::size_t pos = 0;
  for (auto [begin, end] : spans) {
    if (end <= pos)
      continue; // inside a span already replaced
    begin = std::max(begin, pos);
    out.append(line.substr(pos, begin - pos));
    out.append(k_mark);
    ++count;
    pos = end;
  }
  out.append(line.substr(pos));
  return out;
}

// The [begin, end) ranges of private key blocks, BEGIN line to END line. A capture cut in
// the middle of a key (a tail starts after BEGIN, or ends before END) is cut at the text's
// edge, so no part of the key survives.
std::vector<Span> private_key_blocks(std::string_view text) {
  std::vector<Span> blocks;
  constexpr std::string_view begin_marker = "-----BEGIN ";
  constexpr std::string_view end_marker = "-----END ";
  auto is_key_marker = [&](std::size_t at, std::size_t marker_size) {
    std::size_t eol = text.find('\n', at);
    std::string_view line = text.substr(at, eol == std::string_view::npos ? eol : eol - at);
    return line.find("PRIVATE KEY", marker_size) != std::string_view::npos &&
           line.rfind("-----") > marker_size;
  };
  auto end_of_line = [&](std::size_t at) {
    std::size_t eol = text.find('\n', at);
    return eol == std::string_view::npos ? text.size() : eol;
  };
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t begin = text.find(begin_marker, pos);
    while (begin != std::string_view::npos && !is_key_marker(begin, begin_marker.size()))
      begin = text.find(begin_marker, begin + 1);
    std::size_t end = text.find(end_marker, pos);
    while (end != std::string_view::npos && !is_key_marker(end, end_marker.size()))
      end = text.find(end_marker, end + 1);
    if (begin == std::string_view::npos && end == std::string_view::npos)
      break;
    if (end != std::string_view::npos && (begin == std::string_view::npos || end < begin)) {
      blocks.emplace_back(pos, end_of_line(end)); // the tail started inside a key
      pos = end_of_line(end);
      continue;
    }
    if (end == std::string_view::npos) {
      blocks.emplace_back(begin, text.size()); // the capture ends inside a key
      break;
    }
    blocks.emplace_back(begin, end_of_line(end));
    pos = end_of_line(end);
  }
  return blocks;
}

} // namespace

Redacted redact_log_text(std::string_view text) {
  Redacted result;
  result.text.reserve(text.size());
  std::string without_keys;
  std::vector<Span> blocks = private_key_blocks(text);
  if (!blocks.empty()) {
    std::size_t pos = 0;
    for (auto [begin, end] : blocks) {
      without_keys.append(text.substr(pos, begin - pos));
      without_keys.append(k_key_mark);
      ++result.count;
      pos = end;
    }
    without_keys.append(text.substr(pos));
    text = without_keys;
  }
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t eol = text.find('\n', start);
    std::size_t end = eol == std::string_view::npos ? text.size() : eol;
    result.text += redact_line(text.substr(start, end - start), result.count);
    if (eol != std::string_view::npos)
      result.text += '\n';
    start = end + 1;
  }
  return result;
}

} // namespace twin
