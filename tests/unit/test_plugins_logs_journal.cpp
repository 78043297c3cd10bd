// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <algorithm>

#include "core/embedded.hpp"
#include "core/log_capture.hpp"
#include "core/log_plugin.hpp"
#include "core/schema.hpp"
#include "core/yaml_reader.hpp"
#include "plugins/logs_systemd_journal/journal_export.hpp"
#include "plugins/logs_systemd_journal/journal_plugin.hpp"
#include "plugins/logs_systemd_journal/journal_summary.hpp"
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

// Answers every journalctl query with the fixture, filtered the way journalctl would
// (--priority=warning keeps 0-4; --lines keeps the last N), and records argv.
class FakeJournalctl final : public Runner {
public:
  std::vector<std::vector<std::string>> calls;
  int exit_code = 0;
  Result<Completed> run(const Command& command) override {
    calls.push_back(command.argv);
    Completed done;
    done.exit_code = exit_code;
    if (exit_code != 0) {
      done.err = "Failed to open journal";
      return done;
    }
    std::string text = fixture("journal.export");
    bool warnings_only = std::find(command.argv.begin(), command.argv.end(),
                                   "--priority=warning") != command.argv.end();
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = text.find("\n\n", start);
      std::string entry = text.substr(start, end + 2 - start);
      start = end + 2;
      auto parsed = parse_journal_export(entry);
      if (warnings_only && parsed.at(0).priority() > 4)
        continue;
      done.out += entry;
    }
    return done;
  }
};

} // namespace

TEST_CASE("journal export: text and binary fields, entries, a cut-off end", "[logs][journal]") {
  auto entries = parse_journal_export(fixture("journal.export"));
  REQUIRE(entries.size() == 9);
  CHECK(entries[0].field("UNIT") == "ssh.service");
  CHECK(entries[0].priority() == 6);
  CHECK(entries[0].realtime_us() == 1795334401000000ULL);
  CHECK(entries[7].field("MESSAGE") == "first line\nsecond line"); // a binary field
  CHECK(entries[7].field("PRIORITY") == "4");                      // the field after it
  CHECK(entries[1].field("NO_SUCH").empty());

  std::string text = fixture("journal.export");
  CHECK(parse_journal_export(text.substr(0, text.size() - 30)).size() == 9); // last one partial
  // A length that runs past the end stops the parse without reading beyond it.
  std::string bad = "MESSAGE=a\n\nMESSAGE\n\xff\xff\xff\xff\xff\xff\xff\x7fxyz\n";
  CHECK(parse_journal_export(bad).size() == 1);
  CHECK(parse_journal_export("").empty());
}

TEST_CASE("journal lines read like journalctl's short-iso, in UTC", "[logs][journal]") {
  auto entries = parse_journal_export(fixture("journal.export"));
  CHECK(format_journal_line(entries[1]) ==
        "2026-11-22T08:00:02Z box nginx[901]: nginx: [emerg] bind() to 0.0.0.0:80 failed (98: "
        "Address already in use)");
  CHECK(format_journal_line(entries[7]) ==
        "2026-11-22T08:00:08Z box kernel: first line\n    second line");
  JournalEntry bare;
  bare.fields["MESSAGE"] = "a\x1b[31mred";
  CHECK(format_journal_line(bare) == "1970-01-01T00:00:00Z unknown: a [31mred");
}

TEST_CASE("journal summary: counts, failed and crashed units, error lines", "[logs][journal]") {
  auto entries = parse_journal_export(fixture("journal.export"));
  BootSummary boot = summarize_boot(entries);
  CHECK(boot.boot_id == "6b1f0c33a54d4b1e9e0f6c1c2d3e4f50");
  CHECK(boot.counts.errors == 4); // priorities 3, 2, 2, 3
  CHECK(boot.counts.warnings == 4);
  CHECK(boot.failed_units == std::map<std::string, std::size_t>{{"nginx.service", 2}});
  // app.service: the exit and systemd-coredump's report are one crash; helper.service is
  // known from the coredump alone.
  CHECK(boot.crashed_units ==
        std::map<std::string, std::size_t>{{"app.service", 1}, {"helper.service", 1}});
  REQUIRE(boot.error_lines.size() == 4);
  CHECK(boot.error_lines.back().find("deploy[3100]: fetch failed") != std::string::npos);

  // The last hour: entries from 08:00:05 on.
  PriorityCounts recent = count_priorities(entries, 1795334405000000ULL);
  CHECK(recent.errors == 3);
  CHECK(recent.warnings == 2);
}

