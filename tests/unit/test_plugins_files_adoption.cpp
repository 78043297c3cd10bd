// SPDX-License-Identifier: MIT
// The pure drift-adoption planner of files.mirror (decide_adoption): the sync table of
// DESIGN.md section 2 applied per path, plus the rules that keep unmanaged, skipped and
// unreadable paths out of state/. Everything is in memory: entries are built by hand and
// the content at a twin_path comes from a fake ContentDigest (a map twin_path -> sha).
#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "plugins/files_mirror/adoption.hpp"

using namespace twin;
using namespace twin::files;
using Kind = AdoptDecision::Kind;

namespace {

// Digests are opaque strings to the planner; short names keep the tables readable.
const std::string k_old = "sha-old";
const std::string k_new = "sha-new";
const std::string k_other = "sha-other";

// An observed regular file as the collector records it.
FileEntry observed_file(const std::string& path, const std::string& sha,
                        const std::string& mode = "0644") {
  FileEntry e;
  e.path = path;
  e.type = FileType::file;
  e.mode = mode;
  e.owner = "root";
  e.group = "root";
  e.size = 10;
  e.sha256 = sha;
  e.content = Content::stored;
  return e;
}

FileEntry observed_fifo(const std::string& path) {
  FileEntry e;
  e.path = path;
  e.type = FileType::fifo;
  e.mode = "0644";
  e.owner = "root";
  e.group = "root";
  return e;
}

// The desired item a seeded state would hold for a regular file: every field managed,
// content at filesystem/<path>.
DesiredFile desired_file(const std::string& path, const std::string& mode = "0644") {
  DesiredFile d;
  d.path = path;
  d.type = FileType::file;
  d.mode = mode;
  d.owner = "root";
  d.group = "root";
  d.twin_path = "filesystem" + path;
  return d;
}

DesiredFile desired_absent(const std::string& path) {
  DesiredFile d;
  d.path = path;
  d.absent = true;
  return d;
}

// A fake work tree: the sha of the content at each twin_path; a missing key is a missing
// file.
ContentDigest digests(std::map<std::string, std::string> by_twin_path) {
  return [by_twin_path](const std::string& twin_path) -> std::optional<std::string> {
    auto it = by_twin_path.find(twin_path);
    if (it == by_twin_path.end())
      return std::nullopt;
    return it->second;
  };
}

std::string kind_name(Kind kind) {
  switch (kind) {
  case Kind::add:
    return "add";
  case Kind::replace:
    return "replace";
  case Kind::remove:
    return "remove";
  case Kind::conflict:
    return "conflict";
  }
  return "?";
}

// "replace /etc/motd" per decision: compact to compare and readable when a check fails.
std::vector<std::string> summarize(const std::vector<AdoptDecision>& decisions) {
  std::vector<std::string> out;
  for (const auto& d : decisions)
    out.push_back(kind_name(d.kind) + " " + d.path);
  return out;
}

using Lines = std::vector<std::string>;

} // namespace

// ---------------------------------------------------------------------------------------
// The five rows of the sync table, for one managed file /etc/motd.

TEST_CASE("adoption follows every row of the sync table", "[files][sync]") {
  struct Row {
    const char* meaning;
    std::string desired_sha; // content at filesystem/etc/motd
    std::string live_sha;    // what the machine has now
    Lines expected;
  };
  // The base (last sync) always had k_old.
  const std::vector<Row> rows = {
      {"in sync: nothing", k_old, k_old, {}},
      {"desired changed only: plan's business, no adoption", k_new, k_old, {}},
      {"live changed only: local drift is adopted", k_old, k_new, {"replace /etc/motd"}},
      {"both changed to the same: already done", k_new, k_new, {}},
      {"both changed differently: conflict", k_new, k_other, {"conflict /etc/motd"}},
  };
  for (const Row& row : rows) {
    DYNAMIC_SECTION(row.meaning) {
      auto decisions = decide_adoption(
          {observed_file("/etc/motd", row.live_sha)}, {observed_file("/etc/motd", k_old)},
          {desired_file("/etc/motd")}, digests({{"filesystem/etc/motd", row.desired_sha}}));
      CHECK(summarize(decisions) == row.expected);
    }
  }
}

