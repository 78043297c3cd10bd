// SPDX-License-Identifier: MIT
#include "core/yaml_scalar.hpp"

#include <charconv>
#include <limits>

#include <fmt/format.h>

namespace twin {
namespace {

bool all_of(std::string_view s, bool (*pred)(char)) {
  for (char c : s)
    if (!pred(c))
      return false;
  return !s.empty();
}

std::string_view without_sign(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+'))
    s.remove_prefix(1);
  return s;
}

/// YAML 1.1 booleans that YAML 1.2 reads as strings (y, yes, on, ...; any case).
bool is_yaml11_only_bool(std::string_view s) {
  if (s.size() > 3)
    return false;
  for (std::string_view word : {"y", "n", "yes", "no", "on", "off"})
    if (equals_ignore_case(s, word))
      return true;
  return false;
}

/// 0644, 007, -01: octal under YAML 1.1, decimal under YAML 1.2.
bool has_leading_zero(std::string_view s) {
  s = without_sign(s);
  return s.size() >= 2 && s[0] == '0' && all_of(s, is_digit);
}

/// The YAML 1.2 core float pattern: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool is_core_float(std::string_view s) {
  s = without_sign(s);
  size_t i = 0;
  size_t int_digits = 0;
  while (i < s.size() && is_digit(s[i]))
    ++i, ++int_digits;
  size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i]))
      ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0)
    return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+'))
      ++i;
    size_t exp_digits = 0;
    while (i < s.size() && is_digit(s[i]))
      ++i, ++exp_digits;
    if (exp_digits == 0)
      return false;
  }
  return i == s.size();
}

/// A plain scalar by the YAML 1.2 core schema, after refusing the ambiguous ones.
Value resolve_core(std::string_view s, std::string& refusal) {
  if (s.empty())
    return Value();
  char c = s[0];
  // Fast path: most scalars (names, paths, hashes) start with a letter that no null, bool
  // or number can start with.
  if (!(is_digit(c) || c == '-' || c == '+' || c == '.' || c == 't' || c == 'T' || c == 'f' ||
        c == 'F' || c == 'n' || c == 'N' || c == '~' || c == 'y' || c == 'Y' || c == 'o' ||
        c == 'O'))
    return Value(std::string(s));
  if (s == "~" || s == "null" || s == "Null" || s == "NULL")
    return Value();
  if (s == "true" || s == "True" || s == "TRUE")
    return Value(true);
  if (s == "false" || s == "False" || s == "FALSE")
    return Value(false);

  std::string_view digits = without_sign(s);
  int base = 10;
  if (all_of(digits, is_digit)) {
    if (s[0] == '-')
      digits = s; // from_chars takes '-' but not '+'
  } else if (s.size() > 2 && s[0] == '0' && s[1] == 'x' &&
             all_of(std::string_view(s).substr(2), is_hex_digit)) {
    digits = std::string_view(s).substr(2);
    base = 16;
  } else if (s.size() > 2 && s[0] == '0' && s[1] == 'o' &&
             all_of(std::string_view(s).substr(2), [](char d) { return d >= '0' && d <= '7'; })) {
    digits = std::string_view(s).substr(2);
    base = 8;
  } else {
    digits = {};
  }
  if (!digits.empty()) {
    std::int64_t i = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), i, base);
    if (ec != std::errc() || end != digits.data() + digits.size()) {
      refusal = fmt::format("integer '{}' is out of range; quote it if it is text", s);
      return Value();
    }
    return Value(i);
  }

  std::string_view unsigned_part = without_sign(s);
  bool negative = s[0] == '-';
  if (unsigned_part == ".inf" || unsigned_part == ".Inf" || unsigned_part == ".INF")
    return Value(negative ? -std::numeric_limits<double>::infinity()
                          : std::numeric_limits<double>::infinity());
  if (s == ".nan" || s == ".NaN" || s == ".NAN")
    return Value(std::numeric_limits<double>::quiet_NaN());
  if (is_core_float(s)) {
    std::string_view text = s[0] == '+' ? unsigned_part : std::string_view(s);
    double d = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
    if (ec != std::errc() || end != text.data() + text.size()) {
      refusal = fmt::format("number '{}' is out of range; quote it if it is text", s);
      return Value();
    }
    return Value(d);
  }
  return Value(std::string(s));
}

} // namespace

ResolvedScalar resolve_plain_scalar(std::string_view s, bool is_key) {
  ResolvedScalar r;
  bool boolean = is_yaml11_only_bool(s);
  if (boolean || has_leading_zero(s)) {
    r.refusal = fmt::format("'{}' is read differently by YAML 1.1 and 1.2; quote it (\"{}\"){}", s,
                            s, boolean && !is_key ? " or write true or false" : "");
    return r;
  }
  if (is_key)
    return r;
  r.value = resolve_core(s, r.refusal);
  return r;
}

} // namespace twin
