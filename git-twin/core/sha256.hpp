// SPDX-License-Identifier: MIT
// SHA-256 (OpenSSL) as lowercase hex: content digests of files, and the fingerprints of
// observations and plans.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace twin {

std::string sha256_hex(std::string_view data);
/// The digest of the parts one after the other, without joining them first.
std::string sha256_hex(std::initializer_list<std::string_view> parts);

} // namespace twin
