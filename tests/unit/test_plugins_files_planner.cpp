// SPDX-License-Identifier: MIT
// plan_files, the pure files.mirror planner: desired entries, the machine now and the
// machine at the last sync point in, actions / local drift / conflicts out, following the
// table of DESIGN.md section 2 path by path. Everything is built in code; the twin's
// content is a fake digest (twin_path -> sha256).
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/plugin.hpp"
#include "plugins/files_mirror/file_entry.hpp"
#include "plugins/files_mirror/planner.hpp"

using namespace twin;
using namespace twin::files;

namespace {

// Three distinct contents, as their sha256.
const std::string k_sha_a(64, 'a');
const std::string k_sha_b(64, 'b');
const std::string k_sha_c(64, 'c');

FileEntry machine_file(const std::string& path, const std::string& sha,
                       const std::string& mode = "0644", const std::string& owner = "root",
                       const std::string& group = "root") {
  FileEntry e;
  e.path = path;
  e.type = FileType::file;
  e.mode = mode;
  e.owner = owner;
  e.group = group;
  e.size = 42;
  e.sha256 = sha;
  e.content = Content::stored;
  return e;
}

FileEntry machine_dir(const std::string& path, const std::string& mode = "0755") {
  FileEntry e;
  e.path = path;
  e.type = FileType::directory;
  e.mode = mode;
  e.owner = "root";
  e.group = "root";
  return e;
}

FileEntry machine_symlink(const std::string& path, const std::string& target) {
  FileEntry e;
  e.path = path;
  e.type = FileType::symlink;
  e.mode = "0777";
  e.owner = "root";
  e.group = "root";
  e.target = target;
  return e;
}

FileEntry machine_fifo(const std::string& path) {
  FileEntry e;
  e.path = path;
  e.type = FileType::fifo;
  e.mode = "0600";
  e.owner = "root";
  e.group = "root";
  return e;
}

std::string twin_path_of(const std::string& path) {
  return "filesystem" + path;
}

// A managed regular file: content from filesystem/<path>, mode/owner/group as given
// (nullopt: that field is unmanaged).
DesiredFile desired_file(const std::string& path, std::optional<std::string> mode = "0644",
                         std::optional<std::string> owner = "root",
                         std::optional<std::string> group = "root") {
  DesiredFile d;
  d.path = path;
  d.type = FileType::file;
  d.twin_path = twin_path_of(path);
  d.mode = std::move(mode);
  d.owner = std::move(owner);
  d.group = std::move(group);
  return d;
}

DesiredFile desired_dir(const std::string& path, const std::string& mode = "0755") {
  DesiredFile d;
  d.path = path;
  d.type = FileType::directory;
  d.mode = mode;
  d.owner = "root";
  d.group = "root";
  return d;
}

DesiredFile desired_symlink(const std::string& path, const std::string& target) {
  DesiredFile d;
  d.path = path;
  d.type = FileType::symlink;
  d.target = target;
  return d;
}

DesiredFile desired_absent(const std::string& path) {
  DesiredFile d;
  d.path = path;
  d.absent = true;
  return d;
}

// One planning run: desired entries and their content, the machine, the base.
struct Scenario {
  std::vector<DesiredFile> desired;
  std::map<std::string, std::string> content; // twin_path -> sha256
  std::vector<FileEntry> live;
  std::optional<std::vector<FileEntry>> base = std::vector<FileEntry>{};

