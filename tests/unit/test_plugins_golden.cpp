// SPDX-License-Identifier: MIT
// Golden files of the plugins' documents: the exact bytes of live/files.yaml, the seeded
// state/files.yaml and live/system.yaml for deterministic fake roots built here. Any
// change of shape, key order or quoting shows up as a diff of tests/golden/.
// Regenerate on purpose with GIT_TWIN_TEST_ACCEPT=1 (see golden.hpp).
#include <catch2/catch.hpp>

#include "test_support.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include "core/plugin.hpp"
#include "core/schema.hpp"
#include "core/yaml_emitter.hpp"
#include "core/yaml_reader.hpp"
#include "golden.hpp"
#include "plugins/files_mirror/files_plugin.hpp"
#include "plugins/system_info/system_info_plugin.hpp"

using namespace twin;
using twin::testing::check_golden;
namespace fs = std::filesystem;

using twin_test::TempDir;

namespace {

// Every path gets an explicit mode and, when we can, owner 0:0, so the umask and the
// user running the tests do not leak into the golden files.
void own_by_root(const fs::path& path) {
  if (::geteuid() == 0)
    REQUIRE(::lchown(path.c_str(), 0, 0) == 0);
}

void make_dir(const fs::path& path, mode_t mode) {
  fs::create_directories(path);
  own_by_root(path); // before chmod: chown clears setuid/setgid bits
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

void write_file(const fs::path& path, const std::string& content, mode_t mode) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
  }
  own_by_root(path); // before chmod: chown clears setuid/setgid bits
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

void make_symlink(const std::string& target, const fs::path& link) {
  REQUIRE(::symlink(target.c_str(), link.c_str()) == 0);
  own_by_root(link);
}

// The golden machine's /etc. passwd and group name our owner "root" (uid 0 when the tests
// run as root, this process's uid otherwise) and are themselves excluded from the mirror,
// so the golden files are the same whoever runs the tests.
void build_golden_etc(const fs::path& root) {
  make_dir(root / "etc", 0755);
  write_file(root / "etc/passwd",
             "root:x:" + std::to_string(::getuid()) + ":" + std::to_string(::getgid()) +
                 ":root:/root:/bin/bash\n",
             0644);
  write_file(root / "etc/group", "root:x:" + std::to_string(::getgid()) + ":\n", 0644);
  write_file(root / "etc/hostname", "twin-golden\n", 0644);
  write_file(root / "etc/motd", "Welcome to the golden machine.\n", 0644);
  write_file(root / "etc/no-newline.conf", "value=1", 0600);
  write_file(root / "etc/weird name: yes.conf", "# a name that needs quoting\n", 0644);
  write_file(root / "etc/sudo-helper", "#!/bin/sh\nexit 0\n", 04755);
  write_file(root / "etc/big.bin", std::string(4096, 'B'), 0644);
  make_dir(root / "etc/cron.d", 0755);
  make_dir(root / "etc/ssh", 0755);
  write_file(root / "etc/ssh/sshd_config", "PermitRootLogin no\nPasswordAuthentication no\n", 0644);
  make_dir(root / "etc/sudoers.d", 0750);
  write_file(root / "etc/sudoers.d/README", "# drop-ins\n", 0440);
  make_symlink("/usr/share/zoneinfo/Etc/UTC", root / "etc/localtime");
  make_symlink("ssh/sshd_config", root / "etc/sshd_config.link");
  REQUIRE(::mkfifo((root / "etc/initctl").c_str(), 0600) == 0);
  own_by_root(root / "etc/initctl");
  REQUIRE(::chmod((root / "etc/initctl").c_str(), 0600) == 0);
  make_dir(root / "etc/.git", 0755);
  write_file(root / "etc/.git/HEAD", "ref: refs/heads/master\n", 0644);
  REQUIRE(::chmod((root / "etc").c_str(), 0755) == 0);
}

Config golden_files_config() {
  Config config;
  config.filesystem_roots = {"/etc"};
  config.exclude = {"/etc/passwd", "/etc/group"};
  config.max_file_size_mb = 0.001; // big.bin (4096 bytes) is too large
  return config;
}

// An Elf64 little-endian x86_64 header.
std::string x86_64_elf_header() {
  std::string h(64, '\0');
  h.replace(0, 4,
            "\x7f"
            "ELF");
  h[4] = 2;
  h[5] = 1;
  h[6] = 1;
  h[16] = 2;
  h[18] = 62;
  return h;
}

void check_valid(const Value& schema, const Value& document, const std::string& name) {
  auto problems = validate_against(schema, document);
  REQUIRE(problems);
  for (const auto& p : *problems)
    FAIL_CHECK(format_problem(name, p));
}

// The golden text parses back into the same document.
void check_reads_back(const std::string& text, const Value& document, const std::string& name) {
  auto parsed = parse_yaml(text, name);
  INFO((parsed ? "" : parsed.error().message));
  REQUIRE(parsed);
  CHECK(*parsed == document);
}

} // namespace

