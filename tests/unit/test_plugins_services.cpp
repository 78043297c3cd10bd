// SPDX-License-Identifier: MIT
// services.systemd: unit names, the [Install] parser, the native unit-file state reader
// (checked unit by unit against the real `systemctl --root list-unit-files` on this machine
// and on fixture roots), the pure planner and adoption, and apply through a fake runner.
#include <catch2/catch.hpp>

#include "plan_support.hpp"
#include "test_support.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/plugin.hpp"
#include "core/runner.hpp"
#include "core/schema.hpp"
#include "core/system_root.hpp"
#include "core/yaml_emitter.hpp"
#include "core/yaml_reader.hpp"
#include "plugins/services_systemd/adoption.hpp"
#include "plugins/services_systemd/install_section.hpp"
#include "plugins/services_systemd/planner.hpp"
#include "plugins/services_systemd/services_plugin.hpp"
#include "plugins/services_systemd/unit_files.hpp"
#include "plugins/services_systemd/unit_name.hpp"

using namespace twin;
using twin_test::ids;
using namespace twin::services;
namespace fs = std::filesystem;

using twin_test::TempDir;
using twin_test::write_file;

namespace {

// systemctl's view of a root: unit -> state, or nullopt when systemctl is not installed.
std::optional<std::map<std::string, std::string>> systemctl_states(const std::string& root) {
  Command c;
  c.argv = {"systemctl", "--root=" + root, "list-unit-files", "-o", "json", "--no-pager"};
  c.timeout = std::chrono::seconds(60);
  c.env["SYSTEMD_LOG_LEVEL"] = "err";
  auto done = process_runner().run(c);
  if (!done)
    return std::nullopt; // not installed
  REQUIRE(done->ok());
  auto doc = parse_yaml_full(done->out, "systemctl output"); // JSON is YAML
  REQUIRE(doc);
  std::map<std::string, std::string> out;
  for (const Value& item : doc->as_list())
    out[item.get_string("unit_file")] = item.get_string("state");
  return out;
}

std::map<std::string, std::string> native_states(const std::string& root) {
  auto system_root = SystemRoot::open(root);
  REQUIRE(system_root);
  UnitFileReader reader(*system_root);
  std::map<std::string, std::string> out;
  for (const auto& u : reader.list())
    out[u.name] = u.state;
  return out;
}

// Compares every unit; returns how many were compared (0 when systemctl is missing).
std::size_t compare_with_systemctl(const std::string& root) {
  auto expected = systemctl_states(root);
  if (!expected) {
    WARN("systemctl is not installed: the oracle comparison is skipped");
    return 0;
  }
  auto actual = native_states(root);
  for (const auto& [unit, state] : *expected) {
    CAPTURE(root, unit);
    auto it = actual.find(unit);
    REQUIRE(it != actual.end());
    CHECK(it->second == state);
  }
  for (const auto& [unit, state] : actual) {
    CAPTURE(root, unit, state);
    CHECK(expected->count(unit) == 1);
  }
  return expected->size();
}

void symlink(const fs::path& link, const std::string& target) {
  fs::create_directories(link.parent_path());
  fs::create_symlink(target, link);
}

const char* const k_service = "[Unit]\nDescription=x\n[Service]\nExecStart=/bin/true\n";

} // namespace

TEST_CASE("unit states of this machine: the same as systemctl list-unit-files", "[services]") {
  std::size_t compared = compare_with_systemctl("/");
  WARN("units compared with systemctl on /: " << compared);
  if (compared)
    CHECK(compared > 20);
}

