// SPDX-License-Identifier: MIT
// Value: the in-memory form of every YAML document git-twin reads or writes.
//
// A typed tree (null, bool, integer, real, string, list, map) where every node remembers
// where it came from (Mark), so schema and semantic errors can name file:line:col. Maps keep
// their keys sorted (std::map): that is the canonical order the emitter starts from.
// Documents are parsed into Values (yaml_reader), checked (schema), turned into typed
// structs by plugins, and emitted back (yaml_emitter).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace twin {

/// A position in a source file, 1-based. line == 0 means "not from a file".
struct Mark {
  int line = 0;
  int column = 0;
};

class Value {
public:
  using List = std::vector<Value>;
  using Map = std::map<std::string, Value, std::less<>>;
  enum class Type { null, boolean, integer, real, string, list, map };

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : m_data(b) {}
  Value(int i) : m_data(std::int64_t{i}) {}
  Value(std::int64_t i) : m_data(i) {}
  Value(double d) : m_data(d) {}
  Value(const char* s) : m_data(std::string(s)) {}
  Value(std::string s) : m_data(std::move(s)) {}
  Value(std::string_view s) : m_data(std::string(s)) {}
  Value(List l) : m_data(std::move(l)) {}
  Value(Map m) : m_data(std::move(m)) {}

  static Value list() { return Value(List{}); }
  static Value map() { return Value(Map{}); }

  Type type() const { return static_cast<Type>(m_data.index()); }
  bool is_null() const { return type() == Type::null; }
  bool is_bool() const { return type() == Type::boolean; }
  bool is_int() const { return type() == Type::integer; }
  bool is_real() const { return type() == Type::real; }
  bool is_string() const { return type() == Type::string; }
  bool is_list() const { return type() == Type::list; }
  bool is_map() const { return type() == Type::map; }

  // Accessors: the caller checks the type first (schema validation guarantees it for
  // documents that passed); a wrong type is a programming error (std::bad_variant_access).
  bool as_bool() const { return std::get<bool>(m_data); }
  std::int64_t as_int() const { return std::get<std::int64_t>(m_data); }
  double as_real() const { return std::get<double>(m_data); }
  const std::string& as_string() const { return std::get<std::string>(m_data); }
  const List& as_list() const { return std::get<List>(m_data); }
  List& as_list() { return std::get<List>(m_data); }
  const Map& as_map() const { return std::get<Map>(m_data); }
  Map& as_map() { return std::get<Map>(m_data); }

  /// Map lookup; nullptr when this is not a map or the key is absent.
  const Value* find(std::string_view key) const;
  /// The string at key, or `fallback` when absent or not a string.
  std::string get_string(std::string_view key, std::string_view fallback = {}) const;
  /// Map insert-or-assign; turns a null Value into a map first.
  Value& operator[](std::string_view key);
  /// List append; turns a null Value into a list first.
  Value& push_back(Value v);

  /// Structural equality; marks are ignored.
  friend bool operator==(const Value& a, const Value& b) { return a.m_data == b.m_data; }

  /// The node at an RFC 6901 JSON pointer ("/files/3/mode"), or nullptr.
  const Value* at_pointer(std::string_view pointer) const;

  /// Type name for messages: "string", "map", ...
  static std::string_view type_name(Type t);

  Mark mark;

private:
  std::variant<std::monostate, bool, std::int64_t, double, std::string, List, Map> m_data;
};

/// Escapes one JSON pointer token ("~" -> "~0", "/" -> "~1").
std::string pointer_token(std::string_view token);

} // namespace twin
