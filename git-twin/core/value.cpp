// SPDX-License-Identifier: MIT
#include "core/value.hpp"

#include <charconv>

namespace twin {

const Value* Value::find(std::string_view key) const {
  if (!is_map())
    return nullptr;
  const auto& m = as_map();
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

std::string Value::get_string(std::string_view key, std::string_view fallback) const {
  const Value* v = find(key);
  return v && v->is_string() ? v->as_string() : std::string(fallback);
}

Value& Value::operator[](std::string_view key) {
  if (is_null())
    m_data = Map{};
  auto& m = as_map();
  auto it = m.find(key);
  if (it == m.end())
    it = m.emplace(std::string(key), Value()).first;
  return it->second;
}

Value& Value::push_back(Value v) {
  if (is_null())
    m_data = List{};
  auto& l = as_list();
  l.push_back(std::move(v));
  return l.back();
}

const Value* Value::at_pointer(std::string_view pointer) const {
  const Value* node = this;
  while (!pointer.empty()) {
    if (pointer.front() != '/')
      return nullptr;
    pointer.remove_prefix(1);
    size_t end = pointer.find('/');
    std::string_view raw = pointer.substr(0, end);
    pointer = end == std::string_view::npos ? std::string_view{} : pointer.substr(end);
    std::string token;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size()) {
        token += raw[i + 1] == '1' ? '/' : '~';
        ++i;
      } else {
        token += raw[i];
      }
    }
    if (node->is_map()) {
      node = node->find(token);
    } else if (node->is_list()) {
      size_t index = 0;
      auto [p, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
      if (ec != std::errc() || p != token.data() + token.size() || index >= node->as_list().size())
        return nullptr;
      node = &node->as_list()[index];
    } else {
      return nullptr;
    }
    if (!node)
      return nullptr;
  }
  return node;
}

std::string_view Value::type_name(Type t) {
  switch (t) {
  case Type::null:
    return "null";
  case Type::boolean:
    return "boolean";
  case Type::integer:
    return "integer";
  case Type::real:
    return "number";
  case Type::string:
    return "string";
  case Type::list:
    return "list";
  case Type::map:
    return "map";
  }
  return "?";
}

std::string pointer_token(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

} // namespace twin