TEST_CASE("unit states of a fixture root: every case agrees with systemctl", "[services]") {
  TempDir dir("services");
  fs::path r = dir.path();
  fs::path usr = r / "usr/lib/systemd/system";
  fs::path etc = r / "etc/systemd/system";
  fs::create_directories(r / "usr/lib");
  fs::create_symlink("usr/lib", r / "lib"); // merged /usr, as on this machine
  fs::create_directories(r / "dev");
  // enabled through a wants symlink (absolute target through /lib)
  write_file(usr / "web.service",
             std::string(k_service) + "[Install]\nWantedBy=multi-user.target\n");
  symlink(etc / "multi-user.target.wants/web.service", "/lib/systemd/system/web.service");
  // disabled: has [Install] rules, no symlink
  write_file(usr / "idle.service",
             std::string(k_service) + "[Install]\nWantedBy=multi-user.target\n");
  // static: no [Install]
  write_file(usr / "plain.service", k_service);
  write_file(usr / "multi-user.target", "[Unit]\nDescription=m\n");
  // alias: Alias= and its symlink in /etc; the alias name reports "alias"
  write_file(usr / "db.service",
             std::string(k_service) +
                 "[Install]\nAlias=database.service\nWantedBy=multi-user.target\n");
  symlink(etc / "database.service", "/usr/lib/systemd/system/db.service");
  // vendor alias (relative symlink in the same directory)
  symlink(usr / "olddb.service", "db.service");
  // masked (symlink to /dev/null) and masked by an empty file; runtime mask in /run
  write_file(usr / "bt.service",
             std::string(k_service) + "[Install]\nWantedBy=multi-user.target\n");
  symlink(etc / "bt.service", "/dev/null");
  write_file(etc / "empty.service", "");
  write_file(usr / "rt.service",
             std::string(k_service) + "[Install]\nWantedBy=multi-user.target\n");
  symlink(r / "run/systemd/system/rt.service", "/dev/null");
  // enabled-runtime through /run
  write_file(usr / "rten.service",
             std::string(k_service) + "[Install]\nWantedBy=multi-user.target\n");
  symlink(r / "run/systemd/system/multi-user.target.wants/rten.service",
          "/usr/lib/systemd/system/rten.service");
  // indirect through Also= only
  write_file(usr / "sock-helper.service",
             std::string(k_service) + "[Install]\nAlso=helper.socket\n");
  write_file(usr / "helper.socket",
             "[Socket]\nListenStream=/run/h\n[Install]\nWantedBy=sockets.target\n");
  // template with DefaultInstance, enabled through its default instance
  write_file(usr / "getty@.service",
             std::string(k_service) + "[Install]\nWantedBy=getty.target\nDefaultInstance=tty1\n");
  symlink(etc / "getty.target.wants/getty@tty1.service", "/usr/lib/systemd/system/getty@.service");
  // template without DefaultInstance, an instance of it symlinked: enabled
  write_file(usr / "worker@.service",
             std::string(k_service) + "[Install]\nWantedBy=multi-user.target\n");
  symlink(etc / "multi-user.target.wants/worker@a.service",
          "/usr/lib/systemd/system/worker@.service");
  // disabled template
  write_file(usr / "job@.service",
             std::string(k_service) + "[Install]\nWantedBy=multi-user.target\n");
  // linked: a unit file outside the search path
  write_file(r / "opt/app/app.service",
             std::string(k_service) + "[Install]\nWantedBy=multi-user.target\n");
  symlink(etc / "app.service", "/opt/app/app.service");
  // linked-runtime
  write_file(r / "opt/app/rtapp.service",
             std::string(k_service) + "[Install]\nWantedBy=multi-user.target\n");
  symlink(r / "run/systemd/system/rtapp.service", "/opt/app/rtapp.service");
  // a drop-in adds the [Install] section to an otherwise static unit: disabled
  write_file(usr / "dropped.service", k_service);
  write_file(etc / "dropped.service.d/install.conf", "[Install]\nWantedBy=multi-user.target\n");
  // a drop-in of a vendor unit clearing WantedBy= with an empty assignment: static
  write_file(usr / "cleared.service",
             std::string(k_service) + "[Install]\nWantedBy=multi-user.target\n");
  write_file(etc / "cleared.service.d/x.conf", "[Install]\nWantedBy=\n");
  // continuation lines and comments inside [Install]
  write_file(usr / "cont.service", std::string(k_service) +
                                       "[Install]\n# comment\n; other\nWantedBy=\\\n"
                                       "# inside\n  multi-user.target\n");
  // generated and transient units
  write_file(r / "run/systemd/generator/gen.service", k_service);
  write_file(r / "run/systemd/transient/tr.service", k_service);
  // a dangling alias and an unparsable file: bad
  symlink(etc / "dangling.service", "/usr/lib/systemd/system/missing.service");
  write_file(usr / "broken.service", "[Unit\nDescription=x\n");
  // an override in /etc shadows the vendor file of the same name
  write_file(usr / "over.service",
             std::string(k_service) + "[Install]\nWantedBy=multi-user.target\n");
  write_file(etc / "over.service", k_service);
  // hidden and backup files are not units
  write_file(usr / ".hidden.service", k_service);
  write_file(usr / "x.service.dpkg-old", k_service);
  // a .requires symlink and an alias of a target
  write_file(usr / "req.service",
             std::string(k_service) + "[Install]\nRequiredBy=multi-user.target\n");
  symlink(etc / "multi-user.target.requires/req.service", "/usr/lib/systemd/system/req.service");
  // a unit enabled by a symlink in a vendor .wants directory: static (for plain names,
  // indirect only if the name is used), and an instance enabled that way: static
  write_file(usr / "vend.service",
             std::string(k_service) + "[Install]\nWantedBy=multi-user.target\n");
  symlink(usr / "multi-user.target.wants/vend.service", "../vend.service");
  // Links the per-directory symlink index must match like systemd's scans: same-name links
  // in /run and /etc, .wants links by an Alias= name, by another name, hidden or backup
  // names, an instance of a template with another DefaultInstance, the .control and
  // generator directories, one unit linked both by its name and from a .wants directory.
  std::string wanted = std::string(k_service) + "[Install]\nWantedBy=multi-user.target\n";
  write_file(usr / "samerun.service", wanted);
  symlink(r / "run/systemd/system/samerun.service", "/usr/lib/systemd/system/samerun.service");
  write_file(usr / "sameetc.service", wanted);
  symlink(etc / "sameetc.service", "/lib/systemd/system/sameetc.service");
  write_file(usr / "al.service",
             std::string(k_service) + "[Install]\nAlias=al2.service\nWantedBy=multi-user.target\n");
  symlink(etc / "multi-user.target.wants/al2.service", "/usr/lib/systemd/system/al.service");
  write_file(usr / "other.service", wanted);
  symlink(etc / "multi-user.target.wants/otheralias.service",
          "/usr/lib/systemd/system/other.service");
  symlink(etc / "multi-user.target.wants/.hid.service", "/usr/lib/systemd/system/idle.service");
  symlink(etc / "multi-user.target.wants/plain.service.bak",
          "/usr/lib/systemd/system/plain.service");
  write_file(usr / "tp@.service", wanted + "DefaultInstance=x\n");
  symlink(etc / "multi-user.target.wants/tp@y.service", "/usr/lib/systemd/system/tp@.service");
  write_file(usr / "ctl.service", wanted);
  symlink(r / "etc/systemd/system.control/multi-user.target.wants/ctl.service",
          "/usr/lib/systemd/system/ctl.service");
  write_file(usr / "ctlrun.service", wanted);
  symlink(r / "run/systemd/system.control/multi-user.target.wants/ctlrun.service",
          "/usr/lib/systemd/system/ctlrun.service");
  write_file(usr / "gen2.service", wanted);
  symlink(r / "run/systemd/generator/multi-user.target.wants/gen2.service",
          "/usr/lib/systemd/system/gen2.service");
  write_file(usr / "ind.service", wanted);
  symlink(etc / "somewhere.target.wants/indname.service", "/usr/lib/systemd/system/ind.service");
  write_file(usr / "wt.service", wanted);
  symlink(etc / "multi-user.target.wants/wt.service", "/nonexistent/wt.service");
  write_file(usr / "vinst@.service", wanted);
  symlink(usr / "multi-user.target.wants/vinst@a.service", "../vinst@.service");
  write_file(usr / "inst@.service", wanted);
  symlink(etc / "inst@one.service", "/usr/lib/systemd/system/inst@.service");
  write_file(r / "opt/app/both.service", wanted);
  symlink(etc / "both.service", "/opt/app/both.service");
  symlink(etc / "multi-user.target.wants/both.service", "/opt/app/both.service");
  write_file(usr / "rs.service", wanted);
  symlink(r / "run/systemd/system/rs.service", "/usr/lib/systemd/system/rs.service");
  symlink(etc / "multi-user.target.wants/rs.service", "/usr/lib/systemd/system/rs.service");
  symlink(etc / "chain1.service", "chain2.service");
  write_file(usr / "chained.service", k_service);
  symlink(etc / "chain2.service", "/usr/lib/systemd/system/chained.service");
  symlink(etc / "tohidden.service", "/usr/lib/systemd/system/.hidden.service");
  write_file(usr / "foo@x.mount", "[Mount]\nWhat=/x\n");

  std::size_t compared = compare_with_systemctl(r.string());
  if (compared)
    CHECK(compared >= 48);
  // The native reader alone, for machines without systemctl.
  auto native = native_states(r.string());
  CHECK(native.at("web.service") == "enabled");
  CHECK(native.at("idle.service") == "disabled");
  CHECK(native.at("plain.service") == "static");
  CHECK(native.at("database.service") == "alias");
  CHECK(native.at("bt.service") == "masked");
  CHECK(native.at("empty.service") == "masked");
  CHECK(native.at("rt.service") == "masked-runtime");
  CHECK(native.at("rten.service") == "enabled-runtime");
  CHECK(native.at("sock-helper.service") == "indirect");
  CHECK(native.at("getty@.service") == "enabled");
  CHECK(native.at("app.service") == "linked");
  CHECK(native.at("dropped.service") == "disabled");
  CHECK(native.at("cont.service") == "disabled");
  CHECK(native.at("gen.service") == "generated");
  CHECK(native.at("tr.service") == "transient");
  CHECK(native.at("dangling.service") == "bad");
  CHECK(native.at("broken.service") == "bad");
  CHECK(native.count(".hidden.service") == 0);
}

