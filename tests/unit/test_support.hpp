// SPDX-License-Identifier: MIT
// Helpers shared by the unit tests: a temporary directory removed at the end of a test,
// and whole-file reads and writes.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

namespace twin_test {

/// A fresh directory /tmp/twin-<tag>-test-XXXXXX, removed with everything in it.
class TempDir {
public:
  explicit TempDir(std::string_view tag = "unit") {
    std::string tmpl = "/tmp/twin-" + std::string(tag) + "-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    m_path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return m_path; }

private:
  std::filesystem::path m_path;
};

/// Replaces `path` with `content`, creating its directories.
inline void write_file(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace twin_test
