// SPDX-License-Identifier: MIT
// system.info: the pure parsers (os-release, ELF header, hostname) table-driven, and the
// plugin's collect on a fake root.
#include <catch2/catch.hpp>

#include "test_support.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include "core/hostname.hpp"
#include "core/plugin.hpp"
#include "core/schema.hpp"
#include "plugins/system_info/os_release.hpp"
#include "plugins/system_info/system_info_plugin.hpp"

using namespace twin;
using namespace twin::system_info;
namespace fs = std::filesystem;

using twin_test::TempDir;
using twin_test::write_file;

namespace {

// A 64-byte ELF header: class (1 = 32-bit, 2 = 64-bit), data (1 = little, 2 = big endian),
// e_type = ET_EXEC, e_machine as given. Only what elf_architecture reads is meaningful.
std::string elf_header(std::uint16_t machine, int elf_class = 2, int data = 1) {
  std::string h(64, '\0');
  h[0] = '\x7f';
  h[1] = 'E';
  h[2] = 'L';
  h[3] = 'F';
  h[4] = static_cast<char>(elf_class);
  h[5] = static_cast<char>(data);
  h[6] = 1; // EI_VERSION
  auto put16 = [&](size_t at, std::uint16_t v) {
    if (data == 1) {
      h[at] = static_cast<char>(v & 0xff);
      h[at + 1] = static_cast<char>(v >> 8);
    } else {
      h[at] = static_cast<char>(v >> 8);
      h[at + 1] = static_cast<char>(v & 0xff);
    }
  };
  put16(16, 2); // ET_EXEC
  put16(18, machine);
  return h;
}

constexpr std::uint16_t k_em_x86_64 = 62;
constexpr std::uint16_t k_em_aarch64 = 183;

const char* const k_debian_os_release = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
                                        "NAME=\"Debian GNU/Linux\"\n"
                                        "VERSION_ID=\"12\"\n"
                                        "VERSION=\"12 (bookworm)\"\n"
                                        "VERSION_CODENAME=bookworm\n"
                                        "ID=debian\n"
                                        "HOME_URL=\"https://www.debian.org/\"\n";

// A small Debian machine below `root`.
void build_debian_root(const fs::path& root) {
  write_file(root / "etc/hostname", "fakehost\n");
  write_file(root / "etc/os-release", k_debian_os_release);
  write_file(root / "bin/sh", elf_header(k_em_x86_64) + std::string(1000, '\0'));
  fs::create_directories(root / "lib/modules/6.1.0-18-amd64");
  fs::create_directories(root / "lib/modules/6.1.0-17-amd64");
  write_file(root / "lib/modules/not-a-kernel.txt", "stray file\n");
}

struct Collected {
  Value document;
  Notes notes;
};

// SystemInfo::collect on the fake root (a throwaway work tree: system.info writes none).
Collected collect_system_info(const fs::path& root) {
  TempDir twin{"sysinfo"};
  auto system_root = SystemRoot::open(root);
  REQUIRE(system_root);
  auto tree = WorkTree::open(twin.path());
  REQUIRE(tree);
  Config config;
  Collected out;
  PluginContext ctx{*system_root, process_runner(), config, *tree, twin.path() / ".git", out.notes};
  std::vector<std::string> written;
  auto doc = SystemInfo().collect(ctx, written);
  REQUIRE(doc);
  CHECK(written.empty());
  out.document = doc->document();
  return out;
}

void check_valid_live(const Value& document) {
  auto problems = validate_against(SystemInfo().live_schema(), document);
  REQUIRE(problems);
  for (const auto& p : *problems)
    FAIL_CHECK(format_problem("live/system.yaml", p));
  CHECK(problems->empty());
}

} // namespace

// --- os-release -------------------------------------------------------------------------