TEST_CASE("unit names: systemd's rules and git-twin's refusals", "[services]") {
  CHECK(classify_unit_name("ssh.service") == UnitNameKind::plain);
  CHECK(classify_unit_name("getty@.service") == UnitNameKind::template_);
  CHECK(classify_unit_name("getty@tty1.service") == UnitNameKind::instance);
  CHECK(classify_unit_name("-.mount") == UnitNameKind::plain);
  CHECK(classify_unit_name("@x.service") == UnitNameKind::invalid);
  CHECK(classify_unit_name("x.servic") == UnitNameKind::invalid);
  CHECK(classify_unit_name(".service") == UnitNameKind::invalid);
  CHECK(classify_unit_name(std::string(251, 'a') + ".service") == UnitNameKind::invalid);
  CHECK(classify_unit_name(std::string(240, 'a') + ".service") == UnitNameKind::plain);
  CHECK(unit_template_of("getty@tty1.service") == "getty@.service");
  CHECK(unit_instance_of("getty@tty1.service") == "tty1");
  CHECK(unit_replace_instance("getty@.service", "tty2") == "getty@tty2.service");

  for (const char* good : {"ssh.service", "-.mount", "-.slice", "getty@tty1.service",
                           "systemd-fsck@dev-disk-by\\x2duuid-1.service", "a:b.timer"}) {
    CAPTURE(good);
    CHECK(check_unit_name(good).empty());
  }
  const std::pair<const char*, const char*> bad[] = {
      {"-x.service", "start with '-'"}, {"a;b.service", "';'"},
      {"a b.service", "whitespace"},    {"../x.service", "'/'"},
      {"x.service\n", "line breaks"},   {"x.servic", "not a systemd unit type"},
      {"$(reboot).service", "'$'"},     {"", "empty"},
      {"noext", "type suffix"},         {"@x.service", "start with '@'"},
      {"a|b.service", "'|'"},           {"a`b`.service", "'`'"}};
  for (const auto& [name, why] : bad) {
    CAPTURE(name);
    CHECK_THAT(check_unit_name(name), Catch::Contains(why));
  }
}

