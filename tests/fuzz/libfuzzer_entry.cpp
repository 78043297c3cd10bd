// SPDX-License-Identifier: MIT
// libFuzzer's entry point for one target, chosen at compile time (-DTWIN_FUZZ_TARGET=name):
// each fuzz executable is this file plus the targets.
#include <cstddef>
#include <cstdint>

#include "targets/targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  twin_fuzz::TWIN_FUZZ_TARGET(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
