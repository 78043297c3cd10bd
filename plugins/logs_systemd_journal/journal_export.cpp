// SPDX-License-Identifier: MIT
#include "plugins/logs_systemd_journal/journal_export.hpp"

#include <charconv>
#include <ctime>

#include <fmt/format.h>

namespace twin::logs {

std::string_view JournalEntry::field(std::string_view name) const {
  auto it = fields.find(name);
  return it == fields.end() ? std::string_view() : std::string_view(it->second);
}

std::optional<int> JournalEntry::priority() const {
  std::string_view p = field("PRIORITY");
  if (p.size() != 1 || p[0] < '0' || p[0] > '7')
    return std::nullopt;
  return p[0] - '0';
}

std::uint64_t JournalEntry::realtime_us() const {
  std::string_view t = field("__REALTIME_TIMESTAMP");
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(t.data(), t.data() + t.size(), value);
  return error == std::errc() && end == t.data() + t.size() ? value : 0;
}

std::vector<JournalEntry> parse_journal_export(std::string_view text) {
  std::vector<JournalEntry> entries;
  JournalEntry current;
  std::size_t pos = 0;
  auto finish = [&] {
    if (!current.fields.empty())
      entries.push_back(std::move(current));
    current = JournalEntry{};
  };
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    std::string_view line = text.substr(pos, eol == std::string_view::npos ? eol : eol - pos);
    if (line.empty()) {
      finish();
      pos = eol == std::string_view::npos ? text.size() : eol + 1;
      continue;
    }
    std::size_t equals = line.find('=');
    if (equals != std::string_view::npos) {
      current.fields[std::string(line.substr(0, equals))] = std::string(line.substr(equals + 1));
      pos = eol == std::string_view::npos ? text.size() : eol + 1;
      continue;
    }
    // Binary field: NAME\n <u64 le size> <data> \n
    if (eol == std::string_view::npos || text.size() - (eol + 1) < 8)
      break;
    std::uint64_t size = 0;
    for (int i = 7; i >= 0; --i)
      size = (size << 8) | static_cast<unsigned char>(text[eol + 1 + static_cast<std::size_t>(i)]);
    std::size_t data = eol + 9;
    if (size > text.size() - data)
      break;
    current.fields[std::string(line)] = std::string(text.substr(data, size));
    pos = data + size;
    if (pos < text.size() && text[pos] == '\n')
      ++pos;
  }
  finish();
  return entries;
}

std::string format_journal_line(const JournalEntry& entry) {
  std::time_t seconds = static_cast<std::time_t>(entry.realtime_us() / 1000000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
  std::string_view host = entry.field("_HOSTNAME");
  std::string_view ident = entry.field("SYSLOG_IDENTIFIER");
  if (ident.empty())
    ident = entry.field("_COMM");
  if (ident.empty())
    ident = "unknown";
  std::string_view pid = entry.field("SYSLOG_PID");
  if (pid.empty())
    pid = entry.field("_PID");
  std::string line =
      fmt::format("{} {}{}", stamp, host.empty() ? "" : std::string(host) + " ", ident);
  if (!pid.empty())
    line += fmt::format("[{}]", pid);
  line += ": ";
  std::string_view message = entry.field("MESSAGE");
  while (!message.empty() && (message.back() == '\n' || message.back() == '\r'))
    message.remove_suffix(1);
  for (char c : message) {
    if (c == '\n')
      line += "\n    ";
    else if (static_cast<unsigned char>(c) < 0x20 && c != '\t')
      line += ' ';
    else
      line += c;
  }
  return line;
}

} // namespace twin::logs
