// SPDX-License-Identifier: MIT
// Replays the fuzz targets' inputs in the normal build: the seed corpus
// (tests/fuzz/corpus/<target>) and every input a fuzzer once crashed on
// (tests/fuzz/regressions/<target>), so a fixed bug stays fixed without clang or libFuzzer.
// A target aborts on a failed check, which fails the test case.
#include <catch2/catch.hpp>

#include "test_support.hpp"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "targets/targets.hpp"

namespace fs = std::filesystem;

namespace {

// The files of tests/fuzz/<kind>/<target>, sorted; none when the directory is absent.
std::vector<fs::path> inputs(const char* kind, const char* target) {
  std::vector<fs::path> out;
  fs::path dir = fs::path(TWIN_FUZZ_DIR) / kind / target;
  if (fs::is_directory(dir))
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.is_regular_file())
        out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

void replay(const char* target, void (*run)(std::string_view)) {
  auto seeds = inputs("corpus", target);
  CHECK(!seeds.empty());
  auto all = seeds;
  for (auto& p : inputs("regressions", target))
    all.push_back(std::move(p));
  for (const auto& path : all) {
    INFO(path.string());
    run(twin_test::read_file(path));
  }
}

} // namespace

TEST_CASE("fuzz replay: yaml_reader", "[fuzz]") {
  replay("yaml_reader", twin_fuzz::yaml_reader);
}
TEST_CASE("fuzz replay: schema", "[fuzz]") {
  replay("schema", twin_fuzz::schema);
}
TEST_CASE("fuzz replay: dpkg_status", "[fuzz]") {
  replay("dpkg_status", twin_fuzz::dpkg_status);
}
TEST_CASE("fuzz replay: crontab", "[fuzz]") {
  replay("crontab", twin_fuzz::crontab);
}
TEST_CASE("fuzz replay: pkt_line", "[fuzz]") {
  replay("pkt_line", twin_fuzz::pkt_line);
}
TEST_CASE("fuzz replay: merge_driver", "[fuzz]") {
  replay("merge_driver", twin_fuzz::merge_driver);
}