TEST_CASE("journalctl argv: --root only for another root, export output", "[logs][journal]") {
  TempDir dir("journal");
  auto host = SystemRoot::open("/");
  auto other = SystemRoot::open(dir.path().string());
  REQUIRE(host);
  REQUIRE(other);
  auto argv = journalctl_argv(*host, {"--boot"});
  CHECK(argv.front() == "journalctl");
  CHECK(std::find(argv.begin(), argv.end(), "--output=export") != argv.end());
  CHECK(std::none_of(argv.begin(), argv.end(),
                     [](const std::string& a) { return a.rfind("--root", 0) == 0; }));
  CHECK(argv.back() == "--boot");
  auto rooted = journalctl_argv(*other, {});
  CHECK(rooted[1] == "--root=" + other->physical());
}

TEST_CASE("logs.systemd_journal captures the tail and the boot's errors", "[logs][journal]") {
  TempDir dir("journal");
  write_file(dir.path() / "var/log/journal/x/system.journal", "");
  auto root = SystemRoot::open(dir.path().string());
  REQUIRE(root);
  FakeJournalctl runner;
  LogsConfig settings;
  settings.journal.tail_lines = 3;
  // The last hour ends 08:30:00: everything in the fixture counts.
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1795334400 + 1800));
  LogContext ctx{*root, runner, settings, now};
  SystemdJournal plugin;
  CHECK_FALSE(plugin.detect(ctx));
  auto capture = plugin.dump_logs(ctx);
  REQUIRE(capture);
  REQUIRE(capture->files.size() == 2);
  CHECK(capture->files[0].path == "systemd/journal_tail.txt");
  CHECK(std::count(capture->files[0].text.begin(), capture->files[0].text.end(), '\n') == 4);
  CHECK(capture->files[0].text.rfind("2026-11-22T08:00:07Z box deploy[3100]: fetch failed", 0) ==
        0);
  CHECK(capture->files[1].path == "systemd/errors_last_boot.txt");
  CHECK(capture->files[1].text.find("hunter2") != std::string::npos); // redaction is the engine's
  const Value& s = capture->summary;
  CHECK(s.at_pointer("/last_hour/errors")->as_int() == 4);
  CHECK(s.at_pointer("/last_boot/failed_units/0/name")->as_string() == "nginx.service");
  CHECK(s.at_pointer("/last_boot/failed_units/0/count")->as_int() == 2);
  CHECK(s.at_pointer("/last_boot/crashed_units")->as_list().size() == 2);
  REQUIRE(runner.calls.size() == 3);
  for (const auto& argv : runner.calls)
    CHECK(argv[1] == "--root=" + root->physical());
  CHECK(std::find(runner.calls[1].begin(), runner.calls[1].end(), "--boot") !=
        runner.calls[1].end());
  CHECK(runner.calls[2].end() !=
        std::find(runner.calls[2].begin(), runner.calls[2].end(), "--since=@1795332600.000000"));
}

TEST_CASE("logs.systemd_journal: no journal, disabled, journalctl failing", "[logs][journal]") {
  TempDir dir("journal");
  auto root = SystemRoot::open(dir.path().string());
  REQUIRE(root);
  FakeJournalctl runner;
  LogsConfig settings;
  LogContext ctx{*root, runner, settings, std::chrono::system_clock::now()};
  SystemdJournal plugin;
  auto none = plugin.detect(ctx);
  REQUIRE(none);
  CHECK(none->find("no journal") != std::string::npos);
  settings.journal.enabled = false;
  CHECK(plugin.detect(ctx)->find("disabled") != std::string::npos);
  runner.exit_code = 1;
  auto failed = plugin.dump_logs(ctx);
  REQUIRE_FALSE(failed);
  CHECK(failed.error().message.find("Failed to open journal") != std::string::npos);
}

TEST_CASE("the index a journal capture writes passes schema/logs_index.schema.json",
          "[logs][journal][schema]") {
  TempDir dir("journal");
  write_file(dir.path() / "root/var/log/journal/x/system.journal", "");
  std::filesystem::create_directories(dir.path() / "twin");
  auto root = SystemRoot::open((dir.path() / "root").string());
  auto tree = WorkTree::open((dir.path() / "twin").string());
  REQUIRE(root);
  REQUIRE(tree);
  FakeJournalctl runner;
  SystemdJournal journal;
  const LogPlugin* plugins[] = {&journal};
  auto report = capture_logs(*tree, *root, runner, plugins, std::chrono::system_clock::now());
  REQUIRE(report);
  REQUIRE(report->captured);
  auto index = parse_yaml(read_file(dir.path() / "twin/logs/current/index.yaml"), "index.yaml");
  REQUIRE(index);
  auto problems = validate_against(embedded_schema("logs_index.schema.json"), *index);
  REQUIRE(problems);
  for (const auto& p : *problems)
    FAIL_CHECK(format_problem("index.yaml", p));
  // The deploy URL's password, in the tail and in the boot's errors.
  CHECK(index->at_pointer("/journal/redactions")->as_int() == 2);
}
