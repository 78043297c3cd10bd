// SPDX-License-Identifier: MIT
// git twin undo as pure planning: what each plugin puts back for what an apply did, the
// order, what cannot be undone, and records that try to reach outside the roots.
#include <catch2/catch.hpp>

#include "core/undo.hpp"
#include "core/yaml_reader.hpp"
#include "plugins/files_mirror/undo.hpp"
#include "plugins/registry.hpp"

using namespace twin;

namespace {

Value record(const std::string& results) {
  std::string text = "format_version: 1\napplied_at: '2026-11-22T08:00:00Z'\nresults:\n" + results;
  auto v = parse_yaml(text, "plan/history/x.yaml");
  REQUIRE(v);
  return *v;
}

std::string result(const std::string& plugin, const std::string& op, const std::string& resource,
                   const std::string& change, const std::string& action,
                   const std::string& backups = "[]", const std::string& status = "done") {
  return "  - {id: " + plugin + "/" + op + resource + ", plugin: " + plugin + ", op: " + op +
         ", resource: '" + resource + "', change: " + change + ", status: " + status +
         ", backups: " + backups + ", action: " + action + "}\n";
}

UndoPlan undo_of(const Value& r, Config config = {}) {
  auto plan = plan_undo(r, "text", "plan/history/x.yaml", "head", plugins::all(), config);
  REQUIRE(plan);
  return *plan;
}

} // namespace

TEST_CASE("undo: files come back from their backups, new ones go, modes are set back", "[undo]") {
  Value r = record(result("files.mirror", "write_file", "/etc/motd", "modify",
                          "{path: /etc/motd, mode: '0644'}", "[/etc/motd.twinbak-20261122080000]") +
                   result("files.mirror", "write_file", "/etc/new.conf", "create",
                          "{path: /etc/new.conf, mode: '0644'}") +
                   result("files.mirror", "set_attributes", "/etc/shadow", "modify",
                          "{path: /etc/shadow, mode: '0600', was_mode: '0640'}") +
                   result("files.mirror", "remove", "/etc/old.conf", "remove",
                          "{path: /etc/old.conf}", "[/etc/old.conf.twinbak-20261122080000]") +
                   result("files.mirror", "write_file", "/etc/failed.conf", "modify",
                          "{path: /etc/failed.conf}", "[]", "failed"));
  UndoPlan undo = undo_of(r);
  CHECK(undo.cannot.empty());
  REQUIRE(undo.plan.actions.size() == 4); // the failed write changed nothing
  // Last done, first undone.
  CHECK(undo.plan.actions[0].op == "restore_backup");
  CHECK(undo.plan.actions[0].fields.get_string("backup") == "/etc/old.conf.twinbak-20261122080000");
  CHECK(undo.plan.actions[1].op == "set_attributes");
  CHECK(undo.plan.actions[1].fields.get_string("mode") == "0640");
  CHECK(undo.plan.actions[2].op == "remove");
  CHECK(undo.plan.actions[2].resource == "/etc/new.conf");
  CHECK(undo.plan.actions[3].op == "restore_backup");
  CHECK(undo.plan.actions[3].resource == "/etc/motd");
  CHECK(undo.plan.desired_commit == "head");
  CHECK(undo.plan.desired_digest.size() == 64);
}

TEST_CASE("undo: what cannot be put back is said, not guessed", "[undo]") {
  Value r = record(
      // Backups were off: a replaced file cannot come back, and is not removed either.
      result("files.mirror", "write_file", "/etc/motd", "modify", "{path: /etc/motd}") +
      // A record from before `change` was kept: read as modify.
      "  - {id: files.mirror/write_file/etc/x, plugin: files.mirror, op: write_file, "
      "resource: /etc/x, status: done, action: {path: /etc/x}}\n" +
      result("packages.debian", "install", "htop", "modify", "{package: htop, version: '3.2'}") +
      result("cron.user", "write_crontab", "alice", "modify", "{user: alice}") +
      result("no.such", "frob", "thing", "modify", "{}"));
  UndoPlan undo = undo_of(r);
  CHECK(undo.plan.actions.empty());
  REQUIRE(undo.cannot.size() == 5);
  // Plugins in reverse apply order, each one's actions last first.
  CHECK(undo.cannot[0].find("cron.user/write_crontabalice: cron.user cannot undo") == 0);
  CHECK(undo.cannot[1].find("files.mirror/write_file/etc/x: no backup was kept") == 0);
  CHECK(undo.cannot[2].find("files.mirror/write_file/etc/motd: no backup was kept") == 0);
  CHECK(undo.cannot[3].find("the version installed before is not recorded") != std::string::npos);
  CHECK(undo.cannot[4].find("plugin 'no.such' is not enabled") != std::string::npos);
}

TEST_CASE("undo: units and packages get the opposite op, in reverse apply order", "[undo]") {
  Value r = record(
      result("packages.debian", "install", "nginx", "create", "{package: nginx}") +
      result("services.systemd", "enable", "nginx.service", "create", "{unit: nginx.service}") +
      result("services.systemd", "restart", "nginx.service", "modify", "{unit: nginx.service}"));
  UndoPlan undo = undo_of(r);
  CHECK(undo.cannot.empty());
  REQUIRE(undo.plan.actions.size() == 2);
  CHECK(undo.plan.actions[0].plugin == "services.systemd"); // undone before the package goes
  CHECK(undo.plan.actions[0].op == "disable");
  CHECK(undo.plan.actions[1].id == "packages.debian/undo/remove/nginx");
}

TEST_CASE("undo: a record that reaches outside the roots changes nothing", "[undo]") {
  Config config; // filesystem_roots: /etc
  for (const char* path : {"/root/.ssh/authorized_keys", "/etc/../root/x"}) {
    Value r = record(result("files.mirror", "write_file", path, "create",
                            std::string("{path: '") + path + "'}"));
    auto plan = plan_undo(r, "text", "plan/history/x.yaml", "head", plugins::all(), config);
    REQUIRE_FALSE(plan);
    CHECK(plan.error().message.find("outside filesystem_roots") != std::string::npos);
  }
  // A restore only ever reads a backup of the same path.
  CHECK(files::is_backup_of("/etc/motd.twinbak-20261122080000", "/etc/motd"));
  CHECK(files::is_backup_of("/etc/motd.twinbak-20261122080000-1", "/etc/motd"));
  CHECK_FALSE(files::is_backup_of("/etc/shadow", "/etc/motd"));
  CHECK_FALSE(files::is_backup_of("/etc/motd.twinbak-", "/etc/motd"));
  CHECK_FALSE(files::is_backup_of("/etc/motd.twinbak-1/../../shadow", "/etc/motd"));
  std::vector<std::string> cannot;
  Action write;
  write.id = "files.mirror/write_file/etc/motd";
  write.plugin = "files.mirror";
  write.op = "write_file";
  write.resource = "/etc/motd";
  write.fields["path"] = "/etc/motd";
  auto undone = files::undo_file_action(
      write, {ActionOutcome::Status::done, "", {"/etc/shadow.twinbak-20261122080000"}}, cannot);
  CHECK(undone.empty()); // a backup of another path is not used
  CHECK(cannot.size() == 1);
}
