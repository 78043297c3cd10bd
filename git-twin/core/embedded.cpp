// SPDX-License-Identifier: MIT
#include "core/embedded.hpp"

namespace twin {

std::string_view find_embedded(std::span<const EmbeddedFile> files, std::string_view path) {
  for (const auto& f : files)
    if (f.path == path)
      return f.data;
  return {};
}

} // namespace twin
