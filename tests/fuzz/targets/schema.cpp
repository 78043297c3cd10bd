// SPDX-License-Identifier: MIT
// The checks every state document goes through before anything plans from it (validate,
// pre-commit, plan): conflict markers, the strict reader, the plugin's JSON Schema, then
// its semantic rules, for every plugin that has desired state.
// Checks: every problem names the file; a document that passes is still accepted after the
// emitter rewrites it (snapshot and adopt write state/ back in canonical form).
#include "targets/targets.hpp"

#include <stdlib.h>

#include <filesystem>
#include <string>

#include "core/config.hpp"
#include "core/snapshot.hpp"
#include "core/work_tree.hpp"
#include "core/yaml_emitter.hpp"
#include "plugins/registry.hpp"

namespace twin_fuzz {
namespace {

// An empty work tree for the semantic checks (a twin_path that names no file is one of
// their findings), made once and removed when the fuzzer exits.
struct EmptyWorkTree {
  std::string dir;
  twin::WorkTree tree;
  ~EmptyWorkTree() { std::filesystem::remove_all(dir); }
};

const twin::WorkTree& empty_work_tree() {
  static const EmptyWorkTree empty = [] {
    std::string dir = std::filesystem::temp_directory_path() / "twin-fuzz-XXXXXX";
    FUZZ_CHECK(::mkdtemp(dir.data()) != nullptr);
    auto tree = twin::WorkTree::open(dir);
    FUZZ_CHECK(tree);
    return EmptyWorkTree{dir, std::move(*tree)};
  }();
  return empty.tree;
}

} // namespace

void schema(std::string_view input) {
  twin::Config config;
  config.root.clear(); // documents only: the fuzzer must not depend on this machine
  for (const twin::Plugin* plugin : twin::plugins::all()) {
    if (!plugin->state_schema())
      continue;
    twin::Value parsed;
    auto errors = twin::check_state_document(*plugin, "state/fuzz.yaml", input, config,
                                             empty_work_tree(), &parsed);
    for (const auto& error : errors)
      FUZZ_CHECK(error.starts_with("state/fuzz.yaml"));
    if (errors.empty())
      FUZZ_CHECK(twin::check_state_document(*plugin, "state/fuzz.yaml", twin::emit_yaml(parsed),
                                            config, empty_work_tree())
                     .empty());
  }
}

} // namespace twin_fuzz
