// SPDX-License-Identifier: MIT
#include "core/secret_paths.hpp"

#include <algorithm>
#include <fnmatch.h>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "core/secret_scan.hpp"

namespace twin {
namespace {

constexpr std::string_view k_begin = "# >>> git-twin: generated, do not edit (config.yaml's "
                                     "`secrets` adds patterns)";
// The files found secret by mode or content. Each is matched by a line in the .gitattributes
// of its own directory (render_directory_attributes): git matches every line of a
// .gitattributes against every path it hashes below that file's directory, about 29 ns a
// line a path, so 1,006 lines at the top cost a first snapshot of 20,000 files 2 s. The
// top-level block names them in comments, which git skips when it reads the file, so that
// git-twin and the pre-commit hook know the list without reading every directory.
constexpr std::string_view k_listed = "# secret by mode or content, each matched in the "
                                      ".gitattributes of its directory:";
constexpr std::string_view k_listed_prefix = "#   ";
// Before: listed one by one here, as patterns of both trees. Still read, so that a twin
// from then keeps its list and moves it at its next snapshot.
constexpr std::string_view k_listed_old = "# secret by mode or content, listed one by one:";
constexpr std::string_view k_dir_begin = "# >>> git-twin: generated, do not edit (files found "
                                         "secret by mode or content)";
constexpr std::string_view k_end = "# <<< git-twin";
constexpr std::string_view k_crypt = "filter=twin-crypt diff=twin-crypt merge=twin-crypt";
constexpr std::string_view k_trees[] = {"filesystem", "live/filesystem"};

std::vector<std::string_view> components(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos)
      slash = path.size();
    if (slash > start)
      out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

// Pattern components from `p` on against path components from `i` on. A pattern that
// runs out first matched a directory at or above the path: it covers the path.
bool match_from(const std::vector<std::string>& pattern, std::size_t p,
                const std::vector<std::string_view>& path, std::size_t i) {
  if (p == pattern.size())
    return true;
  if (pattern[p] == "**") {
    for (std::size_t skip = i; skip <= path.size(); ++skip)
      if (match_from(pattern, p + 1, path, skip))
        return true;
    return false;
  }
  if (i == path.size())
    return false;
  std::string name(path[i]);
  return fnmatch(pattern[p].c_str(), name.c_str(), 0) == 0 &&
         match_from(pattern, p + 1, path, i + 1);
}

// A literal path as a gitattributes pattern: wildcard characters escaped.
std::string escape_glob(std::string_view path) {
  std::string out;
  for (char c : path) {
    if (c == '*' || c == '?' || c == '[' || c == '\\')
      out += '\\';
    out += c;
  }
  return out;
}

std::string unescape_glob(std::string_view pattern) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\' && i + 1 < pattern.size())
      ++i;
    out += pattern[i];
  }
  return out;
}

// gitattributes reads a pattern that starts with '"' C-style (git 2.39 does): needed for
// blanks, quotes and control characters.
std::string quote_if_needed(const std::string& pattern) {
  bool plain = std::none_of(pattern.begin(), pattern.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f || c == ' ' || c == '"';
  });
  if (plain)
    return pattern;
  std::string out = "\"";
  for (char c : pattern) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\')
      out += '\\', out += c;
    else if (c == '\t')
      out += "\\t";
    else if (c == '\n')
      out += "\\n";
    else if (u < 0x20 || u == 0x7f)
      out += fmt::format("\\{:03o}", u);
    else
      out += c;
  }
  return out + "\"";
}

// The first field of a .gitattributes line, C-unquoted when it is quoted.
std::string first_field(std::string_view line) {
  if (line.empty() || line[0] != '"')
    return std::string(line.substr(0, line.find_first_of(" \t")));
  std::string out;
  for (std::size_t i = 1; i < line.size(); ++i) {
    char c = line[i];
    if (c == '"')
      break;
    if (c != '\\' || i + 1 >= line.size()) {
      out += c;
      continue;
    }
    char e = line[++i];
    if (e == 't')
      out += '\t';
    else if (e == 'n')
      out += '\n';
    else if (e >= '0' && e <= '7' && i + 2 < line.size()) {
      out += static_cast<char>((e - '0') * 64 + (line[i + 1] - '0') * 8 + (line[i + 2] - '0'));
      i += 2;
    } else
      out += e;
  }
  return out;
}

