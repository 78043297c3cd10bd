// SPDX-License-Identifier: MIT
// Debian package names and versions, by Debian policy (sections 5.6.1 and 5.6.12), and
// dpkg's version order. Pure code.
//
// Names and versions come from state/packages.yaml, which may come from a pull request.
// They are checked before apt-get sees them: a name that starts with '-' would be an
// option, and anything outside policy's alphabet (spaces, ';', '$', newlines) is refused.
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"

namespace twin::packages {

/// A package name as state/ may hold it: policy's name (at least two characters of a-z,
/// 0-9, '+', '-', '.', starting with a letter or digit), optionally followed by
/// ":<architecture>" (a-z, 0-9, '-'), as dpkg and apt accept ("libc6:i386").
Status check_package_name(std::string_view name);

/// A version: [epoch:]upstream[-revision]. The epoch is digits; upstream starts with a
/// digit and holds A-Z a-z 0-9 . + ~, and '-' only when there is a revision, ':' only when
/// there is an epoch; the revision holds A-Z a-z 0-9 . + ~.
Status check_version(std::string_view version);

/// dpkg's order of two valid versions: negative, zero or positive, as dpkg
/// --compare-versions decides ('~' sorts before everything, even the end of the string).
int compare_versions(std::string_view a, std::string_view b);

/// "libc6:i386" -> "libc6"; a name without an architecture is returned as is.
std::string_view base_name(std::string_view name);

} // namespace twin::packages