TEST_CASE("unit files: comments, continuations and the [Install] lists", "[services]") {
  CHECK(unit_file_lines("a=1\\\n# c\n; d\n  b\\\nc\n\n  [S]  \n") ==
        std::vector<std::string>{"a=1   b c", "[S]"});
  CHECK(unit_file_lines("a=x\\\\\nb=y\r\nc=z\rd") ==
        std::vector<std::string>{"a=x\\\\", "b=y", "c=z", "d"});

  InstallSection install;
  REQUIRE(parse_install_section("[Unit]\nWantedBy=not-install.target\n"
                                "[Install]\nWantedBy=a.target \"b.target\"\n"
                                "WantedBy=c.target\nAlias=x.service\nAlso=y.socket z.service\n"
                                "RequiredBy=r.target\nUpheldBy=u.target\nbogus line\n"
                                "[X-Other]\nWantedBy=nope.target\n",
                                "p.service", install));
  CHECK(install.wanted_by == std::vector<std::string>{"a.target", "b.target", "c.target"});
  CHECK(install.aliases == std::vector<std::string>{"x.service"});
  CHECK(install.also == std::vector<std::string>{"y.socket", "z.service"});
  CHECK(install.required_by == std::vector<std::string>{"r.target"});
  CHECK(install.upheld_by == std::vector<std::string>{"u.target"});
  CHECK(install.has_rules());

  // A drop-in adds to what the unit file gave; an empty assignment clears a list.
  REQUIRE(parse_install_section("[Install]\nWantedBy=\nWantedBy=d.target\n", "p.service", install));
  CHECK(install.wanted_by == std::vector<std::string>{"d.target"});

  // DefaultInstance= only for templates; Alias= not for mounts.
  InstallSection t;
  REQUIRE(parse_install_section("[Install]\nDefaultInstance=tty1\n", "getty@.service", t));
  CHECK(t.default_instance == "tty1");
  InstallSection i;
  REQUIRE(parse_install_section("[Install]\nDefaultInstance=tty1\n", "getty@a.service", i));
  CHECK(!i.default_instance);
  InstallSection m;
  REQUIRE(parse_install_section("[Install]\nAlias=y.mount\n", "x.mount", m));
  CHECK(m.aliases.empty());
  CHECK(!m.has_rules());

  // What makes systemd fail the whole file.
  InstallSection x;
  CHECK_FALSE(parse_install_section("[Install\nWantedBy=a.target\n", "p.service", x));
  CHECK_FALSE(parse_install_section("[Install]\nAlso=not/a/unit\n", "p.service", x));
  CHECK_FALSE(parse_install_section("[Install]\nWantedBy=\xff\xfe\n", "p.service", x));
  CHECK(parse_install_section("# [Broken\n[Install]\n", "p.service", x));
}

namespace {

ObservedUnit unit(const std::string& name, const std::string& state,
                  std::optional<std::string> active = std::nullopt) {
  ObservedUnit u;
  u.name = name;
  u.state = state;
  u.enabled = state == "enabled" || state == "enabled-runtime";
  u.masked = state == "masked" || state == "masked-runtime";
  u.active = std::move(active);
  return u;
}

Observed machine(std::vector<ObservedUnit> units, bool running = false) {
  Observed o;
  o.units = std::move(units);
  std::sort(o.units.begin(), o.units.end(),
            [](const ObservedUnit& a, const ObservedUnit& b) { return a.name < b.name; });
  o.systemd_running = running;
  return o;
}

DesiredUnit want(const std::string& name, std::optional<bool> enabled,
                 std::optional<bool> masked = std::nullopt,
                 std::optional<bool> running = std::nullopt) {
  return DesiredUnit{name, enabled, masked, running, {}};
}

} // namespace

