// SPDX-License-Identifier: MIT
// SHA-256 (OpenSSL) as lowercase hex: content digests of files, and the fingerprints of
// observations and plans.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace twin {

std::string sha256_hex(std::string_view data);

/// The value of one hex digit (either case), -1 for any other character.
inline int hex_digit_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}
/// The digest of the parts one after the other, without joining them first.
std::string sha256_hex(std::initializer_list<std::string_view> parts);

} // namespace twin