TEST_CASE("a replace decision carries the live entry and the desired index", "[files][sync]") {
  std::vector<DesiredFile> desired = {desired_file("/etc/hostname"), desired_file("/etc/motd")};
  auto decisions = decide_adoption(
      {observed_file("/etc/hostname", k_old), observed_file("/etc/motd", k_new)},
      {observed_file("/etc/hostname", k_old), observed_file("/etc/motd", k_old)}, desired,
      digests({{"filesystem/etc/hostname", k_old}, {"filesystem/etc/motd", k_old}}));

  REQUIRE(decisions.size() == 1);
  CHECK(decisions[0].kind == Kind::replace);
  CHECK(decisions[0].path == "/etc/motd");
  CHECK(decisions[0].desired_index == 1);
  REQUIRE(decisions[0].live);
  CHECK(decisions[0].live->sha256 == k_new);
}

TEST_CASE("a mode changed by hand on a managed mode is adopted", "[files][sync]") {
  auto decisions = decide_adoption(
      {observed_file("/etc/motd", k_old, "0600")}, {observed_file("/etc/motd", k_old, "0644")},
      {desired_file("/etc/motd", "0644")}, digests({{"filesystem/etc/motd", k_old}}));
  CHECK(summarize(decisions) == Lines{"replace /etc/motd"});
}

TEST_CASE("a file removed on the machine is removed from state", "[files][sync]") {
  auto decisions =
      decide_adoption({}, {observed_file("/etc/motd", k_old)}, {desired_file("/etc/motd")},
                      digests({{"filesystem/etc/motd", k_old}}));
  REQUIRE(summarize(decisions) == Lines{"remove /etc/motd"});
  CHECK(decisions[0].desired_index == 0);
  CHECK_FALSE(decisions[0].live);
}

TEST_CASE("a file removed on the machine after the owner changed it is a conflict",
          "[files][sync]") {
  auto decisions =
      decide_adoption({}, {observed_file("/etc/motd", k_old)}, {desired_file("/etc/motd")},
                      digests({{"filesystem/etc/motd", k_new}}));
  CHECK(summarize(decisions) == Lines{"conflict /etc/motd"});
}

TEST_CASE("a new file on the machine that state does not mention is added", "[files][sync]") {
  auto decisions = decide_adoption({observed_file("/etc/new.conf", k_new)}, {}, {}, digests({}));
  REQUIRE(summarize(decisions) == Lines{"add /etc/new.conf"});
  REQUIRE(decisions[0].live);
  CHECK(decisions[0].live->path == "/etc/new.conf");
  CHECK(decisions[0].live->sha256 == k_new);
}

TEST_CASE("a path the owner dropped from state stays unmanaged", "[files][sync]") {
  // It existed at the base, so leaving it out of state/ was a choice: never re-added.
  SECTION("changed on the machine") {
    auto decisions = decide_adoption({observed_file("/etc/motd", k_new)},
                                     {observed_file("/etc/motd", k_old)}, {}, digests({}));
    CHECK(decisions.empty());
  }
  SECTION("removed on the machine") {
    auto decisions = decide_adoption({}, {observed_file("/etc/motd", k_old)}, {}, digests({}));
    CHECK(decisions.empty());
  }
}

TEST_CASE("a skipped observation (FIFO) is never adopted", "[files][sync]") {
  SECTION("new on the machine") {
    auto decisions = decide_adoption({observed_fifo("/etc/initctl")}, {}, {}, digests({}));
    CHECK(decisions.empty());
  }
  SECTION("a managed file that became a FIFO") {
    auto decisions =
        decide_adoption({observed_fifo("/etc/motd")}, {observed_file("/etc/motd", k_old)},
                        {desired_file("/etc/motd")}, digests({{"filesystem/etc/motd", k_old}}));
    CHECK(decisions.empty());
  }
}