TEST_CASE("planner: each sync case per field", "[services]") {
  struct Case {
    const char* what;
    DesiredUnit desired;
    std::string base_state, live_state;
    std::vector<std::string> actions;
    std::size_t conflicts;
    bool drift;
  };
  const std::string e = "services.systemd/enable/a.service";
  const std::string d = "services.systemd/disable/a.service";
  const std::string m = "services.systemd/mask/a.service";
  const std::string u = "services.systemd/unmask/a.service";
  const Case cases[] = {
      {"in sync", want("a.service", true), "enabled", "enabled", {}, 0, false},
      {"twin enables", want("a.service", true), "disabled", "disabled", {e}, 0, false},
      {"twin disables", want("a.service", false), "enabled", "enabled", {d}, 0, false},
      {"machine enabled it", want("a.service", false), "disabled", "enabled", {}, 0, true},
      {"both enabled it", want("a.service", true), "disabled", "enabled", {}, 0, false},
      {"twin masks", want("a.service", false, true), "disabled", "disabled", {m}, 0, false},
      {"twin unmasks", want("a.service", std::nullopt, false), "masked", "masked", {u}, 0, false},
      {"twin unmasks and enables",
       want("a.service", true, false),
       "masked",
       "masked",
       {u, e},
       0,
       false},
      {"machine masked it", want("a.service", true, false), "enabled", "masked", {}, 0, true},
      {"both masked it (runtime on the machine)",
       want("a.service", std::nullopt, true),
       "disabled",
       "masked-runtime",
       {},
       0,
       false},
      {"static unit cannot be enabled", want("a.service", true), "static", "static", {}, 1, false},
      {"unit missing on the machine: enable is planned (and will fail loudly)",
       want("a.service", true),
       "",
       "",
       {e},
       0,
       false},
      {"unit missing and not wanted enabled: in sync",
       want("a.service", false),
       "",
       "",
       {},
       0,
       false},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    Observed base = machine(c.base_state.empty() ? std::vector<ObservedUnit>{}
                                                 : std::vector{unit("a.service", c.base_state)});
    Observed live = machine(c.live_state.empty() ? std::vector<ObservedUnit>{}
                                                 : std::vector{unit("a.service", c.live_state)});
    PluginPlan plan = plan_services({c.desired}, live, &base, Prefer::none);
    CHECK(ids(plan) == c.actions);
    CHECK(plan.conflicts.size() == c.conflicts);
    CHECK((std::find(plan.local_drift.begin(), plan.local_drift.end(), "a.service") !=
           plan.local_drift.end()) == c.drift);
  }
}

TEST_CASE("planner: conflicts, --prefer, order, dependencies and unmanaged units", "[services]") {
  Observed base = machine({unit("a.service", "disabled"), unit("b.service", "enabled"),
                           unit("c.service", "masked"), unit("t@.service", "disabled"),
                           unit("s.service", "static")});
  Observed live = machine({unit("a.service", "disabled"), unit("b.service", "enabled"),
                           unit("c.service", "masked"), unit("t@.service", "disabled"),
                           unit("s.service", "static"), unit("new.service", "enabled")});
  std::vector<DesiredUnit> desired = {want("a.service", std::nullopt, true),
                                      want("c.service", true, false)};
  PluginPlan plan = plan_services(desired, live, &base, Prefer::none);
  CHECK(ids(plan) == std::vector<std::string>{"services.systemd/unmask/c.service",
                                              "services.systemd/enable/c.service",
                                              "services.systemd/mask/a.service"});
  REQUIRE(plan.actions.size() == 3);
  CHECK(plan.actions[1].depends_on ==
        std::vector<std::string>{"services.systemd/unmask/c.service"});
  CHECK(plan.actions[1].fields.get_string("unit") == "c.service");
  CHECK(plan.actions[1].resource == "c.service");
  CHECK(plan.actions[1].change == Action::Change::create);
  CHECK(plan.actions[0].change == Action::Change::remove);
  // b.service is seedable and not named: unmanaged; new.service is new on the machine:
  // drift, to adopt; templates and static units are neither.
  CHECK(plan.unmanaged == 1);
  CHECK(plan.local_drift == std::vector<std::string>{"new.service"});
  // Without a base, the machine is the base: nothing new to adopt, all unmanaged.
  plan = plan_services(desired, live, nullptr, Prefer::none);
  CHECK(plan.unmanaged == 2);
  CHECK(plan.local_drift.empty());

  // `running` is runtime, not configuration: whenever the machine differs, start or stop
  // is planned, whatever the base said; it is never drift and never a conflict.
  Observed was = machine({unit("w.service", "enabled")});
  Observed now = machine({unit("w.service", "enabled", "inactive")}, true);
  std::vector<DesiredUnit> run = {want("w.service", std::nullopt, std::nullopt, true)};
  plan = plan_services(run, now, &was, Prefer::none);
  CHECK(ids(plan) == std::vector<std::string>{"services.systemd/start/w.service"});
  CHECK(plan.conflicts.empty());
  // Without a running systemd, running: true is planned (apply skips it).
  Observed idle = machine({unit("w.service", "enabled")});
  CHECK(ids(plan_services(run, idle, &idle, Prefer::none)) ==
        std::vector<std::string>{"services.systemd/start/w.service"});
  // Running and told so: in sync; stopped (or crashed) since the base: started again.
  Observed active = machine({unit("w.service", "enabled", "active")}, true);
  CHECK(plan_services(run, active, &active, Prefer::none).actions.empty());
  plan = plan_services(run, now, &active, Prefer::none);
  CHECK(ids(plan) == std::vector<std::string>{"services.systemd/start/w.service"});
  CHECK(plan.local_drift.empty());
  std::vector<DesiredUnit> stop = {want("w.service", std::nullopt, std::nullopt, false)};
  CHECK(ids(plan_services(stop, active, &active, Prefer::none)) ==
        std::vector<std::string>{"services.systemd/stop/w.service"});
}

