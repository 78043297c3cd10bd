// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include "core/logs_config.hpp"
#include "core/yaml_emitter.hpp"
#include "core/yaml_reader.hpp"
#include "golden.hpp"

using namespace twin;

namespace {

std::string errors_of(const std::string& text) {
  std::string out;
  for (const auto& e : check_logs_config_document("state/logs_config.yaml", text))
    out += e + "\n";
  return out;
}

} // namespace

TEST_CASE("golden: the state/logs_config.yaml init writes", "[golden][logs]") {
  std::string text = emit_yaml(default_logs_config_document());
  testing::check_golden("logs_config.yaml", text);
  CHECK(errors_of(text).empty());
  auto doc = parse_yaml(text, "logs_config.yaml");
  REQUIRE(doc);
  LogsConfig parsed = logs_config_from_document(*doc);
  LogsConfig defaults;
  CHECK(parsed.keep == defaults.keep);
  CHECK(parsed.max_capture_bytes == defaults.max_capture_bytes);
  CHECK(parsed.journal.timeout == defaults.journal.timeout);
  REQUIRE(parsed.files.sources.size() == 3);
  CHECK(parsed.files.sources[1].path == "/var/log/auth.log");
}

TEST_CASE("logs_config: every field may be left out", "[logs]") {
  CHECK(errors_of("{}\n").empty());
  auto doc = parse_yaml("journal: {tail_lines: 5}\nfiles: {sources: []}\n", "x");
  REQUIRE(doc);
  LogsConfig c = logs_config_from_document(*doc);
  CHECK(c.journal.tail_lines == 5);
  CHECK(c.journal.error_lines == LogsConfig{}.journal.error_lines);
  CHECK(c.files.sources.empty()); // an empty list means none, not the defaults
}

TEST_CASE("logs_config: bad settings are refused with file, line and field", "[logs]") {
  CHECK(errors_of("keep: -1\n").find("state/logs_config.yaml:1:7: /keep:") != std::string::npos);
  CHECK(errors_of("journal: {tail_lines: many}\n").find("/journal/tail_lines") !=
        std::string::npos);
  CHECK(errors_of("colour: red\n").find("colour") != std::string::npos);
  std::string dup = errors_of("files:\n  sources:\n    - {name: a, path: /var/log/a}\n"
                              "    - {name: a, path: /var/log/b}\n");
  CHECK(dup.find("state/logs_config.yaml:4:") != std::string::npos);
  CHECK(dup.find("/files/sources/1/name: 'a' is named twice") != std::string::npos);
  CHECK(errors_of("files: {sources: [{name: a, path: /var/log/../../etc/shadow}]}\n")
            .find("/files/sources/0/path") != std::string::npos);
  // A capture is committed: only log files, never /etc/shadow.
  CHECK(errors_of("files: {sources: [{name: a, path: /etc/shadow}]}\n")
            .find("/files/sources/0/path") != std::string::npos);
  CHECK(
      errors_of("files: {sources: [{name: a, path: var/log/x}]}\n").find("/files/sources/0/path") !=
      std::string::npos);
  // A name becomes a file name: no slashes, no leading dash or dot.
  for (const char* name : {"../x", "a/b", "-rf", ".hidden", "A"})
    CHECK_FALSE(
        errors_of(std::string("files: {sources: [{name: '") + name + "', path: /var/log/x}]}\n")
            .empty());
  CHECK(errors_of("<<<<<<< HEAD\nkeep: 1\n=======\nkeep: 2\n>>>>>>> x\n").find("conflict") !=
        std::string::npos);
}
