// SPDX-License-Identifier: MIT
// Canonical YAML emitter: plain string building (see yaml_emitter.hpp for the rules).
//
// Strings are either plain or double-quoted, never single-quoted or block literals: one
// quoting style keeps the output byte-stable and avoids yaml-cpp's literal-block bugs.
// Inside double quotes, control characters and the characters YAML 1.1 treats as line breaks
// are escaped (\n, \t, \r, \uNNNN); every other byte is written as it is. Callers are
// expected to pass UTF-8 text. Invalid UTF-8 bytes are never written plain, and inside
// double quotes they are written unchanged: yaml-cpp (and so parse_yaml) reads them back
// unchanged, but other YAML tools may refuse the file. YAML has no escape for a raw byte:
// "\xNN" means the code point U+00NN, which is two bytes in UTF-8.
#include "core/yaml_emitter.hpp"

#include "core/utf8.hpp"
#include "core/yaml_scalar.hpp"

#include <charconv>
#include <cmath>

namespace twin {
namespace {

// Identity keys come first, in this order, so each map item starts with what it is.
constexpr std::string_view identity_keys[] = {"name", "path", "user", "id"};

// YAML limits implicit keys to 1024 characters (yaml-cpp counts bytes); longer keys are
// written in the explicit "? key" form.
constexpr size_t max_implicit_key = 1000;

/// Words some YAML 1.1 or 1.2 reader takes as a boolean, a null or a special key, in any case.
bool is_special_word(std::string_view s) {
  if (s.size() > 5)
    return false;
  for (std::string_view word :
       {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "<<", "="})
    if (equals_ignore_case(s, word))
      return true;
  return false;
}

/// A conservative union of the YAML 1.1 and 1.2 int and float patterns (1.1: 0b101, 0644,
/// 1_000, 12:30, 1:20:30.5, 1.2.3; 1.2: 0o17, 1e3; both: 0x1F, .5, .inf, .NaN). After an
/// optional sign: .inf or .nan in any case; 0x, 0o or 0b and digits of that base or '_'; or a run
/// of [0-9_.:] starting with a digit or '.', with an optional exponent [eE][-+]?[0-9]+.
bool looks_numeric(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+'))
    s.remove_prefix(1);
  if (s.empty())
    return false;
  if (equals_ignore_case(s, ".inf") || equals_ignore_case(s, ".nan"))
    return true;
  if (s.size() > 2 && s[0] == '0' && std::string_view("xXoObB").find(s[1]) != s.npos) {
    char base = static_cast<char>(s[1] | 0x20);
    bool all = true;
    for (char c : s.substr(2))
      all =
          all && (c == '_' || (base == 'x' && is_hex_digit(c)) ||
                  (base == 'o' && c >= '0' && c <= '7') || (base == 'b' && (c == '0' || c == '1')));
    if (all)
      return true;
  }
  if (!is_digit(s[0]) && s[0] != '.')
    return false;
  size_t i = 0;
  while (i < s.size() && (is_digit(s[i]) || s[i] == '_' || s[i] == '.' || s[i] == ':'))
    ++i;
  if (i == s.size())
    return true;
  if (s[i] != 'e' && s[i] != 'E')
    return false;
  ++i;
  if (i < s.size() && (s[i] == '-' || s[i] == '+'))
    ++i;
  size_t exponent = i;
  while (i < s.size() && is_digit(s[i]))
    ++i;
  return i > exponent && i == s.size();
}

/// YAML 1.1 timestamps (2001-12-14, 2001-12-14t21:59:43.10-05:00): anything starting with
/// four digits, a dash and a digit.
bool looks_like_timestamp(std::string_view s) {
  return s.size() >= 6 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3]) &&
         s[4] == '-' && is_digit(s[5]);
}

/// Characters that must be escaped inside double quotes: C0 and C1 controls, DEL, the
/// YAML 1.1 line breaks U+2028 and U+2029, and the byte order mark.
bool needs_escape(char32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029 || c == 0xFEFF;
}

/// Valid UTF-8 with nothing that needs an escape (and no noncharacters U+FFFE, U+FFFF).
bool is_printable_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    char32_t c = 0;
    size_t length = decode_utf8(s, i, c);
    if (length == 0 || needs_escape(c) || c == 0xFFFE || c == 0xFFFF)
      return false;
    i += length;
  }
  return true;
}

void append_double_quoted(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    char32_t c = 0;
    size_t length = decode_utf8(s, i, c);
    if (length == 0) { // invalid UTF-8: the byte as it is (see the top of this file)
      out += s[i++];
      continue;
    }
    if (c == '"')
      out += "\\\"";
    else if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '\t')
      out += "\\t";
    else if (c == '\r')
      out += "\\r";
    else if (needs_escape(c)) {
      constexpr char hex[] = "0123456789ABCDEF";
      out += "\\u";
      for (int shift = 12; shift >= 0; shift -= 4)
        out += hex[(c >> shift) & 0xF];
    } else
      out.append(s.substr(i, length));
    i += length;
  }
  out += '"';
}