TEST_CASE("adoption: drift into state, new units, vanished units", "[services]") {
  Observed base = machine({unit("a.service", "disabled"), unit("b.service", "enabled"),
                           unit("gone.service", "enabled"), unit("dropped.service", "enabled")});
  Observed live = machine({unit("a.service", "enabled"), unit("b.service", "enabled"),
                           unit("dropped.service", "enabled"), unit("new.service", "masked"),
                           unit("s.service", "static")});
  std::vector<DesiredUnit> desired = {want("a.service", false), want("b.service", false),
                                      want("gone.service", true)};
  auto decisions = decide_adoption(desired, live, &base);
  REQUIRE(decisions.size() == 3);
  CHECK(decisions[0].name == "a.service"); // machine enabled it: adopted
  CHECK(decisions[0].kind == UnitAdoption::Kind::update);
  CHECK(decisions[0].unit.enabled == true);
  CHECK(decisions[1].name == "gone.service"); // removed from the machine
  CHECK(decisions[1].kind == UnitAdoption::Kind::remove);
  CHECK(decisions[2].name == "new.service"); // new and seedable
  CHECK(decisions[2].kind == UnitAdoption::Kind::add);
  CHECK(decisions[2].unit.masked == true);
  CHECK(decisions[2].unit.enabled == false);
  // b.service: the twin disabled it, the machine did not change: a pending action, not drift.
  CHECK(decide_adoption(desired, live, nullptr).empty());

  // A unit that stopped (or crashed) on a running system is not adopted as the wish.
  Observed up = machine({unit("w.service", "enabled", "active")}, true);
  Observed down = machine({unit("w.service", "enabled", "failed")}, true);
  CHECK(decide_adoption({want("w.service", std::nullopt, std::nullopt, true)}, down, &up).empty());
}

namespace {

// Records argv; answers with a fixed result.
class FakeRunner final : public Runner {
public:
  Completed answer;
  std::vector<std::vector<std::string>> calls;
  Result<Completed> run(const Command& c) override {
    calls.push_back(c.argv);
    CHECK(c.timeout <= std::chrono::seconds(90));
    return answer;
  }
};

Action action(const std::string& op, const std::string& unit) {
  Action a;
  a.plugin = "services.systemd";
  a.op = op;
  a.id = "services.systemd/" + op + "/" + unit;
  a.resource = unit;
  a.fields["unit"] = unit;
  return a;
}

} // namespace

TEST_CASE("apply: systemctl --root with -- before the unit; failures, skips and refusals",
          "[services]") {
  TempDir dir("services");
  auto root = SystemRoot::open(dir.path().string());
  REQUIRE(root);
  auto tree = WorkTree::open(dir.path());
  REQUIRE(tree);
  FakeRunner runner;
  runner.answer.exit_code = 0;
  ApplyContext ctx{*root, runner, *tree, ""};
  SystemdServices plugin;

  CHECK(plugin.apply(action("enable", "web.service"), ctx).status == ActionOutcome::Status::done);
  REQUIRE(runner.calls.size() == 1);
  CHECK(runner.calls[0] == std::vector<std::string>{"systemctl", "--root=" + root->physical(),
                                                    "enable", "--", "web.service"});

  runner.answer.exit_code = 1;
  runner.answer.err =
      "Created nothing.\nFailed to enable unit: Unit file x.service does not exist.\n";
  auto failed = plugin.apply(action("mask", "x.service"), ctx);
  CHECK(failed.status == ActionOutcome::Status::failed);
  CHECK_THAT(failed.message, Catch::EndsWith("Unit file x.service does not exist."));

  std::size_t before = runner.calls.size();
  auto skipped = plugin.apply(action("start", "web.service"), ctx);
  CHECK(skipped.status == ActionOutcome::Status::skipped);
  CHECK_THAT(skipped.message, Catch::Contains("systemd is not running on this root"));
  for (const char* hostile : {"-x.service", "a;b.service", "a b.service", "../x.service",
                              "x.service\n", "--root=/.service"}) {
    CAPTURE(hostile);
    auto refused = plugin.apply(action("enable", hostile), ctx);
    CHECK(refused.status == ActionOutcome::Status::failed);
    CHECK_THAT(refused.message, Catch::StartsWith("refusing unit"));
  }
  CHECK(plugin.apply(action("reboot", "web.service"), ctx).status == ActionOutcome::Status::failed);
  CHECK(runner.calls.size() == before); // none of these ran anything
}