TEST_CASE("os-release values may be plain, double-quoted or single-quoted", "[system_info]") {
  auto fields = parse_os_release("ID=debian\n"
                                 "NAME=\"Debian GNU/Linux\"\n"
                                 "VERSION_CODENAME='bookworm'\n"
                                 "EMPTY=\n"
                                 "EMPTY_QUOTED=\"\"\n");
  CHECK(fields == std::map<std::string, std::string>{{"ID", "debian"},
                                                     {"NAME", "Debian GNU/Linux"},
                                                     {"VERSION_CODENAME", "bookworm"},
                                                     {"EMPTY", ""},
                                                     {"EMPTY_QUOTED", ""}});
}

TEST_CASE("os-release double-quoted values undo backslash escapes", "[system_info]") {
  auto fields = parse_os_release(R"(PRETTY_NAME="say \"hi\" \\ \$HOME \`cmd\`")"
                                 "\n");
  CHECK(fields["PRETTY_NAME"] == R"(say "hi" \ $HOME `cmd`)");
}

TEST_CASE("os-release single-quoted values are taken literally", "[system_info]") {
  auto fields = parse_os_release(R"(NAME='back\slash "quoted"')"
                                 "\n");
  CHECK(fields["NAME"] == R"(back\slash "quoted")");
}

TEST_CASE("os-release comments, blank lines and junk are skipped", "[system_info]") {
  auto fields = parse_os_release("# a comment\n"
                                 "   # an indented comment\n"
                                 "\n"
                                 "   \n"
                                 "no equals sign here\n"
                                 "=no key\n"
                                 "UNTERMINATED=\"oops\n"
                                 "STRAY=a\"b\n"
                                 "MISMATCHED='x\"\n"
                                 "ID=debian\n");
  CHECK(fields == std::map<std::string, std::string>{{"ID", "debian"}});
}

TEST_CASE("os-release tolerates CRLF, surrounding blanks and a missing final newline",
          "[system_info]") {
  auto fields = parse_os_release("ID=alpine\r\n  VERSION_ID=3.19.1  \r\nNAME=\"Alpine Linux\"");
  CHECK(fields["ID"] == "alpine");
  CHECK(fields["VERSION_ID"] == "3.19.1");
  CHECK(fields["NAME"] == "Alpine Linux");
}

TEST_CASE("os-release: a later assignment wins, as in the shell", "[system_info]") {
  auto fields = parse_os_release("ID=first\nID=second\n");
  CHECK(fields["ID"] == "second");
}

TEST_CASE("an empty os-release gives no fields", "[system_info]") {
  CHECK(parse_os_release("").empty());
  CHECK(parse_os_release("\n\n# only comments\n").empty());
}

// --- ELF --------------------------------------------------------------------------------

TEST_CASE("elf_architecture names x86_64 and aarch64 from hand-built headers", "[system_info]") {
  CHECK(elf_architecture(elf_header(k_em_x86_64)) == std::optional<std::string>("x86_64"));
  CHECK(elf_architecture(elf_header(k_em_aarch64)) == std::optional<std::string>("aarch64"));
}

TEST_CASE("elf_architecture reads e_machine in the header's byte order", "[system_info]") {
  // s390x is big-endian: e_machine 22 stored as 00 16.
  CHECK(elf_architecture(elf_header(22, 2, 2)) == std::optional<std::string>("s390x"));
  CHECK(elf_architecture(elf_header(3, 1, 1)) == std::optional<std::string>("i386"));
}

TEST_CASE("elf_architecture tells riscv64 from riscv32 by the ELF class", "[system_info]") {
  CHECK(elf_architecture(elf_header(243, 2)) == std::optional<std::string>("riscv64"));
  CHECK(elf_architecture(elf_header(243, 1)) == std::optional<std::string>("riscv32"));
}

TEST_CASE("elf_architecture gives nullopt for anything that is not a known ELF header",
          "[system_info]") {
  CHECK_FALSE(elf_architecture("#!/bin/sh\necho hello\n"));
  CHECK_FALSE(elf_architecture(""));
  CHECK_FALSE(elf_architecture(elf_header(k_em_x86_64).substr(0, 19))); // truncated
  CHECK_FALSE(elf_architecture(elf_header(0xBEEF)));                    // unknown machine
  std::string not_elf = elf_header(k_em_x86_64);
  not_elf[1] = 'X';
  CHECK_FALSE(elf_architecture(not_elf));
}