std::string crypt_line(const std::string& pattern) {
  return fmt::format("{} {}\n", quote_if_needed(pattern), k_crypt);
}

// `text` with the block that starts with the line `begin` (and ends with k_end) replaced by
// `block`; a missing block is appended, an empty `block` removes it.
std::string replace_block(std::string_view text, std::string_view begin_line,
                          const std::string& block) {
  std::size_t begin = text.find(begin_line);
  std::size_t end = begin == text.npos ? text.npos : text.find(k_end, begin);
  if (begin == text.npos || end == text.npos) {
    std::string out(text);
    if (!out.empty() && out.back() != '\n' && !block.empty())
      out += '\n';
    return out + block;
  }
  std::size_t after = text.find('\n', end);
  after = after == text.npos ? text.size() : after + 1;
  return std::string(text.substr(0, begin)) + block + std::string(text.substr(after));
}

} // namespace

const std::vector<std::string>& default_secret_patterns() {
  static const std::vector<std::string> patterns = {
      "/etc/shadow",
      "/etc/shadow-",
      "/etc/gshadow",
      "/etc/gshadow-",
      "/etc/security/opasswd",
      "/etc/ssh/ssh_host_*_key",
      "**/.ssh/id_rsa",
      "**/.ssh/id_dsa",
      "**/.ssh/id_ecdsa",
      "**/.ssh/id_ed25519",
      "**/.ssh/id_ecdsa_sk",
      "**/.ssh/id_ed25519_sk",
      "/etc/ssl/private",
      "/etc/NetworkManager/system-connections",
      "/etc/wpa_supplicant/*.conf",
      "/etc/ppp/*-secrets",
      "**/secrets.yaml",
  };
  return patterns;
}

bool check_secret_pattern(std::string_view pattern, std::string& why) {
  if (pattern.substr(0, 1) != "/" && pattern.substr(0, 3) != "**/") {
    why = "a secret pattern starts with '/' or '**/'";
    return false;
  }
  if (pattern.size() > 1 && pattern.back() == '/') {
    why = "a secret pattern does not end with '/' (a directory is covered whole without it)";
    return false;
  }
  for (std::string_view c : components(pattern))
    if (c == "." || c == "..") {
      why = "a secret pattern has no '.' or '..' components";
      return false;
    }
  if (pattern.find("//") != std::string_view::npos) {
    why = "a secret pattern has no empty components ('//')";
    return false;
  }
  return true;
}

bool is_private_mode(std::string_view mode) {
  if (mode.empty())
    return false;
  unsigned value = 0;
  for (char c : mode) {
    if (c < '0' || c > '7')
      return false;
    value = value * 8 + static_cast<unsigned>(c - '0');
  }
  return (value & 077) == 0;
}

SecretPatterns::SecretPatterns(const std::vector<std::string>& extra)
    : m_patterns(default_secret_patterns()) {
  for (const auto& p : extra)
    if (std::find(m_patterns.begin(), m_patterns.end(), p) == m_patterns.end())
      m_patterns.push_back(p);
  for (const auto& pattern : m_patterns) {
    Compiled& c = m_compiled.emplace_back();
    for (std::string_view part : components(pattern))
      c.components.emplace_back(part);
    // "/etc/ssh/ssh_host_*_key" -> "/etc/ssh/ssh_host_"; "**/.ssh/id_rsa" -> "/.ssh/id_rsa".
    std::string_view rest = pattern;
    if (rest.substr(0, 2) == "**")
      rest.remove_prefix(2);
    c.literal = std::string(rest.substr(0, rest.find_first_of("*?[\\")));
  }
}

bool SecretPatterns::matches(std::string_view logical_path) const {
  std::optional<std::vector<std::string_view>> path;
  for (const auto& c : m_compiled) {
    if (logical_path.find(c.literal) == std::string_view::npos)
      continue;
    if (!path)
      path = components(logical_path);
    if (match_from(c.components, 0, *path, 0))
      return true;
  }
  return false;
}

SecretTracker::SecretTracker(SecretPatterns patterns, std::set<std::string> listed)
    : m_patterns(std::move(patterns)), m_before(std::move(listed)) {}

