// SPDX-License-Identifier: MIT
#include "plugins/services_systemd/unit_name.hpp"

#include <array>

#include <fmt/format.h>

namespace twin::services {
namespace {

constexpr std::size_t k_unit_name_max = 256; // UNIT_NAME_MAX, including the NUL

constexpr std::array<std::string_view, 11> k_unit_types = {
    "service",   "mount", "swap", "socket", "target", "device",
    "automount", "timer", "path", "slice",  "scope"};

bool valid_char(char c) { // VALID_CHARS of unit-name.c plus '@'
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
         c == '-' || c == '_' || c == '.' || c == '\\' || c == '@';
}

} // namespace

std::string_view unit_type(std::string_view name) {
  std::size_t dot = name.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
}

UnitNameKind classify_unit_name(std::string_view name) {
  if (name.empty() || name.size() >= k_unit_name_max)
    return UnitNameKind::invalid;
  std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0)
    return UnitNameKind::invalid;
  std::string_view type = name.substr(dot + 1);
  bool known = false;
  for (auto t : k_unit_types)
    known = known || t == type;
  if (!known)
    return UnitNameKind::invalid;
  std::size_t at = std::string_view::npos;
  for (std::size_t i = 0; i < dot; ++i) {
    if (name[i] == '@' && at == std::string_view::npos)
      at = i;
    if (!valid_char(name[i]))
      return UnitNameKind::invalid;
  }
  if (at == 0)
    return UnitNameKind::invalid;
  if (at == std::string_view::npos)
    return UnitNameKind::plain;
  return dot > at + 1 ? UnitNameKind::instance : UnitNameKind::template_;
}

bool unit_type_may_template(std::string_view type) {
  return type == "service" || type == "socket" || type == "target" || type == "timer" ||
         type == "path";
}

bool unit_type_may_alias(std::string_view type) {
  return type == "service" || type == "socket" || type == "target" || type == "device" ||
         type == "timer" || type == "path";
}

std::optional<std::string> unit_template_of(std::string_view name) {
  auto kind = classify_unit_name(name);
  if (kind != UnitNameKind::instance && kind != UnitNameKind::template_)
    return std::nullopt;
  std::size_t at = name.find('@');
  std::size_t dot = name.rfind('.');
  return std::string(name.substr(0, at + 1)) + std::string(name.substr(dot));
}

std::optional<std::string> unit_instance_of(std::string_view name) {
  if (classify_unit_name(name) != UnitNameKind::instance)
    return std::nullopt;
  std::size_t at = name.find('@');
  std::size_t dot = name.rfind('.');
  return std::string(name.substr(at + 1, dot - at - 1));
}

std::optional<std::string> unit_replace_instance(std::string_view name, std::string_view instance) {
  auto kind = classify_unit_name(name);
  if (kind != UnitNameKind::instance && kind != UnitNameKind::template_)
    return std::nullopt;
  std::size_t at = name.find('@');
  std::size_t dot = name.rfind('.');
  std::string out =
      std::string(name.substr(0, at + 1)) + std::string(instance) + std::string(name.substr(dot));
  if (!unit_name_is_valid(out))
    return std::nullopt;
  return out;
}

bool unit_instance_is_valid(std::string_view instance) {
  if (instance.empty())
    return false;
  for (char c : instance)
    if (!valid_char(c))
      return false;
  return true;
}

std::string check_unit_name(std::string_view name) {
  if (name.empty())
    return "a unit name must not be empty";
  for (char c : name) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ')
      return "a unit name must not contain whitespace or line breaks";
    if (c == '/')
      return "a unit name must not contain '/' (give the name, not a path)";
    if (!valid_char(c))
      return fmt::format("a unit name must not contain '{}' (systemd allows letters, digits "
                         "and :-_.\\@)",
                         c);
  }
  if (name[0] == '-' && name != "-.mount" && name != "-.slice")
    return "a unit name must not start with '-'";
  if (name.size() >= k_unit_name_max)
    return "a unit name must be shorter than 256 characters";
  if (unit_type(name).empty() || name.rfind('.') == 0)
    return "a unit name needs a type suffix such as .service or .timer";
  if (classify_unit_name(name) == UnitNameKind::invalid) {
    if (name[0] == '@')
      return "a unit name must not start with '@'";
    return fmt::format("'.{}' is not a systemd unit type (service, socket, target, timer, "
                       "path, mount, automount, swap, slice, scope, device)",
                       unit_type(name));
  }
  return {};
}

} // namespace twin::services