// --- hostname ---------------------------------------------------------------------------

TEST_CASE("parse_hostname takes the first real line, trimmed", "[system_info]") {
  CHECK(parse_hostname("box\n") == "box");
  CHECK(parse_hostname("  box \r\n") == "box");
  CHECK(parse_hostname("box") == "box");
  CHECK(parse_hostname("# set by the installer\n\nbox\nother\n") == "box");
  CHECK(parse_hostname("") == "");
  CHECK(parse_hostname("\n# nothing\n") == "");
}

// --- the plugin -------------------------------------------------------------------------

TEST_CASE("system.info on a fake root reads hostname, OS, architecture and kernels",
          "[system_info]") {
  TempDir tmp{"sysinfo"};
  build_debian_root(tmp.path());
  auto [doc, notes] = collect_system_info(tmp.path());

  CHECK(doc.get_string("hostname") == "fakehost");
  const Value* os = doc.find("os");
  REQUIRE(os);
  CHECK(os->get_string("id") == "debian");
  CHECK(os->get_string("name") == "Debian GNU/Linux");
  CHECK(os->get_string("pretty_name") == "Debian GNU/Linux 12 (bookworm)");
  CHECK(os->get_string("version_id") == "12");
  CHECK(os->get_string("version_codename") == "bookworm");
  CHECK(os->find("home_url") == nullptr);
  CHECK(doc.get_string("architecture") == "x86_64");
  REQUIRE(doc.find("installed_kernels"));
  CHECK(*doc.find("installed_kernels") == Value(Value::List{"6.1.0-17-amd64", "6.1.0-18-amd64"}));
  CHECK(notes.warnings.empty());
}

TEST_CASE("system.info on a fake root reports no running kernel", "[system_info]") {
  TempDir tmp{"sysinfo"};
  build_debian_root(tmp.path());
  auto [doc, notes] = collect_system_info(tmp.path());
  CHECK(doc.find("kernel") == nullptr);
}

TEST_CASE("system.info's document passes its own live schema", "[system_info]") {
  TempDir tmp{"sysinfo"};
  build_debian_root(tmp.path());
  check_valid_live(collect_system_info(tmp.path()).document);
}

TEST_CASE("system.info follows /bin -> usr/bin and sh -> dash inside the root", "[system_info]") {
  TempDir tmp{"sysinfo"};
  write_file(tmp.path() / "etc/hostname", "pi\n");
  write_file(tmp.path() / "usr/lib/os-release", "ID=raspbian\n");
  write_file(tmp.path() / "usr/bin/dash", elf_header(k_em_aarch64));
  REQUIRE(::symlink("dash", (tmp.path() / "usr/bin/sh").c_str()) == 0);
  REQUIRE(::symlink("usr/bin", (tmp.path() / "bin").c_str()) == 0);
  auto [doc, notes] = collect_system_info(tmp.path());
  CHECK(doc.get_string("architecture") == "aarch64");
  REQUIRE(doc.find("os"));
  CHECK(doc.find("os")->get_string("id") == "raspbian"); // from /usr/lib/os-release
  check_valid_live(doc);
}

TEST_CASE("system.info on an empty root warns and still gives a valid document", "[system_info]") {
  TempDir tmp{"sysinfo"};
  auto [doc, notes] = collect_system_info(tmp.path());
  CHECK(doc.get_string("hostname") == "");
  REQUIRE(doc.find("os"));
  CHECK(doc.find("os")->as_map().empty());
  CHECK(doc.find("architecture") == nullptr);
  CHECK(doc.find("installed_kernels") == nullptr);
  REQUIRE(notes.warnings.size() == 1);
  CHECK_THAT(notes.warnings[0], Catch::Contains("os-release"));
  check_valid_live(doc);
}

TEST_CASE("system.info on the host reports the running kernel", "[system_info]") {
  auto [doc, notes] = collect_system_info("/");
  REQUIRE(doc.find("kernel"));
  CHECK_FALSE(doc.find("kernel")->get_string("release").empty());
  check_valid_live(doc);
}
