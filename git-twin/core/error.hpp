// SPDX-License-Identifier: MIT
// The one error idiom of git-twin.
//
// Everything below the command layer returns Result<T> (tl::expected). An Error carries a
// fully worded message (what failed and where: "state/files.yaml:3:9: /files/0/mode: ...")
// and the exit code it deserves. The only catch site is cli::run(), which prints
// "error: <message>" and exits with that code; it also turns stray exceptions (yaml-cpp,
// std::bad_alloc) into exit 1 with their text.
#pragma once

#include <string>
#include <utility>

#include <fmt/format.h>
#include <tl/expected.hpp>

namespace twin {

/// Exit codes, as DESIGN.md section 3 fixes them.
enum class ExitCode : int {
  ok = 0,
  failed = 1,  // something went wrong, or bad input
  pending = 2, // --exit-code: changes are pending
  usage = 129, // bad invocation, like git
};

struct Error {
  std::string message;
  ExitCode exit_code = ExitCode::failed;
};

template <class T> using Result = tl::expected<T, Error>;
using Status = Result<void>;

/// `return fail("cannot read '{}'", path);` builds the unexpected value of any Result.
template <class... Args>
tl::unexpected<Error> fail(fmt::format_string<Args...> format, Args&&... args) {
  return tl::unexpected(Error{fmt::format(format, std::forward<Args>(args)...)});
}

/// Usage errors exit 129, like git.
template <class... Args>
tl::unexpected<Error> usage_error(fmt::format_string<Args...> format, Args&&... args) {
  return tl::unexpected(Error{fmt::format(format, std::forward<Args>(args)...), ExitCode::usage});
}

/// Prefixes the message of a failed result with context ("config.yaml: ...").
inline Error with_context(Error error, const std::string& context) {
  error.message = context + ": " + error.message;
  return error;
}

} // namespace twin

// TRY(expr): evaluate a Result; on error return it from the enclosing function.
// GCC statement expressions keep call sites flat; this is the one macro of the idiom.
#define TWIN_TRY(expr)                                                                             \
  ({                                                                                               \
    auto&& twin_try_result_ = (expr);                                                              \
    if (!twin_try_result_)                                                                         \
      return tl::unexpected(std::move(twin_try_result_).error());                                  \
    std::move(twin_try_result_).value();                                                           \
  })
#define TWIN_CHECK(expr)                                                                           \
  do {                                                                                             \
    auto&& twin_check_result_ = (expr);                                                            \
    if (!twin_check_result_)                                                                       \
      return tl::unexpected(std::move(twin_check_result_).error());                                \
  } while (0)
