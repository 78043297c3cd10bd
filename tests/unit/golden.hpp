// SPDX-License-Identifier: MIT
// Golden files: compare a produced text byte for byte with tests/golden/<name>.
//
// When the output changes on purpose, regenerate with
//   GIT_TWIN_TEST_ACCEPT=1 build/tests/unit_tests "[golden]"
// and review the diff of tests/golden/ like any other change.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace twin::testing {

inline std::string golden_path(const std::string& name) {
  return std::string(TWIN_GOLDEN_DIR) + "/" + name;
}

inline bool accepting_golden() {
  const char* accept = std::getenv("GIT_TWIN_TEST_ACCEPT");
  return accept && std::string(accept) == "1";
}

// "line 12:\n  expected: ...\n  actual:   ..." for the first line that differs.
inline std::string first_difference(const std::string& expected, const std::string& actual) {
  std::istringstream e(expected), a(actual);
  std::string el, al;
  for (int line = 1;; ++line) {
    bool more_e = static_cast<bool>(std::getline(e, el));
    bool more_a = static_cast<bool>(std::getline(a, al));
    if (!more_e && !more_a)
      return "the texts differ only in their final newline";
    if (!more_e || !more_a || el != al)
      return "first difference at line " + std::to_string(line) +
             ":\n  expected: " + (more_e ? el : "<end of file>") +
             "\n  actual:   " + (more_a ? al : "<end of file>");
  }
}

/// Checks `actual` against tests/golden/<name>; with GIT_TWIN_TEST_ACCEPT=1 writes it
/// there instead (and warns, so an accepting run is never mistaken for a passing one).
inline void check_golden(const std::string& name, const std::string& actual) {
  const std::string path = golden_path(name);
  if (accepting_golden()) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << actual;
    REQUIRE(out.good());
    WARN("accepted golden file " << path);
    return;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in)
    FAIL("missing golden file " << path << " (run with GIT_TWIN_TEST_ACCEPT=1 to create it)");
  std::string expected(std::istreambuf_iterator<char>(in), {});
  if (expected != actual)
    FAIL_CHECK(name << " differs from the golden file (GIT_TWIN_TEST_ACCEPT=1 accepts it)\n"
                    << first_difference(expected, actual) << "\n--- actual ---\n"
                    << actual);
  else
    SUCCEED(name << " matches");
}

} // namespace twin::testing
