// SPDX-License-Identifier: MIT
// packages.debian from desired state to apt-get: Debian policy names and versions, dpkg's
// version order (checked against dpkg --compare-versions), the per-package sync model, the
// apt-get command lines, state checks, and apply_batch through a fake apt-get that edits a
// fake root's dpkg database as apt would.
#include <catch2/catch.hpp>

#include "plan_support.hpp"
#include "test_support.hpp"

#include <filesystem>
#include <string>
#include <vector>

#include "core/plugin.hpp"
#include "core/runner.hpp"
#include "core/yaml_reader.hpp"
#include "plugins/packages_debian/apt_get.hpp"
#include "plugins/packages_debian/debian_names.hpp"
#include "plugins/packages_debian/package_sync.hpp"
#include "plugins/packages_debian/packages_plugin.hpp"

using namespace twin;
using twin_test::ids;
using namespace twin::packages;
namespace fs = std::filesystem;

using twin_test::read_file;
using twin_test::TempDir;
using twin_test::write_file;

namespace {

Value yaml(const std::string& text) {
  auto v = parse_yaml(text, "test.yaml");
  REQUIRE(v);
  return *v;
}

std::vector<DesiredPackage> desired_of(const std::string& text) {
  auto d = desired_packages(yaml(text));
  REQUIRE(d);
  return *d;
}

ObservedPackage observed(std::string name, std::string version = "1.0",
                         std::string status = "installed", bool manual = true) {
  return {std::move(name), "amd64", std::move(version), std::move(status), manual};
}

// Observed lists are sorted by name, as observed_packages makes them.
std::vector<ObservedPackage> sorted(std::vector<ObservedPackage> list) {
  std::sort(list.begin(), list.end(),
            [](const ObservedPackage& a, const ObservedPackage& b) { return a.name < b.name; });
  return list;
}

} // namespace

TEST_CASE("package names follow Debian policy; options and shell are refused", "[packages]") {
  for (const char* good : {"htop", "g++", "libc6:i386", "python3.11", "0ad", "lib32z1:amd64"})
    CHECK(check_package_name(good));
  for (const char* bad :
       {"", "a", "-y", "--allow-remove-essential", "Htop", "htop;rm", "a b", "x$(id)", "htop\n",
        "htop:", "htop:AMD64", "../htop", "htop=1.0", ".hidden", "+x"}) {
    INFO(bad);
    auto ok = check_package_name(bad);
    REQUIRE_FALSE(ok);
    CHECK_THAT(ok.error().message, Catch::Contains("is not a package name"));
  }
}

TEST_CASE("versions follow Debian policy: epochs, revisions, tildes", "[packages]") {
  for (const char* good : {"1.0", "1:2.36-9+deb12u4", "2:9.0.1378-2~bpo12+1", "1.2~rc1", "0.9-1-2",
                           "1:1.0:1-1", "20230311"})
    CHECK(check_version(good));
  for (const char* bad :
       {"", "-1", "a1.0", "1.0-", "x:1.0", "1.0 -1", "1.0;id", "1:", "1.0:1", "1.0-a_b", "1.0\n"}) {
    INFO(bad);
    CHECK_FALSE(check_version(bad));
  }
}

TEST_CASE("versions sort as dpkg sorts them", "[packages]") {
  struct Case {
    const char *a, *b;
    int order;
  };
  for (auto [a, b, order] : std::vector<Case>{
           {"1.0", "1.0", 0},
           {"1.0~rc1", "1.0", -1},
           {"1.0~~", "1.0~", -1},
           {"1.0", "1.0a", -1},
           {"1.0+b1", "1.0", 1},
           {"1:0.1", "2.0", 1},
           {"2.36-9+deb12u4", "2.36-9+deb12u10", -1},
           {"1.10", "1.9", 1},
           {"1.001", "1.1", 0},
           {"0:1.0", "1.0", 0},
           {"9.0.1378-2~bpo12+1", "9.0.1378-2", -1},
           {"1.0-1", "1.0", 1},
       }) {
    INFO(a << " vs " << b);
    CHECK(compare_versions(a, b) == order);
    CHECK(compare_versions(b, a) == -order);
  }
}

