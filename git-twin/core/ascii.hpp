// SPDX-License-Identifier: MIT
// ASCII case folding for matching keywords in logs (locale-independent; bytes above 0x7f
// are kept as they are).
#pragma once

#include <string>
#include <string_view>

namespace twin {

inline std::string ascii_lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return out;
}

} // namespace twin
