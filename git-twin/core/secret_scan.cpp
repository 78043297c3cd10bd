// SPDX-License-Identifier: MIT
#include "core/secret_scan.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/secret_cipher.hpp"

namespace twin {
namespace {

bool token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

std::size_t line_of(std::string_view content, std::size_t offset) {
  return 1 + static_cast<std::size_t>(std::count(content.begin(), content.begin() + offset, '\n'));
}

// A token must stand alone: no token character right before it, and exactly the token's
// length of token characters after the prefix.
void find_tokens(std::string_view content, std::vector<SecretFinding>& out) {
  struct Shape {
    std::string_view prefix;
    std::size_t length;
    bool underscore; // fine-grained tokens also use '_'
  };
  static constexpr std::array<Shape, 6> shapes{{{"ghp_", 36, false},
                                                {"gho_", 36, false},
                                                {"ghu_", 36, false},
                                                {"ghs_", 36, false},
                                                {"ghr_", 36, false},
                                                {"github_pat_", 82, true}}};
  for (std::size_t at = content.find('g'); at != std::string_view::npos;
       at = content.find('g', at + 1)) {
    if (at > 0 && (token_char(content[at - 1]) || content[at - 1] == '_'))
      continue;
    for (const Shape& shape : shapes) {
      if (content.substr(at, shape.prefix.size()) != shape.prefix)
        continue;
      std::size_t end = at + shape.prefix.size();
      while (end < content.size() &&
             (token_char(content[end]) || (shape.underscore && content[end] == '_')))
        ++end;
      if (end - at - shape.prefix.size() == shape.length)
        out.push_back({line_of(content, at), "GitHub token"});
    }
  }
}

void find_private_keys(std::string_view content, std::vector<SecretFinding>& out) {
  constexpr std::string_view begin = "-----BEGIN ";
  for (std::size_t at = content.find(begin); at != std::string_view::npos;
       at = content.find(begin, at + 1)) {
    std::size_t eol = content.find('\n', at);
    std::string_view line = content.substr(at, eol == std::string_view::npos ? eol : eol - at);
    if (line.find("PRIVATE KEY") == std::string_view::npos || line.find("-----", 11) == line.npos)
      continue;
    std::string end = "-----END " + std::string(line.substr(begin.size()));
    while (!end.empty() && (end.back() == '\r' || end.back() == ' '))
      end.pop_back();
    if (content.find(end, at + line.size()) != std::string_view::npos)
      out.push_back({line_of(content, at), "private key block"});
  }
}

} // namespace

std::vector<SecretFinding> find_plaintext_secrets(std::string_view content) {
  std::vector<SecretFinding> out;
  if (is_encrypted(content))
    return out;
  find_tokens(content, out);
  find_private_keys(content, out);
  std::sort(out.begin(), out.end(),
            [](const SecretFinding& a, const SecretFinding& b) { return a.line < b.line; });
  return out;
}

} // namespace twin