TEST_CASE("versions sort as dpkg --compare-versions says", "[packages]") {
  if (std::system("command -v dpkg >/dev/null 2>&1") != 0)
    SUCCEED("no dpkg here");
  const char* const versions[] = {
      "1.0",  "1.0~rc1",    "1:0.5",          "1.0-1",           "1.0+b1",
      "1.0a", "1.0-1~bpo1", "2.36-9+deb12u4", "2.36-9+deb12u10", "1.10"};
  for (const char* a : versions)
    for (const char* b : versions) {
      std::string command = std::string("dpkg --compare-versions '") + a + "' lt '" + b + "'";
      bool less = std::system(command.c_str()) == 0;
      INFO(a << " < " << b);
      CHECK((compare_versions(a, b) < 0) == less);
    }
}

TEST_CASE("a desired name finds its observed package, with or without an architecture",
          "[packages]") {
  // Sorted; "libfoo-dev" and "libfoo.1" sort between "libfoo" and "libfoo:amd64".
  std::vector<ObservedPackage> live = {observed("htop"), observed("libfoo-dev:amd64"),
                                       observed("libfoo.1"), observed("libfoo:amd64"),
                                       observed("libfoo:i386")};
  live[4].architecture = "i386";
  CHECK(find_package(live, "htop") == &live[0]);
  CHECK(find_package(live, "htop:amd64") == &live[0]);
  CHECK(find_package(live, "htop:i386") == nullptr);
  CHECK(find_package(live, "libfoo") == &live[3]);
  CHECK(find_package(live, "libfoo:i386") == &live[4]);
  CHECK(find_package(live, "libfoo-dev") == &live[1]);
  CHECK(find_package(live, "libfo") == nullptr);
  CHECK(find_package(live, "nano") == nullptr);
}

TEST_CASE("the sync model per package: install, remove, drift, conflicts", "[packages]") {
  auto desired = desired_of("packages:\n"
                            "  - {name: htop, ensure: present}\n"      // wanted, not there
                            "  - {name: nano, ensure: absent}\n"       // there, not wanted
                            "  - {name: nginx, version: 1.22.1-9}\n"   // pinned, base older
                            "  - {name: vim}\n"                        // removed by hand
                            "  - {name: curl, version: 7.88.1-10}\n"   // upgraded by hand
                            "  - {name: wget, version: 1.21.3-1+b2}\n" // conflict
                            "  - {name: less}\n"                       // in sync
                            "  - {name: jq}\n");                       // already installed
  auto base =
      sorted({observed("curl", "7.88.1-10"), observed("less", "590-2"), observed("nano"),
              observed("nginx", "1.22.1-8"), observed("vim"), observed("wget", "1.21.3-1+b1")});
  auto live =
      sorted({observed("curl", "7.88.1-10+deb12u5"), observed("jq"), observed("less", "590-2.1"),
              observed("nano"), observed("nginx", "1.22.1-8"), observed("tree"),
              observed("libauto", "1", "installed", false), observed("old", "1", "config-files")});

  PluginPlan plan = plan_packages(desired, live, &base, Prefer::none);

  CHECK(ids(plan) == std::vector<std::string>{"packages.debian/install/htop",
                                              "packages.debian/install/nginx",
                                              "packages.debian/remove/nano"});
  CHECK(plan.actions[0].change == Action::Change::create);
  CHECK_FALSE(plan.actions[0].fields.find("version"));
  CHECK(plan.actions[1].change == Action::Change::modify);
  CHECK(plan.actions[1].fields.get_string("version") == "1.22.1-9");
  CHECK(plan.actions[2].fields.get_string("package") == "nano");
  // curl moved on the machine (a pin follows it), vim was removed by hand, tree and jq
  // were installed by hand since the base (jq is named, so it is simply in sync now).
  CHECK(plan.local_drift == std::vector<std::string>{"curl", "tree", "vim"});
  REQUIRE(plan.conflicts.size() == 1);
  CHECK(plan.conflicts[0].resource == "wget");
  CHECK(plan.conflicts[0].detail ==
        "state/ wants it present at 1.21.3-1+b2; since the last sync the machine changed it to "
        "absent");
  // Installed and not named: libauto and tree (config-files does not count).
  CHECK(plan.unmanaged == 2);

  PluginPlan preferred = plan_packages(desired, live, &base, Prefer::desired);
  CHECK(preferred.conflicts.empty());
  CHECK(ids(preferred) ==
        std::vector<std::string>{"packages.debian/install/htop", "packages.debian/install/nginx",
                                 "packages.debian/install/wget", "packages.debian/remove/nano"});
}

