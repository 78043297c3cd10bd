// SPDX-License-Identifier: MIT
// The plan as data: the diff-like summary lines, plan/latest.yaml (schema-valid, readable
// back into the same actions, groups in apply order, byte-stable) and same_actions.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/plan.hpp"
#include "core/plan_engine.hpp"
#include "core/schema.hpp"
#include "core/yaml_reader.hpp"
#include "golden.hpp"

using namespace twin;

namespace {

const std::string k_commit = "0123456789abcdef0123456789abcdef01234567";
const std::string k_desired_digest(64, 'd');
const std::string k_live_digest(64, 'e');
const std::string k_sha(64, 'a');

Action make_action(const std::string& plugin, const std::string& op, const std::string& resource,
                   Action::Change change, Value fields = Value::map()) {
  Action a;
  a.plugin = plugin;
  a.op = op;
  a.resource = resource;
  a.change = change;
  a.id = plugin + "/" + op + "/" + (resource.front() == '/' ? resource.substr(1) : resource);
  a.fields = std::move(fields);
  return a;
}

Action files_action(const std::string& op, const std::string& path, Action::Change change,
                    Value fields = Value::map()) {
  fields["path"] = path;
  return make_action("files.mirror", op, path, change, std::move(fields));
}

Action write_motd(Action::Change change = Action::Change::modify) {
  Value f;
  f["from"] = "filesystem/etc/motd";
  f["sha256"] = k_sha;
  f["mode"] = "0644";
  f["owner"] = "root";
  f["group"] = "root";
  return files_action("write_file", "/etc/motd", change, f);
}

Action chmod_action(const std::string& path, const std::string& mode) {
  Value f;
  f["mode"] = mode;
  return files_action("set_attributes", path, Action::Change::modify, f);
}

Action install_curl() {
  Value f;
  f["name"] = "curl";
  f["version"] = "7.88.1-10";
  return make_action("packages.debian", "install", "curl", Action::Change::create, f);
}

// A small plan touching two plugins, with dependencies and a conflict.
Plan small_plan() {
  Plan p;
  p.desired_commit = k_commit;
  p.desired_digest = k_desired_digest;
  p.live_digest = k_live_digest;
  p.plugins = {"files.mirror", "packages.debian"};

  Value dir;
  dir["mode"] = "0750";
  dir["owner"] = "root";
  dir["group"] = "adm";
  p.actions.push_back(files_action("create_directory", "/srv/app", Action::Change::create, dir));
  Value conf;
  conf["from"] = "filesystem/srv/app/app.conf";
  conf["sha256"] = k_sha;
  conf["mode"] = "0640";
  conf["owner"] = "root";
  conf["group"] = "adm";
  Action write = files_action("write_file", "/srv/app/app.conf", Action::Change::create, conf);
  write.depends_on = {"files.mirror/create_directory/srv/app"};
  p.actions.push_back(write);
  p.actions.push_back(chmod_action("/etc/shadow", "0600"));
  Value old;
  old["type"] = "file";
  p.actions.push_back(files_action("remove", "/etc/old.conf", Action::Change::remove, old));
  p.actions.push_back(install_curl());
  p.conflicts.push_back({"files.mirror", "/etc/hosts", "twin and machine differ in content"});
  return p;
}

Value parse(const std::string& text) {
  auto parsed = parse_yaml(text, "plan/latest.yaml");
  INFO(text);
  REQUIRE(parsed);
  return *parsed;
}

std::vector<SchemaProblem> schema_problems(const Value& document) {
  auto problems = validate_against(plan_schema(), document);
  REQUIRE(problems);
  return *problems;
}

std::string describe(const std::vector<SchemaProblem>& problems) {
  std::string out;
  for (const auto& p : problems)
    out += format_problem("plan/latest.yaml", p) + "\n";
  return out;
}

} // namespace

TEST_CASE("summary lines show a sign and a short verb for each kind of action", "[plan]") {
  Value owner;
  owner["owner"] = "alice";
  owner["group"] = "root";
  Value both;
  both["mode"] = "0600";
  both["owner"] = "alice";
  both["group"] = "root";
  Value target;
  target["target"] = "/usr/share/zoneinfo/UTC";

  CHECK(summary_line(write_motd(Action::Change::create)) == "+ files.mirror: write /etc/motd");
  CHECK(summary_line(write_motd(Action::Change::modify)) == "~ files.mirror: write /etc/motd");
  CHECK(summary_line(chmod_action("/etc/shadow", "0600")) ==
        "~ files.mirror: chmod 0600 /etc/shadow");
  CHECK(summary_line(files_action("set_attributes", "/etc/motd", Action::Change::modify, owner)) ==
        "~ files.mirror: chown alice:root /etc/motd");
  CHECK(summary_line(files_action("set_attributes", "/etc/motd", Action::Change::modify, both)) ==
        "~ files.mirror: chmod 0600, chown alice:root /etc/motd");
  CHECK(summary_line(files_action("create_directory", "/srv/app", Action::Change::create)) ==
        "+ files.mirror: mkdir /srv/app");
  CHECK(summary_line(files_action("create_symlink", "/etc/localtime", Action::Change::create,
                                  target)) == "+ files.mirror: symlink /etc/localtime");
  CHECK(summary_line(files_action("remove", "/etc/old.conf", Action::Change::remove)) ==
        "- files.mirror: remove /etc/old.conf");
  CHECK(summary_line(install_curl()) == "+ packages.debian: install curl=7.88.1-10");
}