TEST_CASE("an unreadable observation is never adopted", "[files][sync]") {
  FileEntry unreadable = observed_file("/etc/motd", "");
  unreadable.content = Content::unreadable;

  SECTION("a managed file that became unreadable") {
    auto decisions =
        decide_adoption({unreadable}, {observed_file("/etc/motd", k_old)},
                        {desired_file("/etc/motd")}, digests({{"filesystem/etc/motd", k_old}}));
    CHECK(decisions.empty());
  }
  SECTION("new on the machine") {
    auto decisions = decide_adoption({unreadable}, {}, {}, digests({}));
    CHECK(decisions.empty());
  }
}

TEST_CASE("a field the desired entry leaves out is unmanaged: its drift is not adopted",
          "[files][sync]") {
  DesiredFile no_mode = desired_file("/etc/motd");
  no_mode.mode.reset();
  auto decisions = decide_adoption({observed_file("/etc/motd", k_old, "0600")},
                                   {observed_file("/etc/motd", k_old, "0644")}, {no_mode},
                                   digests({{"filesystem/etc/motd", k_old}}));
  CHECK(decisions.empty());
}

TEST_CASE("ensure: absent and removed on the machine has converged", "[files][sync]") {
  auto decisions = decide_adoption({}, {observed_file("/etc/old.conf", k_old)},
                                   {desired_absent("/etc/old.conf")}, digests({}));
  CHECK(decisions.empty());
}

TEST_CASE("a missing twin_path counts as a desired change, so live drift is a conflict",
          "[files][sync]") {
  // filesystem/etc/motd is gone from the work tree (deleted on GitHub, say).
  SECTION("the machine changed too: conflict") {
    auto decisions =
        decide_adoption({observed_file("/etc/motd", k_new)}, {observed_file("/etc/motd", k_old)},
                        {desired_file("/etc/motd")}, digests({}));
    CHECK(summarize(decisions) == Lines{"conflict /etc/motd"});
  }
  SECTION("the machine did not change: nothing to adopt") {
    auto decisions =
        decide_adoption({observed_file("/etc/motd", k_old)}, {observed_file("/etc/motd", k_old)},
                        {desired_file("/etc/motd")}, digests({}));
    CHECK(decisions.empty());
  }
}

TEST_CASE("a symlink retargeted on the machine is adopted", "[files][sync]") {
  FileEntry base;
  base.path = "/etc/localtime";
  base.type = FileType::symlink;
  base.mode = "0777";
  base.owner = base.group = "root";
  base.target = "/usr/share/zoneinfo/Etc/UTC";
  FileEntry live = base;
  live.target = "/usr/share/zoneinfo/Europe/Berlin";
  DesiredFile want;
  want.path = base.path;
  want.type = FileType::symlink;
  want.target = base.target;

  auto decisions = decide_adoption({live}, {base}, {want}, digests({}));
  REQUIRE(summarize(decisions) == Lines{"replace /etc/localtime"});
  CHECK(decisions[0].live->target == "/usr/share/zoneinfo/Europe/Berlin");
}

TEST_CASE("decisions come sorted by path", "[files][sync]") {
  auto decisions =
      decide_adoption({observed_file("/etc/zz.conf", k_new), observed_file("/etc/aa.conf", k_new),
                       observed_file("/etc/mm.conf", k_new)},
                      {observed_file("/etc/mm.conf", k_old)}, {desired_file("/etc/mm.conf")},
                      digests({{"filesystem/etc/mm.conf", k_old}}));
  CHECK(summarize(decisions) ==
        Lines{"add /etc/aa.conf", "replace /etc/mm.conf", "add /etc/zz.conf"});
}
