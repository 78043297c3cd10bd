// SPDX-License-Identifier: MIT
// check_state_document: schema, then semantics, and the memo of texts that passed the
// schema (<git-dir>/twin/schema-valid), which must never let another text through.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/snapshot.hpp"
#include "core/work_tree.hpp"
#include "plugins/files_mirror/files_plugin.hpp"

using namespace twin;
namespace fs = std::filesystem;

namespace {

struct Twin {
  fs::path dir;
  Twin() {
    char tmpl[] = "/tmp/twin-state-check-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    fs::create_directories(dir / ".git" / "twin");
  }
  ~Twin() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string git_dir() const { return (dir / ".git").string(); }
};

const char* k_valid = "files:\n  - path: /etc\n    type: directory\n    mode: \"0755\"\n";
const char* k_bad_mode = "files:\n  - path: /etc\n    type: directory\n    mode: \"0999\"\n";

} // namespace

TEST_CASE("a text that passed the schema before does not let a different text through",
          "[state_check]") {
  Twin twin;
  auto tree = WorkTree::open(twin.dir.string());
  REQUIRE(tree);
  files::FilesMirror plugin;
  Config config;
  auto first = check_state_document(plugin, "state/files.yaml", k_valid, config, *tree, nullptr,
                                    twin.git_dir());
  CHECK(first.empty());
  CHECK(fs::exists(twin.dir / ".git" / "twin" / "schema-valid"));
  // The same text again: remembered, still valid.
  CHECK(check_state_document(plugin, "state/files.yaml", k_valid, config, *tree, nullptr,
                             twin.git_dir())
            .empty());
  // Another text with the memo in place: validated for real, and refused.
  auto second = check_state_document(plugin, "state/files.yaml", k_bad_mode, config, *tree, nullptr,
                                     twin.git_dir());
  REQUIRE(second.size() == 1);
  CHECK(second[0].find("state/files.yaml:4:11: /files/0/mode:") == 0);
}

TEST_CASE("semantic rules still run for a remembered text", "[state_check]") {
  Twin twin;
  auto tree = WorkTree::open(twin.dir.string());
  REQUIRE(tree);
  files::FilesMirror plugin;
  Config config; // filesystem_roots: [/etc]
  const char* outside = "files:\n  - path: /usr/x\n    type: directory\n";
  // First run: schema passes (remembered), the path is outside the roots.
  auto first = check_state_document(plugin, "state/files.yaml", outside, config, *tree, nullptr,
                                    twin.git_dir());
  REQUIRE(first.size() == 1);
  CHECK(first[0].find("outside filesystem_roots") != std::string::npos);
  // Second run: the schema memo hits, the semantic check must still refuse it.
  auto second = check_state_document(plugin, "state/files.yaml", outside, config, *tree, nullptr,
                                     twin.git_dir());
  REQUIRE(second.size() == 1);
  CHECK(second[0] == first[0]);
}

TEST_CASE("a desired file over snapshot.max_file_size_mb is refused", "[state_check]") {
  Twin twin;
  fs::create_directories(twin.dir / "filesystem" / "etc");
  {
    std::FILE* f = std::fopen((twin.dir / "filesystem/etc/huge.bin").c_str(), "w");
    REQUIRE(f != nullptr);
    std::string chunk(1024, 'H');
    for (int i = 0; i < 1025; ++i) // 1 KiB over 1 MB
      std::fwrite(chunk.data(), 1, chunk.size(), f);
    std::fclose(f);
  }
  auto tree = WorkTree::open(twin.dir.string());
  REQUIRE(tree);
  files::FilesMirror plugin;
  Config config; // max_file_size_mb: 1
  const char* huge =
      "files:\n  - path: /etc/huge.bin\n    type: file\n    twin_path: filesystem/etc/huge.bin\n";
  auto problems = check_state_document(plugin, "state/files.yaml", huge, config, *tree, nullptr,
                                       twin.git_dir());
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find("state/files.yaml:4:16: /files/0/twin_path:") == 0);
  CHECK(problems[0].find("over snapshot.max_file_size_mb") != std::string::npos);
  config.max_file_size_mb = 2;
  CHECK(
      check_state_document(plugin, "state/files.yaml", huge, config, *tree, nullptr, twin.git_dir())
          .empty());
}

TEST_CASE("an owner or group that looks like an option is refused", "[state_check]") {
  Twin twin;
  auto tree = WorkTree::open(twin.dir.string());
  REQUIRE(tree);
  files::FilesMirror plugin;
  Config config;
  for (const char* name : {"--reference=/etc/shadow", "-r", "a b", "root;id", "../x"}) {
    std::string text =
        std::string("files:\n  - path: /etc\n    type: directory\n    owner: \"") + name + "\"\n";
    auto problems = check_state_document(plugin, "state/files.yaml", text, config, *tree, nullptr,
                                         twin.git_dir());
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].find("state/files.yaml:4:12: /files/0/owner:") == 0);
  }
  for (const char* name : {"root", "www-data", "1000", "_apt", "Debian-exim", "mach$"}) {
    std::string text =
        std::string("files:\n  - path: /etc\n    type: directory\n    owner: \"") + name + "\"\n";
    CHECK(check_state_document(plugin, "state/files.yaml", text, config, *tree, nullptr,
                               twin.git_dir())
              .empty());
  }
}
