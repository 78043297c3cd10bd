// SPDX-License-Identifier: MIT
#include "plugins/logs_files/log_lines.hpp"

#include <array>
#include <cctype>

#include "core/ascii.hpp"

namespace twin::logs {
namespace {

bool is_alpha(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0;
}

// The whitespace-delimited word after `marker`, or "".
std::string word_after(std::string_view line, std::string_view marker) {
  std::size_t at = line.find(marker);
  if (at == std::string_view::npos)
    return {};
  std::size_t start = at + marker.size();
  std::size_t end = start;
  while (end < line.size() && line[end] != ' ' && line[end] != '\t')
    ++end;
  return std::string(line.substr(start, end - start));
}

bool is_auth_failure(std::string_view line, std::string& source) {
  for (std::string_view method : {"Failed password for ", "Failed publickey for ",
                                  "Failed keyboard-interactive/pam for ", "Failed none for "}) {
    if (line.find(method) != std::string_view::npos) {
      source = word_after(line, " from ");
      if (source.empty())
        source = "local";
      return true;
    }
  }
  if (line.find("authentication failure;") != std::string_view::npos) {
    source = word_after(line, "rhost=");
    if (source.empty())
      source = "local";
    return true;
  }
  return false;
}

// nginx's "[level]": true/false when the line has one, nullopt otherwise.
int nginx_level_is_error(std::string_view line) {
  static constexpr std::array<std::string_view, 4> errors{" [error] ", " [crit] ", " [alert] ",
                                                          " [emerg] "};
  static constexpr std::array<std::string_view, 4> others{" [warn] ", " [notice] ", " [info] ",
                                                          " [debug] "};
  for (auto level : errors)
    if (line.find(level) != std::string_view::npos)
      return 1;
  for (auto level : others)
    if (line.find(level) != std::string_view::npos)
      return 0;
  return -1;
}

bool has_error_word(std::string_view line) {
  static constexpr std::array<std::string_view, 7> stems{"error", "fail",  "fatal",   "crit",
                                                         "panic", "emerg", "segfault"};
  std::string low = ascii_lowercase(line);
  for (auto stem : stems)
    for (std::size_t at = low.find(stem); at != std::string::npos; at = low.find(stem, at + 1))
      if (at == 0 || !is_alpha(low[at - 1]))
        return true;
  return low.find("out of memory") != std::string::npos;
}

} // namespace

ClassifiedLine classify_log_line(std::string_view line) {
  ClassifiedLine out;
  if (line.find("(sshd:auth): authentication failure;") != std::string_view::npos)
    return out; // repeats the "Failed password" line of the same attempt
  if (is_auth_failure(line, out.source)) {
    out.kind = LineKind::auth_failure;
    return out;
  }
  int nginx = nginx_level_is_error(line);
  if (nginx == 1 || (nginx == -1 && has_error_word(line)))
    out.kind = LineKind::error;
  return out;
}

LogScan scan_log_text(std::string_view text, std::size_t keep_errors) {
  LogScan scan;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t eol = text.find('\n', start);
    std::size_t end = eol == std::string_view::npos ? text.size() : eol;
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty())
      continue;
    ++scan.lines;
    ClassifiedLine c = classify_log_line(line);
    if (c.kind == LineKind::auth_failure) {
      ++scan.auth_failures;
      ++scan.auth_sources[c.source];
    } else if (c.kind == LineKind::error) {
      ++scan.error_lines;
      scan.last_errors.emplace_back(line);
      if (scan.last_errors.size() > keep_errors)
        scan.last_errors.erase(scan.last_errors.begin());
    }
  }
  return scan;
}

std::string last_lines(std::string_view text, std::size_t count) {
  if (count == 0)
    return {};
  std::size_t end = text.size();
  if (end > 0 && text[end - 1] == '\n')
    --end; // the final newline ends the last line, it does not start another
  std::size_t start = end;
  std::size_t seen = 0;
  while (start > 0) {
    if (text[start - 1] == '\n' && ++seen == count)
      break;
    --start;
  }
  std::string out(text.substr(start));
  if (!out.empty() && out.back() != '\n')
    out += '\n';
  return out;
}

std::string_view whole_lines(std::string_view text, bool starts_mid_file) {
  if (!starts_mid_file)
    return text;
  std::size_t eol = text.find('\n');
  return eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
}

} // namespace twin::logs
