// SPDX-License-Identifier: MIT
// Helpers shared by the unit tests: git and shell commands, a temporary directory removed
// at the end of a test, and whole-file reads and writes.
#pragma once

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

namespace twin_test {

/// Runs git in `dir` with a fixed identity, no hooks and no signing, whatever the user's
/// configuration; the test fails when git does. Paths in the tests hold no quotes.
inline void git(const std::filesystem::path& dir, const std::string& args) {
  std::string command = "git -C '" + dir.string() +
                        "' -c user.name=Twin -c user.email=twin@example.org"
                        " -c commit.gpgsign=false -c core.hooksPath=/dev/null"
                        " -c init.defaultBranch=main " +
                        args + " >/dev/null 2>&1";
  INFO(command);
  REQUIRE(std::system(command.c_str()) == 0);
}

/// Standard output of a shell command run in `dir` (paths in the tests hold no quotes).
inline std::string output_of(const std::filesystem::path& dir, const std::string& command) {
  std::string full = "cd '" + dir.string() + "' && " + command;
  std::string out;
  FILE* pipe = ::popen(full.c_str(), "r");
  REQUIRE(pipe);
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
    out.append(buffer, n);
  ::pclose(pipe);
  return out;
}

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

/// The text of tests/fixtures/<name>.
inline std::string fixture_text(const std::string& name) {
  return read_file(std::string(TWIN_FIXTURES_DIR) + "/" + name);
}

} // namespace twin_test
