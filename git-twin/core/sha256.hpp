// SPDX-License-Identifier: MIT
// SHA-256 (OpenSSL) as lowercase hex: the content digest recorded for mirrored files.
#pragma once

#include <string>
#include <string_view>

namespace twin {

std::string sha256_hex(std::string_view data);

} // namespace twin