TEST_CASE("without a sync base the machine is the base: only desired changes plan", "[packages]") {
  auto desired = desired_of("packages: [{name: htop}, {name: vim, ensure: absent}]\n");
  auto live = sorted({observed("vim"), observed("tree")});
  PluginPlan plan = plan_packages(desired, live, nullptr, Prefer::none);
  CHECK(ids(plan) ==
        std::vector<std::string>{"packages.debian/install/htop", "packages.debian/remove/vim"});
  CHECK(plan.local_drift.empty());
  CHECK(plan.unmanaged == 1);
}

TEST_CASE("a package in config-files state counts as absent", "[packages]") {
  auto desired = desired_of("packages: [{name: nano, ensure: absent}, {name: vim}]\n");
  std::vector<ObservedPackage> live = {observed("nano", "7.2-1", "config-files"),
                                       observed("vim", "2:9.0", "config-files")};
  PluginPlan plan = plan_packages(desired, live, nullptr, Prefer::none);
  CHECK(ids(plan) == std::vector<std::string>{"packages.debian/install/vim"});
}

TEST_CASE("apt-get command lines: non-interactive, -- before names, root options", "[packages]") {
  const std::vector<std::string> common = {"apt-get",
                                           "-y",
                                           "-q",
                                           "-o",
                                           "Dpkg::Options::=--force-confdef",
                                           "-o",
                                           "Dpkg::Options::=--force-confold",
                                           "-o",
                                           "APT::Get::Purge=false",
                                           "-o",
                                           "APT::Get::AutomaticRemove=false"};
  auto with = [&](std::vector<std::string> tail, bool simulate) {
    std::vector<std::string> argv = common;
    if (simulate)
      argv.insert(argv.begin() + 3, "-s");
    argv.insert(argv.end(), tail.begin(), tail.end());
    return argv;
  };
  CHECK(apt_get_argv(AptOp::install, "/", {"htop", "nginx=1.22.1-9"}, true) ==
        with({"--no-remove", "--allow-downgrades", "install", "--", "htop", "nginx=1.22.1-9"},
             false));
  CHECK(apt_get_argv(AptOp::simulate_install, "/", {"htop"}, false) ==
        with({"--no-remove", "install", "--", "htop"}, true));
  CHECK(apt_get_argv(AptOp::simulate_remove, "/srv/root", {"nano"}, false) ==
        with({"-o", "RootDir=/srv/root", "-o", "Dpkg::Options::=--root=/srv/root", "remove", "--",
              "nano"},
             true));
  CHECK(apt_get_env().at("DEBIAN_FRONTEND") == "noninteractive");
  SimulatedRun run = parse_simulation("Reading package lists...\n"
                                      "Remv nano [7.2-1+deb12u1]\n"
                                      "Purg libfoo:i386 [1.0]\n"
                                      "Inst x (1.0 Debian:12)\n"
                                      "Note, selecting 'libx1' for regex 'lib.+'\n");
  CHECK(run.removals == std::vector<std::string>{"nano", "libfoo:i386"});
  CHECK(run.installs == std::vector<std::string>{"x"});
  CHECK(run.substitutions == std::vector<std::string>{"Note, selecting 'libx1' for regex 'lib.+'"});
  CHECK(unknown_packages("E: Unable to locate package nosuch\n"
                         "E: Version '9.9' for 'nginx' was not found\n"
                         "E: Package 'virt' has no installation candidate\n"
                         "E: Something else\n") ==
        std::vector<std::string>{"nosuch", "nginx", "virt"});
  CHECK(same_package("nano", "nano"));
  CHECK(same_package("libc6:amd64", "libc6"));
  CHECK(same_package("libc6", "libc6:amd64"));
  CHECK_FALSE(same_package("libc6:i386", "libc6:amd64"));
  CHECK_FALSE(same_package("nano-tiny", "nano"));
  CHECK(apt_error_line("W: a warning\nE: Unable to locate package nosuch\n\n") ==
        "E: Unable to locate package nosuch");
  CHECK(apt_error_line("only this\n") == "only this");
}

