// SPDX-License-Identifier: MIT
// Unit names as systemd 252 defines them (src/basic/unit-name.c), pure.
//
// A unit name is "<prefix>.<type>" where the prefix uses [a-zA-Z0-9:_.\-] and '@', the type
// is one of systemd's unit types, the whole is shorter than 256 bytes, and an '@' (not
// first) makes a template ("getty@.service") or an instance ("getty@tty1.service").
// check_unit_name() adds git-twin's own refusals on top, for names that come from YAML and
// end up in a systemctl argv: a leading '-' (an option to a tool without "--"), except the
// real units "-.mount" and "-.slice".
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace twin::services {

enum class UnitNameKind { invalid, plain, template_, instance };

/// What systemd's unit_name_is_valid() makes of `name` (UNIT_NAME_ANY).
UnitNameKind classify_unit_name(std::string_view name);
inline bool unit_name_is_valid(std::string_view name) {
  return classify_unit_name(name) != UnitNameKind::invalid;
}

/// The type suffix ("service"); empty when there is none.
std::string_view unit_type(std::string_view name);
/// systemd's unit_type_may_template() and unit_type_may_alias().
bool unit_type_may_template(std::string_view type);
bool unit_type_may_alias(std::string_view type);

/// "foo@bar.service" -> "foo@.service"; nullopt when `name` is not an instance or template.
std::optional<std::string> unit_template_of(std::string_view name);
/// "foo@bar.service" -> "bar"; nullopt unless `name` is an instance.
std::optional<std::string> unit_instance_of(std::string_view name);
/// "foo@.service" + "bar" -> "foo@bar.service" (also replaces an instance).
std::optional<std::string> unit_replace_instance(std::string_view name, std::string_view instance);
/// systemd's unit_instance_is_valid(): non-empty, [a-zA-Z0-9:_.\-@] and '\\'.
bool unit_instance_is_valid(std::string_view instance);

/// A unit name that git-twin accepts from state/ and may pass to systemctl: systemd-valid
/// and not an option in disguise. Returns the reason when it is not ("" when it is).
std::string check_unit_name(std::string_view name);

} // namespace twin::services
