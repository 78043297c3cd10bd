// SPDX-License-Identifier: MIT
// The twin-yaml merge driver on three versions of a state document, any of which a branch
// or pull request may have written. The input is base, ours and theirs separated by lines
// "--8<--"; the merge keys are those of every built-in plugin, so packages:, files:,
// services: and cron: lists all merge by resource.
// Checks: the driver always gives an outcome; a clean structural merge is valid YAML that
// reads back as the merged document; merging a side with itself is clean and gives it back.
#include "targets/same_tree.hpp"
#include "targets/targets.hpp"

#include <fstream>
#include <iterator>

#include "core/yaml_reader.hpp"
#include "filters/merge_driver.hpp"
#include "filters/yaml_merge.hpp"
#include "plugins/registry.hpp"

namespace twin_fuzz {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// `git merge-file -p ours base theirs` for the cases with an obvious answer (one side
// unchanged, or both the same), and a conflict otherwise: no process per input.
class FakeMergeFile : public twin::Runner {
public:
  twin::Result<twin::Completed> run(const twin::Command& command) override {
    const auto& argv = command.argv;
    std::string ours = read_file(argv[argv.size() - 3]);
    std::string base = read_file(argv[argv.size() - 2]);
    std::string theirs = read_file(argv[argv.size() - 1]);
    if (base == theirs || ours == theirs)
      return twin::Completed{0, false, ours, {}};
    if (base == ours)
      return twin::Completed{0, false, theirs, {}};
    return twin::Completed{
        1, false, "<<<<<<< ours\n" + ours + "=======\n" + theirs + ">>>>>>> theirs\n", {}};
  }
};

const std::vector<twin::MergeKey>& all_merge_keys() {
  static const std::vector<twin::MergeKey> keys = [] {
    std::vector<twin::MergeKey> out;
    for (const twin::Plugin* plugin : twin::plugins::all())
      for (auto& key : plugin->merge_keys())
        out.push_back(std::move(key));
    return out;
  }();
  return keys;
}

} // namespace

void merge_driver(std::string_view input) {
  constexpr std::string_view separator = "\n--8<--\n";
  std::string_view sides[3];
  for (int i = 0; i < 2; ++i) {
    std::size_t at = input.find(separator);
    if (at == std::string_view::npos)
      return;
    sides[i] = input.substr(0, at + 1);
    input.remove_prefix(at + separator.size());
  }
  sides[2] = input;

  FakeMergeFile git;
  twin::filters::MergeInputs in{"state/fuzz.yaml", sides[0], sides[1], sides[2],
                                &all_merge_keys(), false,    {}};
  auto outcome = twin::filters::merge_contents(in, git);
  FUZZ_CHECK(outcome);

  twin::Value docs[3];
  for (int i = 0; i < 3; ++i) {
    auto doc = twin::parse_yaml(sides[i], "side");
    if (!doc)
      return;
    docs[i] = std::move(*doc);
  }
  auto merged = twin::filters::merge_yaml(docs[0], docs[1], docs[2], all_merge_keys());
  if (!merged)
    return;
  if (merged->clean()) {
    FUZZ_CHECK(!outcome->conflict);
    auto reread = twin::parse_yaml(outcome->text, "merged");
    FUZZ_CHECK(reread && same_tree(*reread, *merged->merged, false));
  } else {
    FUZZ_CHECK(outcome->conflict);
  }
  // A side merged with itself comes back, except that a resource list written as null
  // ("files:") is an empty one to the merge, and comes back as [].
  auto same = twin::filters::merge_yaml(docs[0], docs[1], docs[1], all_merge_keys());
  FUZZ_CHECK(same && same->clean());
  twin::Value expected = docs[1];
  for (const auto& key : all_merge_keys())
    if (const twin::Value* list = expected.find(key.list); list && list->is_null())
      expected[key.list] = twin::Value::list();
  FUZZ_CHECK(same_tree(*same->merged, expected, false));
}

} // namespace twin_fuzz
