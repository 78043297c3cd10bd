// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <filesystem>

#include "core/log_capture.hpp"
#include "core/yaml_reader.hpp"
#include "test_support.hpp"

using namespace twin;
using twin_test::read_file;
using twin_test::TempDir;
using twin_test::write_file;
namespace fs = std::filesystem;

namespace {

class NoRunner final : public Runner {
public:
  Result<Completed> run(const Command&) override { return fail("no process in this test"); }
};

// A log plugin whose capture the test sets.
class FakeLogs final : public LogPlugin {
public:
  std::string text = "one\n";
  std::int64_t errors = 0;
  std::optional<std::string> unavailable;
  bool failing = false;
  std::string_view name() const override { return "logs.fake"; }
  std::string_view index_key() const override { return "fake"; }
  std::string_view summary() const override { return "a fake"; }
  std::optional<std::string> detect(const LogContext&) const override { return unavailable; }
  Result<LogCapture> dump_logs(const LogContext&) const override {
    if (failing)
      return fail("journalctl --token=abc123 timed out");
    LogCapture c;
    c.files.push_back({"fake/tail.txt", text});
    c.summary["available"] = true;
    c.summary["errors"] = errors;
    c.summary["last"] = text;
    return c;
  }
};

struct Fixture {
  TempDir dir{"logcapture"};
  NoRunner runner;
  FakeLogs plugin;
  std::chrono::system_clock::time_point now{std::chrono::seconds(1795334400)}; // 08:00:00Z
  Fixture() { fs::create_directories(dir.path() / "root"); }

  Result<LogsReport> capture() {
    auto tree = WorkTree::open(dir.path().string());
    auto root = SystemRoot::open((dir.path() / "root").string());
    REQUIRE(tree);
    REQUIRE(root);
    const LogPlugin* plugins[] = {&plugin};
    now += std::chrono::minutes(1);
    return capture_logs(*tree, *root, runner, plugins, now);
  }
  Value index(const std::string& path = "logs/current/index.yaml") {
    auto v = parse_yaml(read_file(dir.path() / path), path);
    REQUIRE(v);
    return *v;
  }
  std::vector<std::string> rotated() {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir.path() / "logs"))
      if (e.path().filename() != "current")
        out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
};

} // namespace

TEST_CASE("log capture writes logs/current and its index", "[logs][capture]") {
  Fixture f;
  auto report = f.capture();
  REQUIRE(report);
  CHECK(report->captured);
  CHECK(report->rotated_to.empty());
  CHECK(read_file(f.dir.path() / "logs/current/fake/tail.txt") == "one\n");
  Value index = f.index();
  CHECK(index.find("format_version")->as_int() == 1);
  CHECK(index.get_string("captured_at") == "2026-11-22T08:01:00Z");
  CHECK(index.at_pointer("/fake/errors")->as_int() == 0);
  CHECK(index.at_pointer("/fake/redactions")->as_int() == 0);
}

TEST_CASE("log capture: the same capture again changes nothing", "[logs][capture]") {
  Fixture f;
  REQUIRE(f.capture());
  std::string before = read_file(f.dir.path() / "logs/current/index.yaml");
  auto again = f.capture();
  REQUIRE(again);
  CHECK_FALSE(again->captured);
  CHECK(read_file(f.dir.path() / "logs/current/index.yaml") == before); // not even captured_at
  CHECK(f.rotated().empty());
}

TEST_CASE("log capture rotates the previous capture and prunes beyond keep", "[logs][capture]") {
  Fixture f;
  write_file(f.dir.path() / "state/logs_config.yaml", "keep: 2\n");
  REQUIRE(f.capture());
  for (int i = 0; i < 4; ++i) {
    f.plugin.text = "line " + std::to_string(i) + "\n";
    auto report = f.capture();
    REQUIRE(report);
    CHECK(report->captured);
    CHECK(report->rotated_to ==
          "logs/20261122T08" + std::to_string(i + 1 < 10 ? 0 : 1) + std::to_string(i + 1) + "00Z");
  }
  // Five captures: the current one and the newest two earlier ones remain.
  CHECK(f.rotated() == std::vector<std::string>{"20261122T080300Z", "20261122T080400Z"});
  CHECK(read_file(f.dir.path() / "logs/20261122T080400Z/fake/tail.txt") == "line 2\n");
  CHECK(read_file(f.dir.path() / "logs/current/fake/tail.txt") == "line 3\n");
  CHECK(f.index("logs/20261122T080400Z/index.yaml").get_string("captured_at") ==
        "2026-11-22T08:04:00Z");
}

TEST_CASE("log capture: a changed count alone is a new capture", "[logs][capture]") {
  Fixture f;
  REQUIRE(f.capture());
  f.plugin.errors = 3;
  auto report = f.capture();
  REQUIRE(report);
  CHECK(report->captured);
  CHECK(f.index().at_pointer("/fake/errors")->as_int() == 3);
}

