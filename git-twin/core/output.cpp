// SPDX-License-Identifier: MIT
#include "core/output.hpp"

#include <cstdio>
#include <cstdlib>
#include <unistd.h>

#include <fmt/format.h>

namespace twin {
namespace {

bool use_colour() {
  static const bool colour = isatty(STDERR_FILENO) && !std::getenv("NO_COLOR");
  return colour;
}

void print(std::string_view prefix, std::string_view colour, std::string_view message) {
  // Multi-line messages keep the prefix on the first line only, like git.
  if (use_colour())
    fmt::print(stderr, "\033[{}m{}\033[m{}\n", colour, prefix, message);
  else
    fmt::print(stderr, "{}{}\n", prefix, message);
}

} // namespace

void print_error(std::string_view message) {
  print("error: ", "1;31", message);
}
void print_warning(std::string_view message) {
  print("warning: ", "1;33", message);
}
void print_hint(std::string_view message) {
  print("hint: ", "33", message);
}

} // namespace twin