void append_string(std::string& out, std::string_view s) {
  if (is_safe_plain_scalar(s))
    out += s;
  else
    append_double_quoted(out, s);
}

/// Shortest round-trip form that every YAML 1.1 and 1.2 reader takes as a float: it always
/// has a '.' in the mantissa (YAML 1.1 needs one: "1e+20" would be a string there).
void append_real(std::string& out, double d) {
  if (std::isnan(d)) {
    out += ".nan";
    return;
  }
  if (std::isinf(d)) {
    out += d < 0 ? "-.inf" : ".inf";
    return;
  }
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, d);
  std::string_view text(buffer, static_cast<size_t>(end - buffer));
  size_t exponent = text.find('e');
  std::string_view mantissa = text.substr(0, exponent);
  out += mantissa;
  if (mantissa.find('.') == std::string_view::npos)
    out += ".0";
  if (exponent != std::string_view::npos)
    out += text.substr(exponent); // to_chars always signs the exponent: "e+20", "e-07"
}

/// A scalar, or an empty collection in flow style.
void append_scalar(std::string& out, const Value& v) {
  switch (v.type()) {
  case Value::Type::null:
    out += "null";
    break;
  case Value::Type::boolean:
    out += v.as_bool() ? "true" : "false";
    break;
  case Value::Type::integer: {
    char buffer[24];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v.as_int());
    out.append(buffer, end);
    break;
  }
  case Value::Type::real:
    append_real(out, v.as_real());
    break;
  case Value::Type::string:
    append_string(out, v.as_string());
    break;
  case Value::Type::list:
    out += "[]";
    break;
  case Value::Type::map:
    out += "{}";
    break;
  }
}

bool is_block(const Value& v) {
  return (v.is_map() && !v.as_map().empty()) || (v.is_list() && !v.as_list().empty());
}

void emit_list(std::string& out, const Value::List& list, size_t indent, bool continue_line);

/// The entries of a non-empty map, one per line at `indent`. With `continue_line` the first
/// entry goes on the current line, right after a list dash ("- name: x").
void emit_map(std::string& out, const Value::Map& map, size_t indent, bool continue_line) {
  bool first = true;
  auto entry = [&](const std::string& key, const Value& value) {
    if (!(first && continue_line))
      out.append(indent, ' ');
    first = false;
    size_t key_start = out.size();
    append_string(out, key);
    if (out.size() - key_start > max_implicit_key) {
      out.insert(key_start, "? ");
      out += '\n';
      out.append(indent, ' ');
    }
    out += ':';
    if (!is_block(value)) {
      out += ' ';
      append_scalar(out, value);
      out += '\n';
    } else if (value.is_map()) {
      out += '\n';
      emit_map(out, value.as_map(), indent + 2, false);
    } else {
      out += '\n';
      emit_list(out, value.as_list(), indent + 2, false);
    }
  };
  for (std::string_view key : identity_keys)
    if (auto it = map.find(key); it != map.end())
      entry(it->first, it->second);
  for (const auto& [key, value] : map) {
    bool identity = false;
    for (std::string_view id : identity_keys)
      identity = identity || key == id;
    if (!identity)
      entry(key, value);
  }
}

/// The items of a non-empty list, one "- " per line at `indent` (see emit_map).
void emit_list(std::string& out, const Value::List& list, size_t indent, bool continue_line) {
  bool first = true;
  for (const Value& item : list) {
    if (!(first && continue_line))
      out.append(indent, ' ');
    first = false;
    out += "- ";
    if (!is_block(item)) {
      append_scalar(out, item);
      out += '\n';
    } else if (item.is_map()) {
      emit_map(out, item.as_map(), indent + 2, true);
    } else {
      emit_list(out, item.as_list(), indent + 2, true);
    }
  }
}

} // namespace

std::string emit_yaml(const Value& document) {
  std::string out;
  if (!is_block(document)) {
    append_scalar(out, document);
    out += '\n';
  } else if (document.is_map()) {
    emit_map(out, document.as_map(), 0, false);
  } else {
    emit_list(out, document.as_list(), 0, false);
  }
  return out;
}

bool is_safe_plain_scalar(std::string_view s) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ' || s.back() == ':')
    return false;
  // Indicators. A leading '-', '?' or ':' followed by a non-space is plain in YAML 1.2, but
  // not every reader agrees; quote them all.
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`").find(s.front()) != std::string_view::npos)
    return false;
  // "... " at the start of a line ends the document.
  if (s.substr(0, 3) == "...")
    return false;
  if (s.find(": ") != std::string_view::npos || s.find(" #") != std::string_view::npos)
    return false;
  return is_printable_utf8(s) && !is_special_word(s) && !looks_numeric(s) &&
         !looks_like_timestamp(s);
}

} // namespace twin
