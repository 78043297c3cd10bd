// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <filesystem>

#include "core/embedded.hpp"
#include "core/log_capture.hpp"
#include "core/log_plugin.hpp"
#include "core/schema.hpp"
#include "core/yaml_reader.hpp"
#include "plugins/logs_files/files_plugin.hpp"
#include "plugins/logs_files/log_lines.hpp"
#include "test_support.hpp"

using namespace twin;
using namespace twin::logs;
using twin_test::read_file;
using twin_test::TempDir;
using twin_test::write_file;

namespace {

std::string fixture(const std::string& name) {
  return twin_test::fixture_text("logs/" + name);
}

class NoRunner final : public Runner {
public:
  Result<Completed> run(const Command&) override { return fail("logs.files runs nothing"); }
};

} // namespace

TEST_CASE("auth.log: failed logins counted once each, by source", "[logs][files]") {
  LogScan scan = scan_log_text(fixture("auth.log"), 5);
  CHECK(scan.lines == 10);
  // Two failed passwords and a failed key from two addresses, one local sudo failure; sshd's
  // own PAM line and "Invalid user" repeat the same attempt and are not counted.
  CHECK(scan.auth_failures == 4);
  CHECK(scan.auth_sources ==
        std::map<std::string, std::size_t>{{"203.0.113.5", 2}, {"2001:db8::7", 1}, {"local", 1}});
  CHECK(scan.error_lines == 0);
}

TEST_CASE("syslog and nginx: error lines", "[logs][files]") {
  LogScan syslog = scan_log_text(fixture("syslog"), 2);
  // emerg, "Failed with result", segfault and "Out of memory" are errors; starting, cron,
  // DHCP and finishing are not.
  CHECK(syslog.error_lines == 4);
  REQUIRE(syslog.last_errors.size() == 2);
  CHECK(syslog.last_errors.back().find("Out of memory") != std::string::npos);

  LogScan nginx = scan_log_text(fixture("nginx_error.log"), 5);
  CHECK(nginx.error_lines == 3); // emerg, error, crit; not warn (which says "failed")
  CHECK(classify_log_line("2026/11/22 08:00:11 [warn] 1#1: x failed").kind == LineKind::other);
  CHECK(classify_log_line("usb 1-1: new device").kind == LineKind::other);
  CHECK(classify_log_line("prefailure check").kind == LineKind::other); // not a word start
  CHECK(classify_log_line("app: Errors: 3").kind == LineKind::error);
}

TEST_CASE("tails: the last lines, a partial first line dropped", "[logs][files]") {
  CHECK(last_lines("a\nb\nc\n", 2) == "b\nc\n");
  CHECK(last_lines("a\nb\nc", 2) == "b\nc\n");
  CHECK(last_lines("a\nb\n", 5) == "a\nb\n");
  CHECK(last_lines("a\nb\n", 0).empty());
  CHECK(whole_lines("tial\nnext\n", true) == "next\n");
  CHECK(whole_lines("whole\n", false) == "whole\n");
  CHECK(whole_lines("no newline", true).empty());
}

TEST_CASE("logs.files tails the configured files below the root", "[logs][files]") {
  TempDir dir("logfiles");
  write_file(dir.path() / "var/log/auth.log", fixture("auth.log"));
  std::string big;
  for (int i = 0; i < 50000; ++i)
    big += "2026-11-22T08:00:00+00:00 box app[1]: line " + std::to_string(i) + "\n";
  big += "2026-11-22T08:00:01+00:00 box app[1]: fatal: the end\n";
  write_file(dir.path() / "var/log/syslog", big);
  write_file(dir.path() / "outside.log", "secret outside the logs\n");
  std::filesystem::create_directories(dir.path() / "var/log/nginx");
  std::filesystem::create_symlink("/etc/passwd", dir.path() / "var/log/nginx/error.log");
  auto root = SystemRoot::open(dir.path().string());
  REQUIRE(root);
  NoRunner runner;
  LogsConfig settings;
  settings.files.tail_lines = 3;
  settings.files.scan_bytes = 4096;
  settings.files.sources.push_back({"missing", "/var/log/none.log"});
  LogContext ctx{*root, runner, settings, std::chrono::system_clock::now()};
  LogFiles plugin;
  REQUIRE_FALSE(plugin.detect(ctx));
  auto capture = plugin.dump_logs(ctx);
  REQUIRE(capture);
  REQUIRE(capture->files.size() == 2);
  CHECK(capture->files[1].path == "files/auth_tail.txt");
  CHECK(capture->files[0].path == "files/syslog_tail.txt");
  CHECK(capture->files[0].text == "2026-11-22T08:00:00+00:00 box app[1]: line 49998\n"
                                  "2026-11-22T08:00:00+00:00 box app[1]: line 49999\n"
                                  "2026-11-22T08:00:01+00:00 box app[1]: fatal: the end\n");
  const Value& syslog = *capture->summary.at_pointer("/sources/syslog");
  CHECK(syslog.find("error_lines")->as_int() == 1);
  CHECK(syslog.find("scanned_lines")->as_int() < 100); // only the last 4 KiB were read
  CHECK(capture->summary.at_pointer("/sources/auth/auth_failures")->as_int() == 4);
  CHECK(capture->summary.at_pointer("/sources/auth/auth_failure_sources/0/name")->as_string() ==
        "203.0.113.5");
  // /var/log/nginx/error.log -> /etc/passwd: a symlink as the log itself is not followed.
  CHECK_FALSE(capture->summary.at_pointer("/sources/nginx_error/present")->as_bool());
  CHECK(capture->summary.at_pointer("/sources/nginx_error/reason")->as_string().find("symlink") !=
        std::string::npos);
  CHECK_FALSE(capture->summary.at_pointer("/sources/missing/present")->as_bool());
  CHECK_FALSE(capture->summary.at_pointer("/sources/missing/reason"));

  settings.files.enabled = false;
  CHECK(plugin.detect(ctx));
}

TEST_CASE("the index a files capture writes passes schema/logs_index.schema.json",
          "[logs][files][schema]") {
  TempDir dir("logfiles");
  write_file(dir.path() / "root/var/log/auth.log", fixture("auth.log"));
  write_file(dir.path() / "root/var/log/syslog", fixture("syslog"));
  write_file(dir.path() / "twin/logs/current/index.yaml",
             "format_version: 1\napply: {last_applied_at: '2026-11-22T08:00:00Z', done: 1, "
             "failed: 0, skipped: 0, history: plan/history/20261122080000.yaml, failures: []}\n");
  auto root = SystemRoot::open((dir.path() / "root").string());
  auto tree = WorkTree::open((dir.path() / "twin").string());
  REQUIRE(root);
  REQUIRE(tree);
  NoRunner runner;
  LogFiles files;
  const LogPlugin* plugins[] = {&files};
  auto report = capture_logs(*tree, *root, runner, plugins, std::chrono::system_clock::now());
  REQUIRE(report);
  auto index = parse_yaml(read_file(dir.path() / "twin/logs/current/index.yaml"), "index.yaml");
  REQUIRE(index);
  auto problems = validate_against(embedded_schema("logs_index.schema.json"), *index);
  REQUIRE(problems);
  for (const auto& p : *problems)
    FAIL_CHECK(format_problem("index.yaml", p));
  CHECK(index->at_pointer("/apply/done")->as_int() == 1);
  // syslog: the backup line's password and URL credentials, the deploy token; auth.log: a
  // Bearer value.
  CHECK(index->at_pointer("/files/redactions")->as_int() == 4);
}
