// SPDX-License-Identifier: MIT
// UTF-8 decoding for the emitter (which quotes what is not printable UTF-8) and for schema
// validation (valijson counts the characters of a string and reads past its tables on
// invalid UTF-8, so it only ever sees valid text).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace twin {

/// Decodes the UTF-8 sequence at s[i]; returns its length, or 0 when it is invalid
/// (truncated, overlong, a surrogate or beyond U+10FFFF).
std::size_t decode_utf8(std::string_view s, std::size_t i, char32_t& code_point);

/// `s` with every byte that does not start a valid UTF-8 sequence replaced by U+FFFD.
std::string with_valid_utf8(std::string_view s);

} // namespace twin