  PluginPlan plan(Prefer prefer = Prefer::none) const {
    ContentDigest digest = [this](const std::string& twin_path) -> std::optional<std::string> {
      auto it = content.find(twin_path);
      if (it == content.end())
        return std::nullopt;
      return it->second;
    };
    return plan_files(desired, live, base ? &*base : nullptr, digest, prefer);
  }
};

// /etc/motd with the given desired content and mode, on a machine and base as given.
Scenario motd(const std::string& desired_sha, const std::string& desired_mode,
              const FileEntry& base, const FileEntry& live) {
  Scenario s;
  s.desired = {desired_file("/etc/motd", desired_mode)};
  s.content[twin_path_of("/etc/motd")] = desired_sha;
  s.base = std::vector<FileEntry>{base};
  s.live = {live};
  return s;
}

const Action* find_action(const PluginPlan& plan, const std::string& id) {
  for (const Action& a : plan.actions)
    if (a.id == id)
      return &a;
  return nullptr;
}

std::vector<std::string> ids(const PluginPlan& plan) {
  std::vector<std::string> out;
  for (const Action& a : plan.actions)
    out.push_back(a.id);
  return out;
}

std::size_t position(const PluginPlan& plan, const std::string& id) {
  auto list = ids(plan);
  return static_cast<std::size_t>(std::find(list.begin(), list.end(), id) - list.begin());
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

} // namespace

TEST_CASE("each row of the sync table gives the planned outcome for one file", "[planner]") {
  struct Row {
    const char* meaning;
    std::string desired_sha, desired_mode;
    std::string base_sha, base_mode;
    std::string live_sha, live_mode;
    const char* op; // "" : no action
    bool drift;
    bool conflict;
  };
  auto row = GENERATE(values<Row>({
      {"in sync", k_sha_a, "0644", k_sha_a, "0644", k_sha_a, "0644", "", false, false},
      {"desired content changed", k_sha_b, "0644", k_sha_a, "0644", k_sha_a, "0644", "write_file",
       false, false},
      {"desired mode changed", k_sha_a, "0600", k_sha_a, "0644", k_sha_a, "0644", "set_attributes",
       false, false},
      {"machine changed by hand", k_sha_a, "0644", k_sha_a, "0644", k_sha_b, "0600", "", true,
       false},
      {"both changed to the same", k_sha_b, "0600", k_sha_a, "0644", k_sha_b, "0600", "", false,
       false},
      {"both changed differently", k_sha_b, "0644", k_sha_a, "0644", k_sha_c, "0644", "", false,
       true},
  }));
  INFO("row: " << row.meaning);

  Scenario s = motd(row.desired_sha, row.desired_mode,
                    machine_file("/etc/motd", row.base_sha, row.base_mode),
                    machine_file("/etc/motd", row.live_sha, row.live_mode));
  PluginPlan plan = s.plan();

  if (std::string(row.op).empty()) {
    CHECK(plan.actions.empty());
  } else {
    REQUIRE(plan.actions.size() == 1);
    CHECK(plan.actions[0].op == row.op);
  }
  CHECK(contains(plan.local_drift, "/etc/motd") == row.drift);
  CHECK(plan.conflicts.size() == (row.conflict ? 1u : 0u));
}

TEST_CASE("a file whose content changed in the twin is rewritten with all its attributes",
          "[planner]") {
  Scenario s = motd(k_sha_b, "0640", machine_file("/etc/motd", k_sha_a, "0640", "root", "adm"),
                    machine_file("/etc/motd", k_sha_a, "0640", "root", "adm"));
  s.desired[0].group = "adm";

  PluginPlan plan = s.plan();

  REQUIRE(plan.actions.size() == 1);
  const Action& a = plan.actions[0];
  CHECK(a.id == "files.mirror/write_file/etc/motd");
  CHECK(a.plugin == "files.mirror");
  CHECK(a.op == "write_file");
  CHECK(a.resource == "/etc/motd");
  CHECK(a.change == Action::Change::modify);
  CHECK(a.fields.get_string("path") == "/etc/motd");
  CHECK(a.fields.get_string("from") == "filesystem/etc/motd");
  CHECK(a.fields.get_string("sha256") == k_sha_b);
  CHECK(a.fields.get_string("mode") == "0640");
  CHECK(a.fields.get_string("owner") == "root");
  CHECK(a.fields.get_string("group") == "adm");
  CHECK(a.depends_on.empty());
  CHECK(plan.conflicts.empty());
  CHECK(plan.local_drift.empty());
}

TEST_CASE("a mode changed in the twin is a chmod, without rewriting the content", "[planner]") {
  Scenario s = motd(k_sha_a, "0600", machine_file("/etc/motd", k_sha_a, "0644"),
                    machine_file("/etc/motd", k_sha_a, "0644"));

  PluginPlan plan = s.plan();

  REQUIRE(plan.actions.size() == 1);
  const Action& a = plan.actions[0];
  CHECK(a.id == "files.mirror/set_attributes/etc/motd");
  CHECK(a.change == Action::Change::modify);
  CHECK(a.fields.get_string("path") == "/etc/motd");
  CHECK(a.fields.get_string("mode") == "0600");
  CHECK(a.fields.find("owner") == nullptr);
  CHECK(a.fields.find("group") == nullptr);
  CHECK(a.fields.find("from") == nullptr);
  CHECK(a.fields.get_string("was_mode") == "0644"); // what git twin undo sets back
  CHECK(a.fields.as_map().size() == 3);             // path, mode, was_mode
}

TEST_CASE("an owner changed in the twin is a chown of the owner only", "[planner]") {
  Scenario s =
      motd(k_sha_a, "0644", machine_file("/etc/motd", k_sha_a), machine_file("/etc/motd", k_sha_a));
  s.desired[0].owner = "alice";

  PluginPlan plan = s.plan();

  REQUIRE(plan.actions.size() == 1);
  const Action& a = plan.actions[0];
  CHECK(a.op == "set_attributes");
  CHECK(a.fields.get_string("owner") == "alice");
  CHECK(a.fields.find("mode") == nullptr);
  CHECK(a.fields.find("group") == nullptr);
}

TEST_CASE("a file changed by hand on the machine is local drift and is not undone", "[planner]") {
  Scenario s = motd(k_sha_a, "0644", machine_file("/etc/motd", k_sha_a, "0644"),
                    machine_file("/etc/motd", k_sha_b, "0644"));

  PluginPlan plan = s.plan();

  CHECK(plan.actions.empty());
  CHECK(plan.conflicts.empty());
  CHECK(plan.local_drift == std::vector<std::string>{"/etc/motd"});
}

TEST_CASE("the same change made in the twin and on the machine needs nothing", "[planner]") {
  Scenario s = motd(k_sha_b, "0600", machine_file("/etc/motd", k_sha_a, "0644"),
                    machine_file("/etc/motd", k_sha_b, "0600"));

  PluginPlan plan = s.plan();

  CHECK(plan.actions.empty());
  CHECK(plan.conflicts.empty());
  CHECK(plan.local_drift.empty());
}

TEST_CASE("different changes in the twin and on the machine are a conflict naming the fields",
          "[planner]") {
  Scenario s = motd(k_sha_b, "0600", machine_file("/etc/motd", k_sha_a, "0644"),
                    machine_file("/etc/motd", k_sha_c, "0640"));

  PluginPlan plan = s.plan();

  CHECK(plan.actions.empty());
  REQUIRE(plan.conflicts.size() == 1);
  const Conflict& c = plan.conflicts[0];
  CHECK(c.plugin == "files.mirror");
  CHECK(c.resource == "/etc/motd");
  CHECK_THAT(c.detail, Catch::Contains("content"));
  CHECK_THAT(c.detail, Catch::Contains("mode"));
  CHECK_THAT(c.detail, !Catch::Contains("owner"));
  // Never the content itself (nor its digest).
  CHECK_THAT(c.detail, !Catch::Contains(k_sha_b));
  CHECK_THAT(c.detail, !Catch::Contains(k_sha_c));
}

TEST_CASE("apply --prefer desired turns a conflict into the actions that restore the twin",
          "[planner]") {
  Scenario s = motd(k_sha_b, "0644", machine_file("/etc/motd", k_sha_a, "0644"),
                    machine_file("/etc/motd", k_sha_c, "0644"));

  PluginPlan plan = s.plan(Prefer::desired);

  CHECK(plan.conflicts.empty());
  REQUIRE(plan.actions.size() == 1);
  CHECK(plan.actions[0].id == "files.mirror/write_file/etc/motd");
  CHECK(plan.actions[0].fields.get_string("sha256") == k_sha_b);
}

TEST_CASE("apply --prefer live keeps the conflict for apply to adopt, with no action",
          "[planner]") {
  Scenario s = motd(k_sha_b, "0644", machine_file("/etc/motd", k_sha_a, "0644"),
                    machine_file("/etc/motd", k_sha_c, "0644"));

  PluginPlan plan = s.plan(Prefer::live);

  CHECK(plan.actions.empty());
  REQUIRE(plan.conflicts.size() == 1);
  CHECK(plan.conflicts[0].resource == "/etc/motd");
}

TEST_CASE("a file new in the twin is created on the machine", "[planner]") {
  Scenario s;
  s.desired = {desired_file("/etc/new.conf", "0640", "root", "adm")};
  s.content["filesystem/etc/new.conf"] = k_sha_a;

  PluginPlan plan = s.plan();

  REQUIRE(plan.actions.size() == 1);
  const Action& a = plan.actions[0];
  CHECK(a.id == "files.mirror/write_file/etc/new.conf");
  CHECK(a.change == Action::Change::create);
  CHECK(a.fields.get_string("from") == "filesystem/etc/new.conf");
  CHECK(a.fields.get_string("sha256") == k_sha_a);
  CHECK(a.fields.get_string("mode") == "0640");
  CHECK(a.fields.get_string("owner") == "root");
  CHECK(a.fields.get_string("group") == "adm");
  CHECK(plan.conflicts.empty());
  CHECK(plan.local_drift.empty());
}

TEST_CASE("ensure absent removes a file that is still on the machine", "[planner]") {
  Scenario s;
  s.desired = {desired_absent("/etc/old.conf")};
  s.base = std::vector<FileEntry>{machine_file("/etc/old.conf", k_sha_a)};
  s.live = {machine_file("/etc/old.conf", k_sha_a)};

  PluginPlan plan = s.plan();

  REQUIRE(plan.actions.size() == 1);
  const Action& a = plan.actions[0];
  CHECK(a.id == "files.mirror/remove/etc/old.conf");
  CHECK(a.op == "remove");
  CHECK(a.change == Action::Change::remove);
  CHECK(a.fields.get_string("path") == "/etc/old.conf");
  CHECK(a.fields.get_string("type") == "file");
}

TEST_CASE("ensure absent for a file already gone needs nothing", "[planner]") {
  Scenario s;
  s.desired = {desired_absent("/etc/old.conf")};

  PluginPlan plan = s.plan();

  CHECK(plan.actions.empty());
  CHECK(plan.conflicts.empty());
  CHECK(plan.local_drift.empty());
}

TEST_CASE("a directory new in the twin is created with its mode and owner", "[planner]") {
  Scenario s;
  s.desired = {desired_dir("/srv/app", "0750")};

  PluginPlan plan = s.plan();

  REQUIRE(plan.actions.size() == 1);
  const Action& a = plan.actions[0];
  CHECK(a.id == "files.mirror/create_directory/srv/app");
  CHECK(a.change == Action::Change::create);
  CHECK(a.fields.get_string("mode") == "0750");
  CHECK(a.fields.get_string("owner") == "root");
  CHECK(a.fields.get_string("group") == "root");
}

TEST_CASE("a new file inside a new directory waits for the directory", "[planner]") {
  Scenario s;
  // Listed child first: the planner, not the state file's order, puts parents first.
  s.desired = {desired_file("/srv/app/app.conf"), desired_dir("/srv/app")};
  s.content["filesystem/srv/app/app.conf"] = k_sha_a;

  PluginPlan plan = s.plan();

  REQUIRE(plan.actions.size() == 2);
  const std::string dir_id = "files.mirror/create_directory/srv/app";
  const std::string file_id = "files.mirror/write_file/srv/app/app.conf";
  CHECK(position(plan, dir_id) < position(plan, file_id));
  const Action* file = find_action(plan, file_id);
  REQUIRE(file != nullptr);
  CHECK(file->depends_on == std::vector<std::string>{dir_id});
  const Action* dir = find_action(plan, dir_id);
  REQUIRE(dir != nullptr);
  CHECK(dir->depends_on.empty());
}

TEST_CASE("removals go children first, and a directory's removal waits for its children",
          "[planner]") {
  Scenario s;
  s.desired = {desired_absent("/srv/old"), desired_absent("/srv/old/a.conf"),
               desired_absent("/srv/old/sub"), desired_absent("/srv/old/sub/b.conf")};
  std::vector<FileEntry> machine = {
      machine_dir("/srv/old"), machine_file("/srv/old/a.conf", k_sha_a),
      machine_dir("/srv/old/sub"), machine_file("/srv/old/sub/b.conf", k_sha_b)};
  s.base = machine;
  s.live = machine;

  PluginPlan plan = s.plan();

  const std::string top = "files.mirror/remove/srv/old";
  const std::string a = "files.mirror/remove/srv/old/a.conf";
  const std::string sub = "files.mirror/remove/srv/old/sub";
  const std::string b = "files.mirror/remove/srv/old/sub/b.conf";
  REQUIRE(plan.actions.size() == 4);
  CHECK(position(plan, b) < position(plan, sub));
  CHECK(position(plan, sub) < position(plan, top));
  CHECK(position(plan, a) < position(plan, top));

  const Action* top_action = find_action(plan, top);
  const Action* sub_action = find_action(plan, sub);
  REQUIRE(top_action != nullptr);
  REQUIRE(sub_action != nullptr);
  CHECK(contains(top_action->depends_on, a));
  CHECK(contains(top_action->depends_on, sub));
  CHECK(sub_action->depends_on == std::vector<std::string>{b});
  CHECK(find_action(plan, b)->depends_on.empty());
  CHECK(top_action->fields.get_string("type") == "directory");
}

TEST_CASE("a symlink whose target changed in the twin is recreated", "[planner]") {
  Scenario s;
  s.desired = {desired_symlink("/etc/localtime", "/usr/share/zoneinfo/Europe/Paris")};
  s.base = std::vector<FileEntry>{machine_symlink("/etc/localtime", "/usr/share/zoneinfo/UTC")};
  s.live = {machine_symlink("/etc/localtime", "/usr/share/zoneinfo/UTC")};

  PluginPlan plan = s.plan();

  REQUIRE(plan.actions.size() == 1);
  const Action& a = plan.actions[0];
  CHECK(a.id == "files.mirror/create_symlink/etc/localtime");
  CHECK(a.change == Action::Change::modify);
  CHECK(a.fields.get_string("target") == "/usr/share/zoneinfo/Europe/Paris");
}

TEST_CASE("a mode the twin does not manage is never changed back", "[planner]") {
  Scenario s;
  s.desired = {desired_file("/etc/motd", std::nullopt)}; // no mode: unmanaged
  s.content["filesystem/etc/motd"] = k_sha_a;
  s.base = std::vector<FileEntry>{machine_file("/etc/motd", k_sha_a, "0644")};
  s.live = {machine_file("/etc/motd", k_sha_a, "0600")};

  PluginPlan plan = s.plan();

  CHECK(plan.actions.empty());
  CHECK(plan.conflicts.empty());
  CHECK(plan.local_drift.empty());
}

TEST_CASE("an owner change leaves an unmanaged mode alone even when the machine changed it",
          "[planner]") {
  Scenario s;
  s.desired = {desired_file("/etc/motd", std::nullopt, "alice")};
  s.content["filesystem/etc/motd"] = k_sha_a;
  s.base = std::vector<FileEntry>{machine_file("/etc/motd", k_sha_a, "0644")};
  s.live = {machine_file("/etc/motd", k_sha_a, "0600")};

  PluginPlan plan = s.plan();

  REQUIRE(plan.actions.size() == 1);
  CHECK(plan.actions[0].op == "set_attributes");
  CHECK(plan.actions[0].fields.get_string("owner") == "alice");
  CHECK(plan.actions[0].fields.find("mode") == nullptr);
}

TEST_CASE("special files such as FIFOs are never managed", "[planner]") {
  Scenario s;
  s.desired = {desired_file("/run/app.fifo")};
  s.content["filesystem/run/app.fifo"] = k_sha_a;
  s.base = std::vector<FileEntry>{machine_fifo("/run/app.fifo")};
  s.live = {machine_fifo("/run/app.fifo")};

  PluginPlan plan = s.plan();

  CHECK(plan.actions.empty());
  CHECK(plan.conflicts.empty());
  CHECK(plan.local_drift.empty());
}

TEST_CASE("paths the twin does not mention are unmanaged and never touched", "[planner]") {
  Scenario s;
  s.base = std::vector<FileEntry>{machine_file("/etc/hosts", k_sha_a)};
  s.live = {machine_file("/etc/hosts", k_sha_b, "0600")};

  PluginPlan plan = s.plan();

  CHECK(plan.actions.empty());
  CHECK(plan.conflicts.empty());
  CHECK(plan.local_drift.empty());
}

TEST_CASE("without a sync base the machine is the base, so any difference is planned",
          "[planner]") {
  Scenario s;
  s.desired = {desired_file("/etc/motd", "0600")};
  s.content["filesystem/etc/motd"] = k_sha_b;
  s.base.reset();
  s.live = {machine_file("/etc/motd", k_sha_a, "0644")};

  PluginPlan plan = s.plan();

  CHECK(plan.conflicts.empty());
  CHECK(plan.local_drift.empty());
  REQUIRE(plan.actions.size() == 1);
  CHECK(plan.actions[0].id == "files.mirror/write_file/etc/motd");
  CHECK(plan.actions[0].fields.get_string("mode") == "0600");
}

TEST_CASE("action ids are stable across runs and name plugin, op and path", "[planner]") {
  Scenario s;
  s.desired = {desired_file("/etc/motd"), desired_dir("/srv/new"), desired_absent("/etc/old.conf")};
  s.content["filesystem/etc/motd"] = k_sha_b;
  s.base = std::vector<FileEntry>{machine_file("/etc/motd", k_sha_a),
                                  machine_file("/etc/old.conf", k_sha_a)};
  s.live = *s.base;

  PluginPlan first = s.plan();
  PluginPlan second = s.plan();

  CHECK(ids(first) == ids(second));
  CHECK(contains(ids(first), "files.mirror/write_file/etc/motd"));
  CHECK(contains(ids(first), "files.mirror/create_directory/srv/new"));
  CHECK(contains(ids(first), "files.mirror/remove/etc/old.conf"));
  // Creations before removals.
  CHECK(position(first, "files.mirror/remove/etc/old.conf") == 2);
}
