// SPDX-License-Identifier: MIT
// Applying a plan with a fake plugin: failures do not stop independent actions, dependents
// of a failure are skipped (transitively), outcomes are counted; and record_apply writes
// plan/history/<time>.yaml and the `apply` part of logs/current/index.yaml.
#include <catch2/catch.hpp>

#include "test_support.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/apply.hpp"
#include "core/apply_journal.hpp"
#include "core/plugin.hpp"
#include "core/runner.hpp"
#include "core/system_root.hpp"
#include "core/work_tree.hpp"
#include "core/yaml_reader.hpp"

using namespace twin;
namespace fs = std::filesystem;

using twin_test::read_file;
using twin_test::TempDir;

namespace {

const std::string k_stamp = "20260102030405";

void put_file(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

// No action of the fake plugin starts a process.
class NoRunner final : public Runner {
public:
  Result<Completed> run(const Command& command) override {
    return fail("unexpected command: {}", describe_argv(command.argv));
  }
};

// Records every action it is asked to apply; fails those whose id contains "fail".
class FakePlugin final : public Plugin {
public:
  explicit FakePlugin(std::string name) : m_name(std::move(name)) {}

  std::string_view name() const override { return m_name; }
  std::string_view fragment() const override { return "fake"; }
  std::string_view summary() const override { return "a fake plugin for apply tests"; }
  Result<LiveObservation> collect(PluginContext&, std::vector<std::string>&) const override {
    return LiveObservation::of(Value::map());
  }
  const Value& live_schema() const override {
    static const Value schema = Value::map();
    return schema;
  }
  ActionOutcome apply(const Action& action, ApplyContext&) const override {
    calls.push_back(action.id);
    if (action.id.find("fail") != std::string::npos)
      return {ActionOutcome::Status::failed, "it failed on purpose", {}};
    return {ActionOutcome::Status::done, "", {action.resource + ".twinbak-" + k_stamp}};
  }
  std::vector<ActionOutcome> apply_batch(std::span<const Action> actions,
                                         ApplyContext& ctx) const override {
    batches.push_back(actions.size());
    return Plugin::apply_batch(actions, ctx);
  }

  mutable std::vector<std::string> calls;
  mutable std::vector<std::size_t> batches; // sizes of the runs apply_batch was given

private:
  std::string m_name;
};

Action action(const std::string& name, std::vector<std::string> depends_on = {},
              const std::string& plugin = "fake.plugin") {
  Action a;
  a.plugin = plugin;
  a.op = "write_file";
  a.resource = "/etc/" + name;
  a.id = plugin + "/write_file/etc/" + name;
  a.fields["path"] = a.resource;
  a.fields["mode"] = "0644";
  a.depends_on = std::move(depends_on);
  return a;
}

std::string id_of(const std::string& name) {
  return "fake.plugin/write_file/etc/" + name;
}

// The pieces execute_plan and record_apply need, in a temp dir: a fake root and a work tree.
struct Fixture {
  TempDir tmp{"apply"};
  NoRunner runner;
  SystemRoot root = open_root();
  WorkTree tree = open_tree();
  ApplyContext ctx{root, runner, tree, k_stamp};
  FakePlugin plugin{"fake.plugin"};

  SystemRoot open_root() {
    fs::create_directories(tmp.path() / "root");
    auto r = SystemRoot::open((tmp.path() / "root").string());
    REQUIRE(r);
    return std::move(*r);
  }
  WorkTree open_tree() {
    fs::create_directories(tmp.path() / "repo");
    auto t = WorkTree::open((tmp.path() / "repo").string());
    REQUIRE(t);
    return std::move(*t);
  }
  fs::path repo_file(const std::string& path) const { return tmp.path() / "repo" / path; }

  ApplyRecord run(const Plan& plan) {
    const Plugin* plugins[] = {&plugin};
    auto record = execute_plan(plan, plugins, ctx, {});
    REQUIRE(record);
    return std::move(*record);
  }
};

Plan plan_of(std::vector<Action> actions) {
  Plan p;
  p.desired_commit = "0123456789abcdef0123456789abcdef01234567";
  p.desired_digest = std::string(64, 'd');
  p.live_digest = std::string(64, 'e');
  p.plugins = {"fake.plugin"};
  p.actions = std::move(actions);
  return p;
}

const ActionResult& result_of(const ApplyRecord& record, const std::string& id) {
  for (const auto& r : record.results)
    if (r.action.id == id)
      return r;
  FAIL("no result for " << id);
  throw std::logic_error("unreachable");
}

Value parse_file(const fs::path& path) {
  std::string text = read_file(path);
  auto parsed = parse_yaml(text, path.string());
  INFO(path << ":\n" << text);
  REQUIRE(parsed);
  return *parsed;
}

} // namespace

TEST_CASE("a failed action does not stop the independent ones after it", "[apply]") {
  Fixture f;
  Plan plan = plan_of({action("first"), action("fail-here"), action("third")});

  ApplyRecord record = f.run(plan);

  CHECK(f.plugin.calls ==
        std::vector<std::string>{id_of("first"), id_of("fail-here"), id_of("third")});
  REQUIRE(record.results.size() == 3);
  CHECK(result_of(record, id_of("first")).outcome.status == ActionOutcome::Status::done);
  CHECK(result_of(record, id_of("fail-here")).outcome.status == ActionOutcome::Status::failed);
  CHECK(result_of(record, id_of("fail-here")).outcome.message == "it failed on purpose");
  CHECK(result_of(record, id_of("third")).outcome.status == ActionOutcome::Status::done);
}

TEST_CASE("an action that depends on a failed one is skipped, naming it", "[apply]") {
  Fixture f;
  Plan plan = plan_of({action("fail-dir"), action("child", {id_of("fail-dir")})});

  ApplyRecord record = f.run(plan);

  CHECK(f.plugin.calls == std::vector<std::string>{id_of("fail-dir")});
  const ActionResult& child = result_of(record, id_of("child"));
  CHECK(child.outcome.status == ActionOutcome::Status::skipped);
  CHECK_THAT(child.outcome.message, Catch::Contains(id_of("fail-dir")));
}

TEST_CASE("skipping runs down a chain of dependencies", "[apply]") {
  Fixture f;
  // A fails -> B (depends on A) skipped -> C (depends on B) skipped; D is independent.
  Plan plan = plan_of(
      {action("a-fail"), action("b", {id_of("a-fail")}), action("c", {id_of("b")}), action("d")});

  ApplyRecord record = f.run(plan);

  CHECK(f.plugin.calls == std::vector<std::string>{id_of("a-fail"), id_of("d")});
  CHECK(result_of(record, id_of("b")).outcome.status == ActionOutcome::Status::skipped);
  const ActionResult& c = result_of(record, id_of("c"));
  CHECK(c.outcome.status == ActionOutcome::Status::skipped);
  CHECK_THAT(c.outcome.message, Catch::Contains(id_of("b")));
  CHECK(result_of(record, id_of("d")).outcome.status == ActionOutcome::Status::done);
}

TEST_CASE("apply counts done, failed and skipped actions", "[apply]") {
  Fixture f;
  Plan plan = plan_of({action("one"), action("two-fail"), action("three", {id_of("two-fail")}),
                       action("four"), action("five", {id_of("one")})});

  ApplyRecord record = f.run(plan);

  CHECK(record.done == 3);
  CHECK(record.failed == 1);
  CHECK(record.skipped == 1);
  CHECK(record.results.size() == 5);
  CHECK(record.stamp == k_stamp); // the backup stamp names the record
}

TEST_CASE("an action for a plugin that is not enabled fails with a message", "[apply]") {
  Fixture f;
  Plan plan = plan_of({action("curl", {}, "packages.debian"), action("motd")});

  ApplyRecord record = f.run(plan);

  const ActionResult& orphan = result_of(record, "packages.debian/write_file/etc/curl");
  CHECK(orphan.outcome.status == ActionOutcome::Status::failed);
  CHECK_THAT(orphan.outcome.message, Catch::Contains("packages.debian"));
  CHECK(f.plugin.calls == std::vector<std::string>{id_of("motd")});
  CHECK(record.failed == 1);
  CHECK(record.done == 1);
}

TEST_CASE("record_apply writes the history file with every outcome", "[apply]") {
  Fixture f;
  Plan plan = plan_of({action("good"), action("bad-fail"), action("after", {id_of("bad-fail")})});
  ApplyRecord record = f.run(plan);

  auto written = record_apply(f.tree, plan, record, "/");

  INFO((written ? "" : written.error().message));
  REQUIRE(written);
  CHECK(record.history_path == "plan/history/2026-01-02T030405Z.yaml");
  CHECK(std::find(written->begin(), written->end(), record.history_path) != written->end());
  Value history = parse_file(f.repo_file(record.history_path));
  CHECK(history.get_string("applied_at") == "2026-01-02T03:04:05Z");
  CHECK(history.get_string("root") == "/");
  CHECK(history.get_string("desired_commit") == plan.desired_commit);
  const Value* results = history.find("results");
  REQUIRE(results != nullptr);
  REQUIRE(results->as_list().size() == 3);

  const Value& good = results->as_list()[0];
  CHECK(good.get_string("id") == id_of("good"));
  CHECK(good.get_string("status") == "done");
  REQUIRE(good.find("backups") != nullptr);
  CHECK(good.find("backups")->as_list().at(0).as_string() == "/etc/good.twinbak-" + k_stamp);
  CHECK(good.find("action")->get_string("mode") == "0644");

  const Value& bad = results->as_list()[1];
  CHECK(bad.get_string("status") == "failed");
  CHECK(bad.get_string("message") == "it failed on purpose");

  const Value& after = results->as_list()[2];
  CHECK(after.get_string("status") == "skipped");
  CHECK_THAT(after.get_string("message"), Catch::Contains(id_of("bad-fail")));
}

TEST_CASE("record_apply adds the apply summary to the log index, keeping other keys", "[apply]") {
  Fixture f;
  put_file(f.repo_file("logs/current/index.yaml"), "journal:\n  errors: 3\n");
  Plan plan = plan_of({action("good"), action("bad-fail")});
  ApplyRecord record = f.run(plan);

  auto written = record_apply(f.tree, plan, record, "/");

  REQUIRE(written);
  CHECK(std::find(written->begin(), written->end(), "logs/current/index.yaml") != written->end());
  Value index = parse_file(f.repo_file("logs/current/index.yaml"));
  const Value* journal = index.find("journal");
  REQUIRE(journal != nullptr);
  REQUIRE(journal->find("errors") != nullptr);
  CHECK(journal->find("errors")->as_int() == 3);
  const Value* apply = index.find("apply");
  REQUIRE(apply != nullptr);
  CHECK(apply->get_string("history") == record.history_path);
  CHECK(apply->find("done")->as_int() == 1);
  CHECK(apply->find("failed")->as_int() == 1);
  CHECK(apply->find("skipped")->as_int() == 0);
  REQUIRE(apply->find("failures")->as_list().size() == 1);
  CHECK_THAT(apply->find("failures")->as_list()[0].as_string(), Catch::Contains(id_of("bad-fail")));
}

TEST_CASE("a second apply record with the same stamp gets its own history file", "[apply]") {
  Fixture f;
  Plan plan = plan_of({action("good")});
  ApplyRecord first = f.run(plan);
  REQUIRE(record_apply(f.tree, plan, first, "/"));
  std::string first_text = read_file(f.repo_file(first.history_path));

  ApplyRecord second = f.run(plan);
  auto written = record_apply(f.tree, plan, second, "/");

  REQUIRE(written);
  CHECK(first.history_path == "plan/history/2026-01-02T030405Z.yaml");
  CHECK(second.history_path == "plan/history/2026-01-02T030405Z_1.yaml");
  CHECK(fs::exists(f.repo_file(second.history_path)));
  CHECK(read_file(f.repo_file(first.history_path)) == first_text);
}

TEST_CASE("utc_stamp is fourteen digits", "[apply]") {
  std::string stamp = utc_stamp();

  CHECK(stamp.size() == 14);
  CHECK(std::all_of(stamp.begin(), stamp.end(), [](unsigned char c) { return std::isdigit(c); }));
  CHECK(stamp.substr(0, 2) == "20");
}

TEST_CASE("consecutive independent actions with the same op go to apply_batch together",
          "[apply]") {
  Fixture f;
  Action other_op = action("mode-only");
  other_op.op = "set_attributes";
  other_op.id = "fake.plugin/set_attributes/etc/mode-only";
  // a and b together; c depends on b, so it starts a run with d; the other op runs alone;
  // e after it is a new run.
  Plan plan = plan_of(
      {action("a"), action("b"), action("c", {id_of("b")}), action("d"), other_op, action("e")});

  ApplyRecord record = f.run(plan);

  CHECK(f.plugin.batches == std::vector<std::size_t>{2, 2, 1, 1});
  CHECK(f.plugin.calls == std::vector<std::string>{id_of("a"), id_of("b"), id_of("c"), id_of("d"),
                                                   other_op.id, id_of("e")});
  CHECK(record.done == 6);
}

TEST_CASE("a run stops before an action whose dependency failed", "[apply]") {
  Fixture f;
  Plan plan = plan_of({action("fail-first"), action("two"), action("three", {id_of("fail-first")}),
                       action("four")});

  ApplyRecord record = f.run(plan);

  CHECK(f.plugin.batches == std::vector<std::size_t>{2, 1});
  CHECK(result_of(record, id_of("three")).outcome.status == ActionOutcome::Status::skipped);
  CHECK(result_of(record, id_of("four")).outcome.status == ActionOutcome::Status::done);
}

// --- the apply journal ------------------------------------------------------------------

TEST_CASE("the apply journal records the plan, the batches and each outcome", "[apply][journal]") {
  Fixture f;
  std::string git_dir = (f.tmp.path() / "git").string();
  fs::create_directories(git_dir);
  Plan plan = plan_of({action("a"), action("fail-b"), action("c", {id_of("fail-b")})});
  auto journal = ApplyJournal::begin(git_dir, plan, k_stamp, "apply");
  REQUIRE(journal);
  CHECK_FALSE(
      ApplyJournal::begin(git_dir, plan, k_stamp, "apply")); // one unfinished apply at a time
  ApplyObserver observer;
  observer.before_batch = [&](std::span<const Action> b) { return journal->started(b); };
  observer.after_action = [&](const ActionResult& r) { return journal->finished(r); };
  const Plugin* plugins[] = {&f.plugin};
  REQUIRE(execute_plan(plan, plugins, f.ctx, observer));

  auto state = ApplyJournal::load(git_dir);
  REQUIRE(state);
  REQUIRE(*state);
  CHECK((*state)->stamp == k_stamp);
  CHECK(same_actions((*state)->plan, plan));
  REQUIRE((*state)->outcomes.size() == 3);
  CHECK((*state)->outcomes[0].outcome.backups ==
        std::vector<std::string>{"/etc/a.twinbak-" + k_stamp});
  CHECK((*state)->outcomes[1].outcome.status == ActionOutcome::Status::failed);
  CHECK((*state)->outcomes[2].outcome.status == ActionOutcome::Status::skipped);
  CHECK((*state)->started.empty());
  CHECK_FALSE(interrupted_apply_notice(git_dir).empty());
  CHECK_FALSE(refuse_while_interrupted(git_dir));
  REQUIRE(journal->close());
  CHECK_FALSE(*ApplyJournal::load(git_dir));
  CHECK(interrupted_apply_notice(git_dir).empty());
  CHECK(refuse_while_interrupted(git_dir));
}

TEST_CASE("a journal cut by a crash: started actions and a partial last line", "[apply][journal]") {
  Fixture f;
  std::string git_dir = (f.tmp.path() / "git").string();
  fs::create_directories(git_dir);
  Plan plan = plan_of({action("a"), action("b"), action("c")});
  {
    auto journal = ApplyJournal::begin(git_dir, plan, k_stamp, "apply");
    REQUIRE(journal);
    REQUIRE(journal->started(std::span<const Action>(plan.actions.data(), 2)));
    REQUIRE(journal->finished({plan.actions[0], {ActionOutcome::Status::done, "", {}}}));
  }
  std::ofstream(ApplyJournal::path(git_dir), std::ios::app) << R"({"event":"outcome","id":"fa)";
  auto state = ApplyJournal::load(git_dir);
  REQUIRE(state);
  REQUIRE(*state);
  REQUIRE((*state)->outcomes.size() == 1);
  CHECK((*state)->started == std::set<std::string>{id_of("b")});