TEST_CASE("golden: live/files.yaml and the seeded state/files.yaml of a fixed /etc",
          "[golden][files]") {
  TempDir tmp{"golden"};
  fs::path root = tmp.path() / "root";
  fs::path twin = tmp.path() / "twin";
  fs::create_directories(twin);
  fs::create_directories(tmp.path() / "git/twin");
  build_golden_etc(root);

  auto system_root = SystemRoot::open(root);
  REQUIRE(system_root);
  auto tree = WorkTree::open(twin);
  REQUIRE(tree);
  Config config = golden_files_config();
  Notes notes;
  PluginContext ctx{*system_root, process_runner(), config, *tree, tmp.path() / "git", notes};
  files::FilesMirror plugin;

  std::vector<std::string> written;
  auto observed = plugin.collect(ctx, written);
  INFO((observed ? "" : observed.error().message));
  REQUIRE(observed);
  CHECK(notes.warnings.empty());
  const Value& live = observed->document();
  std::string live_text = emit_yaml(live);
  CHECK(observed->text() == live_text);
  check_golden("files_live.yaml", live_text);
  check_valid(plugin.live_schema(), live, "live/files.yaml");
  check_reads_back(live_text, live, "live/files.yaml");

  std::vector<std::string> seeded;
  auto state = plugin.seed_state(ctx, live, seeded);
  INFO((state ? "" : state.error().message));
  REQUIRE(state);
  std::string state_text = emit_yaml(*state);
  check_golden("files_state.yaml", state_text);
  REQUIRE(plugin.state_schema());
  check_valid(*plugin.state_schema(), *state, "state/files.yaml");
  check_reads_back(state_text, *state, "state/files.yaml");
  for (const auto& p : plugin.check_state(*state, config, *tree))
    FAIL_CHECK(format_problem("state/files.yaml", p));

  // Seeding copied every stored file into the desired tree.
  auto motd = tree->read("filesystem/etc/motd");
  REQUIRE(motd);
  CHECK(*motd == std::optional<std::string>("Welcome to the golden machine.\n"));
  auto big = tree->read("filesystem/etc/big.bin");
  REQUIRE(big);
  CHECK_FALSE(*big);
}

TEST_CASE("golden: live/system.yaml of a fixed Debian root", "[golden][system_info]") {
  TempDir tmp{"golden"};
  fs::path root = tmp.path() / "root";
  fs::path twin = tmp.path() / "twin";
  fs::create_directories(twin);
  make_dir(root / "etc", 0755);
  write_file(root / "etc/hostname", "twin-golden\n", 0644);
  write_file(root / "etc/os-release",
             "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
             "NAME=\"Debian GNU/Linux\"\n"
             "VERSION_ID=\"12\"\n"
             "VERSION=\"12 (bookworm)\"\n"
             "VERSION_CODENAME=bookworm\n"
             "ID=debian\n",
             0644);
  make_dir(root / "bin", 0755);
  write_file(root / "bin/sh", x86_64_elf_header(), 0755);
  make_dir(root / "lib/modules/6.1.0-18-amd64", 0755);
  make_dir(root / "lib/modules/6.1.0-21-amd64", 0755);

  auto system_root = SystemRoot::open(root);
  REQUIRE(system_root);
  auto tree = WorkTree::open(twin);
  REQUIRE(tree);
  Config config;
  Notes notes;
  PluginContext ctx{*system_root, process_runner(), config, *tree, tmp.path() / "git", notes};
  system_info::SystemInfo plugin;

  std::vector<std::string> written;
  auto observed = plugin.collect(ctx, written);
  REQUIRE(observed);
  CHECK(notes.warnings.empty());
  const Value& live = observed->document();
  std::string text = emit_yaml(live);
  CHECK(observed->text() == text);
  check_golden("system_live.yaml", text);
  check_valid(plugin.live_schema(), live, "live/system.yaml");
  check_reads_back(text, live, "live/system.yaml");
}