TEST_CASE("check_state: names, duplicates and contradictions point at file lines", "[services]") {
  auto doc = parse_yaml("services:\n"
                        "  - name: ssh.service\n"
                        "    enabled: true\n"
                        "  - name: \"-x.service\"\n"
                        "  - name: \"a;b.service\"\n"
                        "  - name: ssh.service\n"
                        "  - name: bt.service\n"
                        "    masked: true\n"
                        "    enabled: true\n"
                        "  - name: -.mount\n",
                        "state/services.yaml");
  REQUIRE(doc);
  TempDir dir("services");
  auto tree = WorkTree::open(dir.path());
  REQUIRE(tree);
  auto problems = SystemdServices().check_state(*doc, Config{}, *tree);
  REQUIRE(problems.size() == 4);
  CHECK(problems[0].pointer == "/services/1/name");
  CHECK(problems[0].mark.line == 4);
  CHECK_THAT(problems[0].message, Catch::Contains("start with '-'"));
  CHECK(problems[1].pointer == "/services/2/name");
  CHECK(problems[1].mark.line == 5);
  CHECK(problems[2].pointer == "/services/3/name");
  CHECK_THAT(problems[2].message, Catch::Contains("listed twice (first at line 2)"));
  CHECK(problems[3].pointer == "/services/4/enabled");
  CHECK(problems[3].mark.line == 9);
}

TEST_CASE("restart_on: a restart after the earlier actions that touch a listed path",
          "[services]") {
  auto write = [](const std::string& path) {
    Action a;
    a.plugin = "files.mirror";
    a.op = "write_file";
    a.resource = path;
    a.id = "files.mirror/write_file" + path;
    return a;
  };
  Action package;
  package.plugin = "packages.debian";
  package.op = "install";
  package.resource = "nginx";
  package.id = "packages.debian/install/nginx";
  std::vector<Action> earlier = {package, write("/etc/nginx/nginx.conf"),
                                 write("/etc/nginx/sites/default"), write("/etc/nginxy"),
                                 write("/etc/motd")};
  DesiredUnit web = want("nginx.service", true);
  web.restart_on = {"/etc/nginx"};
  DesiredUnit stopped = want("stopped.service", std::nullopt, std::nullopt, false);
  stopped.restart_on = {"/etc/motd"};
  DesiredUnit masked = want("masked.service", std::nullopt, true);
  masked.restart_on = {"/etc/motd"};
  DesiredUnit quiet = want("quiet.service", true);
  quiet.restart_on = {"/etc/quiet.conf"};

  auto restarts = plan_restarts({web, stopped, masked, quiet}, earlier);
  REQUIRE(restarts.size() == 1);
  CHECK(restarts[0].id == "services.systemd/restart/nginx.service");
  CHECK(restarts[0].fields.get_string("unit") == "nginx.service");
  CHECK(restarts[0].change == Action::Change::modify);
  // Below /etc/nginx, not /etc/nginxy; never a package name.
  CHECK(restarts[0].depends_on ==
        std::vector<std::string>{"files.mirror/write_file/etc/nginx/nginx.conf",
                                 "files.mirror/write_file/etc/nginx/sites/default"});
  CHECK(runtime_op("restart"));
  CHECK(known_op("restart"));

  auto doc = parse_yaml("services:\n  - {name: nginx.service, restart_on: [/etc/nginx]}\n",
                        "state/services.yaml");
  REQUIRE(doc);
  CHECK(SystemdServices().reacts(*doc));
  auto plain =
      parse_yaml("services:\n  - {name: nginx.service, enabled: true}\n", "state/services.yaml");
  REQUIRE(plain);
  CHECK_FALSE(SystemdServices().reacts(*plain));
}

