// SPDX-License-Identifier: MIT
// The strict YAML reader, which every state file from a pull request goes through.
// Checks: errors name the source; the fast block reader, when it accepts a text, gives what
// yaml-cpp gives (value and marks); what the emitter writes for a parsed document reads
// back as the same document.
#include "targets/same_tree.hpp"
#include "targets/targets.hpp"

#include "core/yaml_block_reader.hpp"
#include "core/yaml_emitter.hpp"
#include "core/yaml_reader.hpp"

namespace twin_fuzz {

void yaml_reader(std::string_view input) {
  auto doc = twin::parse_yaml(input, "state/fuzz.yaml");
  if (!doc) {
    FUZZ_CHECK(doc.error().message.starts_with("state/fuzz.yaml"));
    return;
  }
  if (auto fast = twin::parse_block_yaml(input)) {
    auto full = twin::parse_yaml_full(input, "state/fuzz.yaml");
    FUZZ_CHECK(full);
    FUZZ_CHECK(same_tree(*fast, *full, true));
  }
  std::string emitted = twin::emit_yaml(*doc);
  auto again = twin::parse_yaml(emitted, "emitted");
  FUZZ_CHECK(again);
  FUZZ_CHECK(same_tree(*doc, *again, false));
}

} // namespace twin_fuzz