TEST_CASE("state checks: names, versions, duplicates, a version on an absent package",
          "[packages]") {
  Value state = yaml("packages:\n"
                     "  - {name: htop}\n"
                     "  - {name: --purge}\n"
                     "  - {name: nginx, version: 'x; rm -rf /'}\n"
                     "  - {name: htop}\n"
                     "  - {name: nano, ensure: absent, version: '1.0'}\n");
  Config config;
  auto tree = WorkTree::open("/tmp");
  REQUIRE(tree);
  auto problems = DebianPackages().check_state(state, config, *tree);
  REQUIRE(problems.size() == 4);
  CHECK(problems[0].pointer == "/packages/1/name");
  CHECK(problems[0].mark.line == 3);
  CHECK_THAT(problems[0].message, Catch::Contains("'--purge' is not a package name"));
  CHECK(problems[1].pointer == "/packages/2/version");
  CHECK(problems[2].pointer == "/packages/3/name");
  CHECK_THAT(problems[2].message, Catch::Contains("listed twice (first at line 2)"));
  CHECK(problems[3].pointer == "/packages/4/version");
}

namespace {

// A fake apt-get: records argv, and edits the fake root's dpkg status as apt would
// (install: the stanza becomes installed at the asked or "available" version; remove:
// config-files). Unknown packages fail like apt ("E: Unable to locate package").
class FakeApt final : public Runner {
public:
  FakeApt(fs::path root, std::map<std::string, std::string> available)
      : m_root(std::move(root)), m_available(std::move(available)) {}

  Result<Completed> run(const Command& command) override {
    calls.push_back(command.argv);
    const auto& argv = command.argv;
    auto dashes = std::find(argv.begin(), argv.end(), "--");
    REQUIRE(dashes != argv.end());
    std::string op = *(dashes - 1);
    bool simulate = std::find(argv.begin(), dashes, "-s") != dashes;
    Completed done{0, false, "", ""};
    std::string status = read_file(m_root / "var/lib/dpkg/status");
    for (auto it = dashes + 1; it != argv.end(); ++it) {
      std::string name = it->substr(0, it->find('='));
      std::string version = it->find('=') == std::string::npos ? "" : it->substr(it->find('=') + 1);
      if (op == "install") {
        // Like apt: a name that is no package but ends in '+' is that package, to install.
        if (!m_available.count(name) && name.size() > 1 && name.back() == '+' &&
            m_available.count(name.substr(0, name.size() - 1)))
          name.pop_back();
        auto known = m_available.find(name);
        if (known == m_available.end())
          return Completed{100, false, "", "E: Unable to locate package " + name + "\n"};
        if (auto note = notes.find(name); note != notes.end() && simulate)
          done.out += note->second + "\n";
        if (simulate)
          done.out += "Inst " + name + " (" + (version.empty() ? known->second : version) + ")\n";
        status += "Package: " + name + "\nStatus: install ok installed\nArchitecture: amd64\n" +
                  "Version: " + (version.empty() ? known->second : version) + "\n\n";
      } else if (simulate) {
        done.out += "Remv " + name + " [1.0]\n";
        for (const auto& dependent : dependents[name])
          done.out += "Remv " + dependent + " [1.0]\n";
      } else {
        auto at = status.find("Package: " + name + "\nStatus: install ok installed");
        REQUIRE(at != std::string::npos);
        status.replace(status.find("install ok installed", at), 20, "deinstall ok config-files");
      }
    }
    if (!simulate)
      write_file(m_root / "var/lib/dpkg/status", status);
    return done;
  }

