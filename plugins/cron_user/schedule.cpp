// SPDX-License-Identifier: MIT
#include "plugins/cron_user/schedule.hpp"

#include <array>
#include <charconv>
#include <optional>
#include <vector>

#include <fmt/format.h>

namespace twin::cron {
namespace {

struct Field {
  std::string_view name;
  int low, high;
  const std::array<std::string_view, 12>* names; // names[i] is low + i; nullptr: numbers only
};

constexpr std::array<std::string_view, 12> k_months = {"jan", "feb", "mar", "apr", "may", "jun",
                                                       "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 12> k_days = {"sun", "mon", "tue", "wed", "thu", "fri",
                                                     "sat", "",    "",    "",    "",    ""};
const Field k_fields[] = {{"minute", 0, 59, nullptr},
                          {"hour", 0, 23, nullptr},
                          {"day-of-month", 1, 31, nullptr},
                          {"month", 1, 12, &k_months},
                          {"day-of-week", 0, 7, &k_days}};

constexpr std::string_view k_at_words[] = {"@reboot", "@yearly", "@annually", "@monthly",
                                           "@weekly", "@daily",  "@midnight", "@hourly"};

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

std::vector<std::string_view> split_blanks(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_blank(text[i]))
      ++i;
    std::size_t start = i;
    while (i < text.size() && !is_blank(text[i]))
      ++i;
    if (i > start)
      out.push_back(text.substr(start, i - start));
  }
  return out;
}

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// A number or (for month and day of week) a three-letter name.
std::optional<int> value_of(std::string_view text, const Field& f) {
  if (text.empty())
    return std::nullopt;
  int n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec == std::errc() && p == text.data() + text.size())
    return n;
  if (!f.names || text.size() != 3)
    return std::nullopt;
  for (std::size_t i = 0; i < f.names->size(); ++i) {
    std::string_view name = (*f.names)[i];
    if (!name.empty() && lower(text[0]) == name[0] && lower(text[1]) == name[1] &&
        lower(text[2]) == name[2])
      return f.low + static_cast<int>(i);
  }
  return std::nullopt;
}

std::string bound_problem(std::string_view text, const Field& f, int& out) {
  auto v = value_of(text, f);
  if (!v)
    return text.empty() ? fmt::format("{} field: a number is missing", f.name)
                        : fmt::format("{} field: '{}' is not a number{}", f.name, text,
                                      f.names ? " or a name" : "");
  if (*v < f.low || *v > f.high)
    return fmt::format("{} field: {} is out of range {}-{}", f.name, text, f.low, f.high);
  out = *v;
  return {};
}

// One element of a list: *, *\/n, a, a-b, a-b/n.
std::string element_problem(std::string_view element, const Field& f) {
  std::string_view range = element;
  std::optional<std::string_view> step;
  if (std::size_t slash = element.find('/'); slash != std::string_view::npos) {
    range = element.substr(0, slash);
    step = element.substr(slash + 1);
  }
  if (range == "*") {
    // fine
  } else {
    std::size_t dash = range.find('-');
    int a = 0, b = 0;
    if (dash == std::string_view::npos) {
      if (auto p = bound_problem(range, f, a); !p.empty())
        return p;
      if (step)
        return fmt::format("{} field: a step needs '*' or a range before it, not '{}'", f.name,
                           element);
    } else {
      if (auto p = bound_problem(range.substr(0, dash), f, a); !p.empty())
        return p;
      if (auto p = bound_problem(range.substr(dash + 1), f, b); !p.empty())
        return p;
      if (a > b)
        return fmt::format("{} field: range {} goes backwards", f.name, range);
    }
  }
  if (step) {
    int n = 0;
    auto [p, ec] = std::from_chars(step->data(), step->data() + step->size(), n);
    if (step->empty() || ec != std::errc() || p != step->data() + step->size())
      return fmt::format("{} field: step '{}' is not a number", f.name, *step);
    if (n < 1 || n > f.high)
      return fmt::format("{} field: step {} is out of range 1-{}", f.name, n, f.high);
  }
  return {};
}

std::string field_problem(std::string_view text, const Field& f) {
  std::size_t start = 0;
  for (;;) {
    std::size_t comma = text.find(',', start);
    std::string_view element = text.substr(start, comma - start);
    if (element.empty())
      return fmt::format("{} field: empty list element in '{}'", f.name, text);
    if (auto p = element_problem(element, f); !p.empty())
      return p;
    if (comma == std::string_view::npos)
      return {};
    start = comma + 1;
  }
}

bool in_range(char c, char a, char z) {
  return c >= a && c <= z;
}

} // namespace

bool is_at_schedule(std::string_view word) {
  for (std::string_view w : k_at_words)
    if (w == word)
      return true;
  return false;
}

std::string schedule_problem(std::string_view schedule) {
  auto fields = split_blanks(schedule);
  if (fields.empty())
    return "the schedule is empty";
  if (fields.front().front() == '@') {
    if (fields.size() != 1 || !is_at_schedule(fields.front()))
      return fmt::format("'{}' is not one of @reboot, @yearly, @annually, @monthly, @weekly, "
                         "@daily, @midnight, @hourly",
                         schedule);
    return {};
  }
  if (fields.size() != 5)
    return fmt::format("a schedule has five fields (minute hour day-of-month month "
                       "day-of-week) or is an @-word; '{}' has {}",
                       schedule, fields.size());
  for (std::size_t i = 0; i < 5; ++i)
    if (auto p = field_problem(fields[i], k_fields[i]); !p.empty())
      return p;
  return {};
}

std::string normalize_schedule(std::string_view schedule) {
  std::string out;
  for (std::string_view f : split_blanks(schedule)) {
    if (!out.empty())
      out += ' ';
    out += f;
  }
  return out;
}

std::string user_name_problem(std::string_view name) {
  if (name.empty())
    return "the user name is empty";
  if (name.size() > 32)
    return fmt::format("user name '{}' is longer than 32 characters", name);
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = in_range(c, 'a', 'z') || c == '_' || (i > 0 && (in_range(c, '0', '9') || c == '-')) ||
              (i > 0 && i + 1 == name.size() && c == '$');
    if (!ok)
      return fmt::format("'{}' is not a valid user name (lowercase letters, digits, '_' and "
                         "'-', starting with a letter or '_')",
                         name);
  }
  return {};
}

std::string env_name_problem(std::string_view name) {
  bool ok = !name.empty() && !in_range(name[0], '0', '9');
  for (char c : name)
    ok =
        ok && (in_range(c, 'a', 'z') || in_range(c, 'A', 'Z') || in_range(c, '0', '9') || c == '_');
  if (!ok)
    return fmt::format("'{}' is not a valid environment variable name (letters, digits and '_', "
                       "not starting with a digit)",
                       name);
  return {};
}

} // namespace twin::cron