TEST_CASE("check_state: restart_on holds normal absolute paths, and no template", "[services]") {
  auto doc = parse_yaml("services:\n"
                        "  - name: web.service\n"
                        "    restart_on: [/etc/web, /etc/../shadow]\n"
                        "  - name: t@.service\n"
                        "    restart_on: [/etc/t]\n",
                        "state/services.yaml");
  REQUIRE(doc);
  TempDir dir("services");
  auto tree = WorkTree::open(dir.path());
  REQUIRE(tree);
  auto problems = SystemdServices().check_state(*doc, Config{}, *tree);
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].pointer == "/services/0/restart_on/1");
  CHECK(problems[0].mark.line == 3);
  CHECK(problems[1].pointer == "/services/1/restart_on");
  CHECK_THAT(problems[1].message, Catch::Contains("template"));
}

TEST_CASE("collect: live/services.yaml of a fixture root, valid against the schema", "[services]") {
  TempDir dir("services");
  fs::path r = dir.path() / "root";
  write_file(r / "usr/lib/systemd/system/web.service",
             std::string(k_service) + "[Install]\nWantedBy=multi-user.target\nAlias=www.service\n");
  symlink(r / "etc/systemd/system/multi-user.target.wants/web.service",
          "/usr/lib/systemd/system/web.service");
  symlink(r / "etc/systemd/system/www.service", "/usr/lib/systemd/system/web.service");
  symlink(r / "etc/systemd/system/bt.service", "/dev/null");
  auto root = SystemRoot::open(r.string());
  REQUIRE(root);
  fs::create_directories(dir.path() / "twin");
  auto tree = WorkTree::open(dir.path() / "twin");
  REQUIRE(tree);
  FakeRunner runner;
  Config config;
  Notes notes;
  PluginContext ctx{*root, runner, config, *tree, (dir.path() / "twin/.git").string(), notes};
  SystemdServices plugin;
  std::vector<std::string> written;
  auto observed = plugin.collect(ctx, written);
  REQUIRE(observed);
  CHECK(runner.calls.empty()); // no systemctl on a fake root
  CHECK(observed->resources() == 3);
  const Value& doc = observed->document();
  auto problems = validate_against(plugin.live_schema(), doc);
  REQUIRE(problems);
  CHECK(problems->empty());
  CHECK(emit_yaml(doc) == "services:\n"
                          "  - name: bt.service\n    enabled: false\n    masked: true\n"
                          "    state: masked\n"
                          "  - name: web.service\n    enabled: true\n    masked: false\n"
                          "    state: enabled\n"
                          "  - name: www.service\n    enabled: true\n    masked: false\n"
                          "    state: alias\n"
                          "systemd_running: false\n");
  // The same machine gives the same fingerprint; a change gives another.
  auto again = plugin.collect(ctx, written);
  REQUIRE(again);
  CHECK(again->fingerprint() == observed->fingerprint());
  fs::remove(r / "etc/systemd/system/bt.service");
  auto changed = plugin.collect(ctx, written);
  REQUIRE(changed);
  CHECK(changed->fingerprint() != observed->fingerprint());

  // seed_state takes the enabled and masked units, not the alias.
  auto seeded = plugin.seed_state(ctx, doc, written);
  REQUIRE(seeded);
  CHECK(emit_yaml(*seeded) == "services:\n"
                              "  - name: bt.service\n    enabled: false\n    masked: true\n"
                              "  - name: web.service\n    enabled: true\n");
  auto state_problems = validate_against(*plugin.state_schema(), *seeded);
  REQUIRE(state_problems);
  CHECK(state_problems->empty());
}

TEST_CASE("collect on a running systemd: active states from one systemctl call", "[services]") {
  // Only "/" can have a running systemd; this machine's / is read, systemctl is faked.
  auto root = SystemRoot::open("/");
  REQUIRE(root);
  if (!systemd_running(*root)) {
    // Not running here: collect must not ask systemctl at all.
    TempDir dir("services");
    auto tree = WorkTree::open(dir.path());
    REQUIRE(tree);
    FakeRunner runner;
    Config config;
    Notes notes;
    PluginContext ctx{*root, runner, config, *tree, (dir.path() / ".git").string(), notes};
    std::vector<std::string> written;
    auto observed = SystemdServices().collect(ctx, written);
    REQUIRE(observed);
    CHECK(runner.calls.empty());
    CHECK(observed->document().find("systemd_running")->as_bool() == false);
  }
  // The argv on / uses no --root, and runtime ops do not ask for passwords.
  CHECK(systemctl_argv(*root, "start", "ssh.service") ==
        std::vector<std::string>{"systemctl", "--no-ask-password", "start", "--", "ssh.service"});
  CHECK(systemctl_argv(*root, "enable", "ssh.service") ==
        std::vector<std::string>{"systemctl", "enable", "--", "ssh.service"});
  // A restart never starts a unit that is not running.
  CHECK(systemctl_argv(*root, "restart", "ssh.service") ==
        std::vector<std::string>{"systemctl", "--no-ask-password", "try-restart", "--",
                                 "ssh.service"});
}