  std::vector<std::vector<std::string>> calls;
  std::map<std::string, std::vector<std::string>> dependents; // what removing a name takes
  std::map<std::string, std::string> notes; // "Note, selecting ..." a simulation prints

private:
  fs::path m_root;
  std::map<std::string, std::string> m_available;
};

struct ApplyFixture {
  TempDir tmp{"pkgapply"};
  FakeApt apt{tmp.path() / "root", {{"htop", "3.2.2-2"}, {"nginx", "1.22.1-9"}, {"nano", "7.2-1"}}};
  std::optional<SystemRoot> root;
  std::optional<WorkTree> tree;

  ApplyFixture() {
    write_file(tmp.path() / "root/var/lib/dpkg/status",
               "Package: nano\nStatus: install ok installed\nArchitecture: amd64\n"
               "Version: 7.2-1\n\n"
               "Package: vim\nStatus: install ok installed\nArchitecture: amd64\n"
               "Version: 2:9.0\n\n");
    fs::create_directories(tmp.path() / "repo");
    auto r = SystemRoot::open((tmp.path() / "root").string());
    REQUIRE(r);
    root.emplace(std::move(*r));
    auto t = WorkTree::open((tmp.path() / "repo").string());
    REQUIRE(t);
    tree.emplace(std::move(*t));
  }

  std::vector<ActionOutcome> apply(std::vector<Action> actions) {
    ApplyContext ctx{*root, apt, *tree, "20260101000000"};
    return DebianPackages().apply_batch(actions, ctx);
  }
};

Action package_action(const std::string& op, const std::string& name,
                      const std::string& version = "") {
  Action a;
  a.plugin = "packages.debian";
  a.op = op;
  a.id = "packages.debian/" + op + "/" + name;
  a.resource = name;
  a.fields["package"] = name;
  if (!version.empty())
    a.fields["version"] = version;
  return a;
}

} // namespace

TEST_CASE("apply installs every package in one apt-get call and reports each", "[packages]") {
  ApplyFixture f;
  auto outcomes =
      f.apply({package_action("install", "htop"), package_action("install", "nginx", "1.22.1-9"),
               package_action("install", "--force-yes")});
  REQUIRE(f.apt.calls.size() == 2); // simulated, then real
  CHECK(std::find(f.apt.calls[0].begin(), f.apt.calls[0].end(), "-s") != f.apt.calls[0].end());
  const auto& argv = f.apt.calls[1];
  CHECK(std::find(argv.begin(), argv.end(), "--allow-downgrades") == argv.end());
  CHECK(std::vector<std::string>(argv.end() - 3, argv.end()) ==
        std::vector<std::string>{"--", "htop", "nginx=1.22.1-9"});
  CHECK(std::find(argv.begin(), argv.end(), "RootDir=" + f.root->physical()) != argv.end());
  CHECK(outcomes[0].status == ActionOutcome::Status::done);
  CHECK(outcomes[1].status == ActionOutcome::Status::done);
  CHECK(outcomes[2].status == ActionOutcome::Status::failed);
  CHECK_THAT(outcomes[2].message, Catch::Contains("refused") && Catch::Contains("--force-yes"));
}

TEST_CASE("apply reports the package apt-get could not install, with apt's error", "[packages]") {
  ApplyFixture f;
  auto outcomes = f.apply({package_action("install", "nosuch")});
  REQUIRE(outcomes.size() == 1);
  CHECK(outcomes[0].status == ActionOutcome::Status::failed);
  CHECK_THAT(outcomes[0].message, Catch::Contains("apt-get cannot install 'nosuch'") &&
                                      Catch::Contains("E: Unable to locate package nosuch"));
  CHECK(f.apt.calls.size() == 1); // nothing left to install after the simulation
}

