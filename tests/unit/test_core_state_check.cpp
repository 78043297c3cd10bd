// SPDX-License-Identifier: MIT
// check_state_document: schema, then semantics, and the memo of texts that passed the
// schema (<git-dir>/twin/schema-valid), which must never let another text through.
#include <catch2/catch.hpp>

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