TEST_CASE("log capture keeps the last apply in the new index", "[logs][capture]") {
  Fixture f;
  // Apply wrote its part before any capture.
  write_file(f.dir.path() / "logs/current/index.yaml",
             "format_version: 1\napply: {done: 2, failed: 1, history: plan/history/x.yaml}\n");
  auto first = f.capture();
  REQUIRE(first);
  CHECK(first->captured);
  CHECK(first->rotated_to.empty()); // an index with no capture is not kept as one
  CHECK(f.index().at_pointer("/apply/done")->as_int() == 2);
  f.plugin.text = "two\n";
  REQUIRE(f.capture());
  CHECK(f.index().at_pointer("/apply/failed")->as_int() == 1);
}

TEST_CASE("log capture redacts files and summaries and caps file size", "[logs][capture]") {
  Fixture f;
  write_file(f.dir.path() / "state/logs_config.yaml", "max_capture_kb: 1\n");
  std::string text;
  for (int i = 0; i < 100; ++i)
    text += "request " + std::to_string(i) + " ok\n";
  text += "curl https://u:hunter2@example.com password=hunter2\n";
  f.plugin.text = text;
  REQUIRE(f.capture());
  std::string tail = read_file(f.dir.path() / "logs/current/fake/tail.txt");
  CHECK(tail.size() <= 1024);
  CHECK(tail.rfind("request ", 0) == 0); // cut at a line start
  CHECK(tail.find("hunter2") == std::string::npos);
  CHECK(tail.find("https://u:[REDACTED]@example.com password=[REDACTED]") != std::string::npos);
  CHECK(read_file(f.dir.path() / "logs/current/index.yaml").find("hunter2") == std::string::npos);
  CHECK(f.index().at_pointer("/fake/redactions")->as_int() == 2);
}

TEST_CASE("log capture: unavailable and failing plugins are recorded", "[logs][capture]") {
  Fixture f;
  f.plugin.unavailable = "no journal here";
  REQUIRE(f.capture());
  CHECK_FALSE(f.index().at_pointer("/fake/available")->as_bool());
  CHECK(f.index().at_pointer("/fake/reason")->as_string() == "no journal here");
  CHECK_FALSE(fs::exists(f.dir.path() / "logs/current/fake"));

  f.plugin.unavailable.reset();
  f.plugin.failing = true;
  auto report = f.capture();
  REQUIRE(report);
  REQUIRE(report->warnings.size() == 1);
  CHECK(report->warnings[0].find("logs.fake: journalctl") == 0);
  CHECK(f.index().at_pointer("/fake/reason")->as_string() ==
        "journalctl --token=[REDACTED] timed out");
}

TEST_CASE("log capture: an invalid logs_config captures nothing and says why", "[logs][capture]") {
  Fixture f;
  write_file(f.dir.path() / "state/logs_config.yaml", "keep: lots\n");
  auto report = f.capture();
  REQUIRE(report);
  CHECK_FALSE(report->captured);
  REQUIRE(report->warnings.size() == 1);
  CHECK(report->warnings[0].find("state/logs_config.yaml:1:7: /keep") != std::string::npos);
  CHECK_FALSE(fs::exists(f.dir.path() / "logs"));
}

TEST_CASE("log capture refuses a logs/current that is a symlink", "[logs][capture]") {
  Fixture f;
  fs::create_directories(f.dir.path() / "logs");
  fs::create_directories(f.dir.path() / "elsewhere");
  fs::create_directory_symlink(f.dir.path() / "elsewhere", f.dir.path() / "logs/current");
  auto report = f.capture();
  CHECK_FALSE(report);
  CHECK(fs::is_empty(f.dir.path() / "elsewhere"));
}

TEST_CASE("rotated capture names and capping", "[logs][capture]") {
  CHECK(is_rotated_capture_name("20261122T080000Z"));
  CHECK(is_rotated_capture_name("20261122T080000Z-2"));
  for (const char* bad : {"current", "20261122T080000", "20261122T080000Z-", "2026112xT080000Z",
                          "20261122T080000Z-a", "../20261122T080000Z"})
    CHECK_FALSE(is_rotated_capture_name(bad));
  CHECK(cap_capture("aaaa\nbbbb\ncc\n", 8) == "bbbb\ncc\n");
  CHECK(cap_capture("aaaa\nbbbb\ncc\n", 7) == "cc\n");
  CHECK(cap_capture("aaaa\nbbbb\n", 10) == "aaaa\nbbbb\n");
  CHECK(cap_capture("aaaa\nbbbb\n", 5) == "bbbb\n");
  CHECK(cap_capture("one long line", 4).empty());
}