TEST_CASE("a package apt cannot find fails alone; the others are installed", "[packages]") {
  ApplyFixture f;
  auto outcomes = f.apply({package_action("install", "htop"), package_action("install", "nosuch"),
                           package_action("install", "nginx")});
  REQUIRE(f.apt.calls.size() == 3); // simulated, simulated again without nosuch, real
  CHECK(f.apt.calls[2].back() == "nginx");
  CHECK(std::find(f.apt.calls[2].begin(), f.apt.calls[2].end(), "nosuch") == f.apt.calls[2].end());
  CHECK(outcomes[0].status == ActionOutcome::Status::done);
  CHECK(outcomes[1].status == ActionOutcome::Status::failed);
  CHECK(outcomes[2].status == ActionOutcome::Status::done);
}

TEST_CASE("apply refuses an install apt would resolve by regex, glob or virtual name",
          "[packages]") {
  ApplyFixture f;
  f.apt.notes["htop"] = "Note, selecting 'htop-extra' for regex 'htop'";
  auto outcomes = f.apply({package_action("install", "htop"), package_action("install", "nginx")});
  REQUIRE(f.apt.calls.size() == 1); // only the simulation
  for (const auto& o : outcomes) {
    CHECK(o.status == ActionOutcome::Status::failed);
    CHECK_THAT(o.message, Catch::Contains("apt would choose packages that were not named"));
  }
  CHECK_THAT(read_file(f.tmp.path() / "root/var/lib/dpkg/status"),
             !Catch::Contains("Package: htop"));
}

TEST_CASE("downgrades are allowed only for a pin older than the installed version", "[packages]") {
  ApplyFixture f;
  f.apply({package_action("install", "nano", "7.0-1"), package_action("install", "htop")});
  REQUIRE(f.apt.calls.size() == 2);
  const auto& argv = f.apt.calls[1];
  CHECK(std::find(argv.begin(), argv.end(), "--allow-downgrades") != argv.end());
}

TEST_CASE("apply removes in one call after a simulation shows nothing else goes", "[packages]") {
  ApplyFixture f;
  auto outcomes = f.apply({package_action("remove", "nano"), package_action("remove", "vim")});
  REQUIRE(f.apt.calls.size() == 2);
  CHECK(std::find(f.apt.calls[0].begin(), f.apt.calls[0].end(), "-s") != f.apt.calls[0].end());
  CHECK(std::find(f.apt.calls[1].begin(), f.apt.calls[1].end(), "-s") == f.apt.calls[1].end());
  CHECK(outcomes[0].status == ActionOutcome::Status::done);
  CHECK(outcomes[1].status == ActionOutcome::Status::done);
  CHECK_THAT(read_file(f.tmp.path() / "root/var/lib/dpkg/status"),
             Catch::Contains("Package: nano\nStatus: deinstall ok config-files"));
}

TEST_CASE("apply refuses a removal that would take unnamed packages with it", "[packages]") {
  ApplyFixture f;
  f.apt.dependents["nano"] = {"nano-plugins"};
  auto outcomes = f.apply({package_action("remove", "nano")});
  REQUIRE(f.apt.calls.size() == 1); // only the simulation ran
  CHECK(outcomes[0].status == ActionOutcome::Status::failed);
  CHECK_THAT(outcomes[0].message, Catch::Contains("would also remove nano-plugins"));
  CHECK_THAT(read_file(f.tmp.path() / "root/var/lib/dpkg/status"),
             Catch::Contains("Package: nano\nStatus: install ok installed"));
}

TEST_CASE("apply refuses a name apt would read as another package ('curl+' is curl)",
          "[packages]") {
  ApplyFixture f;
  auto outcomes = f.apply({package_action("install", "htop+")});
  REQUIRE(f.apt.calls.size() == 1); // only the simulation
  CHECK(outcomes[0].status == ActionOutcome::Status::failed);
  CHECK_THAT(outcomes[0].message, Catch::Contains("apt would not install htop+ as named"));
  CHECK_THAT(read_file(f.tmp.path() / "root/var/lib/dpkg/status"),
             !Catch::Contains("Package: htop"));
}
