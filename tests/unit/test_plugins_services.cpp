// SPDX-License-Identifier: MIT
// services.systemd: unit names, the [Install] parser, the native unit-file state reader
// (checked unit by unit against the real `systemctl --root list-unit-files` on this machine
// and on fixture roots), the pure planner and adoption, and apply through a fake runner.
#include <catch2/catch.hpp>

#include "test_support.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/runner.hpp"
#include "core/system_root.hpp"
#include "core/yaml_reader.hpp"
#include "plugins/services_systemd/install_section.hpp"
#include "plugins/services_systemd/unit_files.hpp"
#include "plugins/services_systemd/unit_name.hpp"

using namespace twin;
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

  std::size_t compared = compare_with_systemctl(r.string());
  if (compared)
    CHECK(compared >= 28);
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