TEST_CASE("plan/latest.yaml is valid against the plan schema", "[plan]") {
  Value doc = parse(plan_to_yaml(small_plan()));

  auto problems = schema_problems(doc);

  INFO(describe(problems));
  CHECK(problems.empty());
  CHECK(doc.find("format_version") != nullptr);
  CHECK(doc.get_string("desired_commit") == k_commit);
}

TEST_CASE("a plan read back from its YAML asks for the same actions", "[plan]") {
  Plan original = small_plan();

  auto back = plan_from_value(parse(plan_to_yaml(original)));

  REQUIRE(back);
  CHECK(same_actions(original, *back));
  CHECK(back->desired_commit == original.desired_commit);
  CHECK(back->desired_digest == original.desired_digest);
  CHECK(back->live_digest == original.live_digest);
  REQUIRE(back->actions.size() == original.actions.size());
  REQUIRE(back->conflicts.size() == 1);
  CHECK(back->conflicts[0].resource == "/etc/hosts");
  CHECK(back->conflicts[0].detail == "twin and machine differ in content");

  // Action by action: ids, ops, changes, dependencies and fields survive.
  for (const Action& want : original.actions) {
    INFO("action " << want.id);
    const Action* got = nullptr;
    for (const Action& a : back->actions)
      if (a.id == want.id)
        got = &a;
    REQUIRE(got != nullptr);
    CHECK(got->plugin == want.plugin);
    CHECK(got->op == want.op);
    CHECK(got->resource == want.resource);
    CHECK(got->change == want.change);
    CHECK(got->depends_on == want.depends_on);
    CHECK(got->fields == want.fields);
  }
}

TEST_CASE("action groups are written in apply order, not alphabetically", "[plan]") {
  Plan p;
  p.desired_digest = k_desired_digest;
  p.live_digest = k_live_digest;
  p.plugins = {"packages.debian", "files.mirror"};
  p.actions = {install_curl(), write_motd()};

  std::string text = plan_to_yaml(p);

  auto packages = text.find("packages.debian:");
  auto files = text.find("files.mirror:");
  INFO(text);
  REQUIRE(packages != std::string::npos);
  REQUIRE(files != std::string::npos);
  CHECK(packages < files);
  CHECK(schema_problems(parse(text)).empty());
}

TEST_CASE("same_actions notices an added action", "[plan]") {
  Plan a = small_plan();
  Plan b = small_plan();
  CHECK(same_actions(a, b));

  b.actions.push_back(chmod_action("/etc/gshadow", "0600"));

  CHECK_FALSE(same_actions(a, b));
}

TEST_CASE("same_actions notices a changed field", "[plan]") {
  Plan a = small_plan();
  Plan b = small_plan();

  b.actions[2].fields["mode"] = "0640";

  CHECK_FALSE(same_actions(a, b));
}

TEST_CASE("same_actions notices a changed conflict", "[plan]") {
  Plan a = small_plan();
  Plan b = small_plan();

  b.conflicts.clear();

  CHECK_FALSE(same_actions(a, b));
}

TEST_CASE("an empty plan writes 'actions: {}' and is still valid", "[plan]") {
  Plan p;
  p.desired_digest = k_desired_digest;
  p.live_digest = k_live_digest;
  p.plugins = {"files.mirror", "packages.debian"};

  std::string text = plan_to_yaml(p);

  CHECK_THAT(text, Catch::Contains("\nactions: {}\n"));
  Value doc = parse(text);
  auto problems = schema_problems(doc);
  INFO(describe(problems));
  CHECK(problems.empty());
  auto back = plan_from_value(doc);
  REQUIRE(back);
  CHECK(back->actions.empty());
  CHECK(same_actions(p, *back));
}

TEST_CASE("a small plan's YAML matches the golden file byte for byte", "[plan]") {
  twin::testing::check_golden("plan_small.yaml", plan_to_yaml(small_plan()));
}
