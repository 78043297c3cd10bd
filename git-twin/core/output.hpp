// SPDX-License-Identifier: MIT
// Messages to the user, worded and prefixed like git's: "error: ", "warning: ", "hint: " on
// stderr, coloured only on a terminal and never when NO_COLOR is set.
#pragma once

#include <string_view>

namespace twin {

void print_error(std::string_view message);
void print_warning(std::string_view message);
void print_hint(std::string_view message);

} // namespace twin