bool SecretTracker::must_list(const std::string& logical_path, std::string_view mode,
                              const std::string* content) const {
  // Cheapest test first: every file of every snapshot comes here, and matching the
  // patterns costs more than the other tests for all but the few files read just now.
  bool candidate = is_private_mode(mode) || m_before.count(logical_path) > 0;
  if (!candidate && !content)
    return false;
  if (m_patterns.matches(logical_path))
    return false; // a pattern line covers it
  return candidate || !find_plaintext_secrets(*content).empty();
}

std::vector<std::string> mirror_paths_of(std::string_view logical_path) {
  std::vector<std::string> out;
  for (std::string_view tree : k_trees)
    out.push_back(fmt::format("{}{}", tree, logical_path));
  return out;
}

bool must_be_encrypted(std::string_view repo_path, const SecretPatterns& patterns,
                       const std::set<std::string>& listed,
                       const std::vector<std::string>& secret_documents) {
  if (std::find(secret_documents.begin(), secret_documents.end(), repo_path) !=
      secret_documents.end())
    return true;
  for (std::string_view tree : k_trees) {
    if (repo_path.size() > tree.size() && repo_path.substr(0, tree.size()) == tree &&
        repo_path[tree.size()] == '/') {
      std::string logical(repo_path.substr(tree.size()));
      return patterns.matches(logical) || listed.count(logical) > 0;
    }
  }
  return false;
}

std::set<std::string> listed_secret_files(std::string_view text) {
  std::set<std::string> out;
  enum { outside, listed, listed_old } section = outside;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t eol = text.find('\n', start);
    std::string_view line = text.substr(start, eol == text.npos ? text.npos : eol - start);
    start = eol == text.npos ? text.size() : eol + 1;
    if (line == k_listed) {
      section = listed;
    } else if (line == k_listed_old) {
      section = listed_old;
    } else if (line == k_end) {
      section = outside;
    } else if (section == listed && line.starts_with(k_listed_prefix)) {
      out.insert(first_field(line.substr(k_listed_prefix.size())));
    } else if (section == listed_old) {
      std::string pattern = first_field(line);
      constexpr std::string_view live = "live/filesystem/";
      if (pattern.substr(0, live.size()) == live)
        out.insert(unescape_glob(pattern.substr(live.size() - 1)));
    }
  }
  return out;
}

std::string render_gitattributes(std::string_view text, const SecretPatterns& patterns,
                                 const std::set<std::string>& listed,
                                 const std::vector<std::string>& secret_documents) {
  std::string block = std::string(k_begin) + "\n";
  block += "state/*.yaml merge=twin-yaml\n";
  for (const auto& doc : secret_documents)
    block += crypt_line(escape_glob(doc));
  for (const auto& pattern : patterns.patterns())
    for (std::string_view tree : k_trees) {
      // "**/x" becomes "filesystem/**/x": git reads "**" as "any directories" only between
      // slashes.
      std::string line = fmt::format("{}{}{}", tree, pattern.front() == '/' ? "" : "/", pattern);
      block += crypt_line(line);
      if (!line.ends_with("/**"))
        block += crypt_line(line + "/**"); // a directory: what is below it
    }
  if (!listed.empty()) {
    block += std::string(k_listed) + "\n";
    for (const auto& logical : listed)
      block += fmt::format("{}{}\n", k_listed_prefix, quote_if_needed(logical));
  }
  block += std::string(k_end) + "\n";
  return replace_block(text, k_begin, block);
}

std::string render_directory_attributes(std::string_view text, const std::set<std::string>& names) {
  std::string block;
  if (!names.empty()) {
    block = std::string(k_dir_begin) + "\n";
    // Anchored with '/': a bare name would match that name in every directory below too.
    for (const auto& name : names)
      block += crypt_line("/" + escape_glob(name));
    block += std::string(k_end) + "\n";
  }
  std::string out = replace_block(text, k_dir_begin, block);
  bool blank = std::all_of(out.begin(), out.end(), [](char c) { return c == '\n'; });
  return blank ? std::string() : out;
}

std::map<std::string, std::set<std::string>>
listed_by_directory(const std::set<std::string>& listed) {
  std::map<std::string, std::set<std::string>> out;
  for (const auto& logical : listed) {
    std::size_t slash = logical.rfind('/');
    if (slash != std::string::npos)
      out[logical.substr(0, slash)].insert(logical.substr(slash + 1));
  }
  return out;
}

} // namespace twin