  // Resuming runs b and c only, and the record holds all three.
  const Plugin* plugins[] = {&f.plugin};
  auto record = execute_plan((*state)->plan, plugins, f.ctx, {}, (*state)->outcomes);
  REQUIRE(record);
  CHECK(f.plugin.calls == std::vector<std::string>{id_of("b"), id_of("c")});
  CHECK(record->results.size() == 3);
  CHECK(record->done == 3);
}

TEST_CASE("a damaged journal is an error, not an empty one", "[apply][journal]") {
  TempDir tmp("journal");
  std::string git_dir = tmp.path().string();
  put_file(tmp.path() / "twin/apply-journal", "{\"event\":\"start\",\"ids\":[]}\n");
  auto missing_plan = ApplyJournal::load(git_dir);
  REQUIRE_FALSE(missing_plan);
  CHECK(missing_plan.error().message.find("does not start with the plan") != std::string::npos);
  put_file(tmp.path() / "twin/apply-journal", "not: [json\n");
  CHECK_FALSE(ApplyJournal::load(git_dir));
}

TEST_CASE("an observer's error stops the apply before the next batch", "[apply][journal]") {
  Fixture f;
  Plan plan = plan_of({action("a"), action("b", {}, "other.plugin")});
  FakePlugin other("other.plugin");
  const Plugin* plugins[] = {&f.plugin, &other};
  ApplyObserver observer;
  int batches = 0;
  observer.before_batch = [&](std::span<const Action>) -> Status {
    if (++batches == 2)
      return fail("No space left on device");
    return {};
  };
  auto record = execute_plan(plan, plugins, f.ctx, observer);
  REQUIRE_FALSE(record);
  CHECK(record.error().message == "No space left on device");
  CHECK(f.plugin.calls.size() == 1);
  CHECK(other.calls.empty());
}
