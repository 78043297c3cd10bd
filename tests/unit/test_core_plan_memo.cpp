// SPDX-License-Identifier: MIT
// The plan memo (<git-dir>/twin/plan-memo/): the head round-trips every field and ties
// itself to its body by a token; the body answers items_for by binary search over byte
// offsets; anything damaged or unwritable means "no memo"; the consulted set is an XOR that
// one toggle updates and a second toggle undoes.
#include <catch2/catch.hpp>

#include "test_support.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "core/plan_memo.hpp"

using namespace twin;
namespace fs = std::filesystem;

using twin_test::read_file;
using twin_test::TempDir;
using twin_test::write_file;

namespace {

const std::string k_plan_sha = std::string(64, 'a');
const std::string k_other_plan_sha = std::string(64, 'b');
const std::string k_consulted = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string k_base = "3b18e512dba79e4c8300dd08aeb37f8e728b8dad";

// A git dir as write_plan_memo finds it: <tmp>/git/twin exists, plan-memo/ does not yet.
std::string make_git_dir(const TempDir& tmp) {
  fs::path git_dir = tmp.path() / "git";
  fs::create_directories(git_dir / "twin");
  return git_dir.string();
}

fs::path head_file(const std::string& git_dir) {
  return fs::path(git_dir) / "twin" / "plan-memo" / "head";
}

fs::path body_file(const std::string& git_dir) {
  return fs::path(git_dir) / "twin" / "plan-memo" / "body";
}

// A head with something in every field.
PlanMemoHead sample_head() {
  PlanMemoHead head;
  head.token = "ignored-by-write";
  head.body_key = "key of the body: config+state 42";
  head.plan_sha = k_plan_sha;
  head.base = k_base;
  head.stamps["config.yaml"] =
      FileStamp{true, 1234567, 890, 1'700'000'000'123'456'789, 1'700'000'001'987'654'321};
  head.stamps["state/files.yaml"] = FileStamp{true, 18'446'744'073'709'551'615ULL, 0, -5, 0};
  head.stamps["state/gone.yaml"] = FileStamp{}; // absent: present == false
  head.state_sha["state/files.yaml"] = std::string(64, 'c');
  head.state_sha["state/packages.yaml"] = std::string(64, 'd');
  head.plugin_has_base["files.mirror"] = true;
  head.plugin_has_base["packages.apt"] = false;
  head.consulted_xor = k_consulted;
  return head;
}

MemoItem item(std::string twin_path, std::string plugin = "files.mirror",
              std::string list = "files", std::string digest = std::string(64, 'e'),
              std::string desired = R"({"path":"/etc/x","mode":"0644"})", std::string live = "null",
              std::string base = "=") {
  return MemoItem{std::move(plugin),  std::move(list), std::move(twin_path), std::move(digest),
                  std::move(desired), std::move(live), std::move(base)};
}

using ItemTuple = std::tuple<std::string, std::string, std::string, std::string, std::string,
                             std::string, std::string>;

ItemTuple as_tuple(const MemoItem& i) {
  return {i.twin_path, i.plugin, i.list, i.digest, i.desired, i.live, i.base};
}

std::vector<ItemTuple> sorted_tuples(const std::vector<MemoItem>& items) {
  std::vector<ItemTuple> out;
  for (const auto& i : items)
    out.push_back(as_tuple(i));
  std::sort(out.begin(), out.end());
  return out;
}

void check_same_head_fields(const PlanMemoHead& a, const PlanMemoHead& b) {
  CHECK(a.body_key == b.body_key);
  CHECK(a.plan_sha == b.plan_sha);
  CHECK(a.base == b.base);
  CHECK(a.stamps == b.stamps);
  CHECK(a.state_sha == b.state_sha);
  CHECK(a.plugin_has_base == b.plugin_has_base);
  CHECK(a.consulted_xor == b.consulted_xor);
}

} // namespace

// --- head and body files ---------------------------------------------------------------

TEST_CASE("a written plan memo head reads back with every field and a fresh token", "[memo]") {
  TempDir tmp{"memo"};
  std::string git_dir = make_git_dir(tmp);
  PlanMemoHead written = sample_head();
  written.digests_changed["filesystem/etc/motd"] = std::string(64, 'f'); // a full plan resets it

  REQUIRE(write_plan_memo(git_dir, written, {item("filesystem/etc/motd")}));
  CHECK(fs::is_directory(fs::path(git_dir) / "twin" / "plan-memo"));

  auto read = read_plan_memo_head(git_dir);
  REQUIRE(read);
  check_same_head_fields(*read, written);
  CHECK(read->digests_changed.empty());
  CHECK_FALSE(read->token.empty());
  CHECK(read->token != written.token);
  CHECK(read->stamps.at("state/gone.yaml").present == false);
  CHECK(read->stamps.at("config.yaml").present == true);
  CHECK(read->plugin_has_base.at("packages.apt") == false);

  SECTION("each full plan makes a new token") {
    REQUIRE(write_plan_memo(git_dir, written, {item("filesystem/etc/motd")}));
    auto again = read_plan_memo_head(git_dir);
    REQUIRE(again);
    CHECK(again->token != read->token);
    check_same_head_fields(*again, written);
  }
  SECTION("no sync base round-trips as an empty base") {
    PlanMemoHead no_base = written;
    no_base.base.clear();
    REQUIRE(write_plan_memo(git_dir, no_base, {}));
    auto again = read_plan_memo_head(git_dir);
    REQUIRE(again);
    CHECK(again->base.empty());
    check_same_head_fields(*again, no_base);
  }
  SECTION("empty maps round-trip") {
    PlanMemoHead bare;
    bare.plan_sha = k_plan_sha;
    bare.consulted_xor = k_consulted;
    REQUIRE(write_plan_memo(git_dir, bare, {}));
    auto again = read_plan_memo_head(git_dir);
    REQUIRE(again);
    check_same_head_fields(*again, bare);
  }
}

TEST_CASE("the plan memo body opens only for the head it was written with", "[memo]") {
  TempDir tmp{"memo"};
  std::string git_dir = make_git_dir(tmp);
  REQUIRE(write_plan_memo(git_dir, sample_head(),
                          {item("filesystem/etc/motd"), item("filesystem/etc/zz")}));
  auto head = read_plan_memo_head(git_dir);
  REQUIRE(head);

  SECTION("its own head") {
    auto body = PlanMemoBody::open(git_dir, *head);
    REQUIRE(body);
    CHECK(body->items_for("filesystem/etc/motd").size() == 1);
  }
  SECTION("a head with another token") {
    PlanMemoHead other = *head;
    other.token = "0000000000000000";
    CHECK_FALSE(PlanMemoBody::open(git_dir, other));
    other.token = head->token.substr(0, head->token.size() - 1); // a prefix of the real one
    CHECK_FALSE(PlanMemoBody::open(git_dir, other));
  }
  SECTION("the head of an earlier full plan") {
    REQUIRE(write_plan_memo(git_dir, sample_head(), {item("filesystem/etc/motd")}));
    CHECK_FALSE(PlanMemoBody::open(git_dir, *head));
    auto newer = read_plan_memo_head(git_dir);
    REQUIRE(newer);
    CHECK(PlanMemoBody::open(git_dir, *newer));
  }
  SECTION("no body") {
    fs::remove(body_file(git_dir));
    CHECK_FALSE(PlanMemoBody::open(git_dir, *head));
  }
  SECTION("an empty body") {
    write_file(body_file(git_dir), "");
    CHECK_FALSE(PlanMemoBody::open(git_dir, *head));
  }
  SECTION("a body truncated before its final newline") {
    std::string text = read_file(body_file(git_dir));
    REQUIRE(text.back() == '\n');
    write_file(body_file(git_dir), text.substr(0, text.size() - 1));
    CHECK_FALSE(PlanMemoBody::open(git_dir, *head));
    write_file(body_file(git_dir), text.substr(0, text.size() / 2));
    CHECK_FALSE(PlanMemoBody::open(git_dir, *head));
  }
  SECTION("a body cut at the end of a line, rows missing") {
    std::string text = read_file(body_file(git_dir));
    write_file(body_file(git_dir), text.substr(0, text.find('\n') + 1));
    CHECK_FALSE(PlanMemoBody::open(git_dir, *head));
    write_file(body_file(git_dir), text.substr(0, text.rfind('\n', text.size() - 2) + 1));
    CHECK_FALSE(PlanMemoBody::open(git_dir, *head));
  }
  SECTION("a body cut inside its first line") {
    std::string text = read_file(body_file(git_dir));
    write_file(body_file(git_dir), text.substr(0, text.find('\n') - 3) + "\n");
    CHECK_FALSE(PlanMemoBody::open(git_dir, *head));
  }
}

TEST_CASE("the plan memo body moves with the memo: open keeps its items after a move", "[memo]") {
  TempDir tmp{"memo"};
  std::string git_dir = make_git_dir(tmp);
  REQUIRE(write_plan_memo(git_dir, sample_head(), {item("filesystem/a"), item("filesystem/b")}));
  auto head = read_plan_memo_head(git_dir);
  REQUIRE(head);
  auto body = PlanMemoBody::open(git_dir, *head);
  REQUIRE(body);
  PlanMemoBody moved = std::move(*body);
  body.reset(); // the moved-from body unmaps nothing
  CHECK(moved.items_for("filesystem/b").size() == 1);
}

// --- items_for -------------------------------------------------------------------------

TEST_CASE("items_for finds every twin_path's items among 2000 written in random order", "[memo]") {
  TempDir tmp{"memo"};
  std::string git_dir = make_git_dir(tmp);
  std::mt19937 random(20240611);

  // Paths that sort next to each other in awkward ways, then many ordinary ones.
  std::vector<std::string> paths = {
      "filesystem/etc/a",
      "filesystem/etc/a.conf",
      "filesystem/etc/a/b",
      "filesystem/etc/a/b/c",
      "filesystem/etc/a-",
      "filesystem/etc/a0",
      "filesystem/etc/a b",
      "filesystem/etc/with  two spaces .conf",
      "filesystem/etc/ä/ß.conf",
      "filesystem/etc/日本/設定.yaml",
      "filesystem/etc/\xc3\xa9t\xc3\xa9",
      "filesystem/" + std::string(300, 'L'),
      "filesystem/" + std::string(300, 'L') + "/x",
      "filesystem/\x7f",
  };
  for (int i = 0; paths.size() < 1500; ++i)
    paths.push_back(fmt::format("filesystem/{}/{}{}", (i * 7919) % 37 == 0 ? "usr" : "etc",
                                std::string(static_cast<std::size_t>(i % 23), 'd'), i));

  std::vector<MemoItem> items;
  std::map<std::string, std::vector<MemoItem>> expected;
  const std::vector<std::string> plugins = {"files.mirror", "packages.apt", "services.systemd"};
  for (std::size_t i = 0; items.size() < 2000; ++i) {
    const std::string& path = paths[i % paths.size()];
    std::size_t n = path.find("/etc/a") != std::string::npos ? 3 : 1; // the tricky ones: 3 each
    if (i >= paths.size())
      n = 1; // a second round through the ordinary paths: a second item for them
    for (std::size_t k = 0; k < n && items.size() < 2000; ++k) {
      MemoItem m = item(path, plugins[(i + k) % plugins.size()], k == 1 ? "units" : "files",
                        i % 11 == 0   ? ""
                        : i % 13 == 0 ? "-"
                                      : fmt::format("{:064x}", i * 1000 + k),
                        fmt::format(R"({{"path":"/{}","n":{},"note":"ä \"q\""}})", path, i),
                        i % 5 == 0 ? "null" : fmt::format(R"({{"size":{}}})", i),
                        i % 3 == 0   ? "="
                        : i % 3 == 1 ? "null"
                                     : fmt::format(R"({{"base":{}}})", k));
      expected[path].push_back(m);
      items.push_back(std::move(m));
    }
  }
  REQUIRE(items.size() == 2000);
  std::shuffle(items.begin(), items.end(), random);

  REQUIRE(write_plan_memo(git_dir, sample_head(), items));
  auto head = read_plan_memo_head(git_dir);
  REQUIRE(head);
  auto body = PlanMemoBody::open(git_dir, *head);
  REQUIRE(body);

  std::size_t found = 0;
  for (const auto& [path, want] : expected) {
    auto got = body->items_for(path);
    found += got.size();
    INFO("twin_path " << path);
    CHECK(sorted_tuples(got) == sorted_tuples(want));
  }
  CHECK(found == 2000);
  CHECK(expected.at("filesystem/etc/a").size() >= 3);
  CHECK(expected.at("filesystem/etc/a.conf").size() >= 3);
  CHECK(expected.at("filesystem/etc/a/b").size() >= 3);

  for (std::string absent : {
           std::string(""),
           std::string("a"),                         // before the first
           std::string("filesystem"),                // a prefix of every path
           std::string("filesystem/"),               //
           std::string("filesystem/etc"),            // a directory, not an item
           std::string("filesystem/etc/"),           //
           std::string("filesystem/etc/a.c"),        // between a and a.conf
           std::string("filesystem/etc/a.conf.bak"), // an existing path extended
           std::string("filesystem/etc/a/"),         // between a.conf and a/b
           std::string("filesystem/etc/a/b/"),       //
           std::string("filesystem/etc/ä"),          //
           std::string("filesystem/etc/d5"),         // between ordinary paths
           std::string("filesystem/" + std::string(299, 'L')),
           std::string("filesystem/\x7e"),  // just before the last
           std::string("filesystem/\x7f/"), // after the last
           std::string("filesystem/\xff"),  //
           std::string("zzz"),              //
       }) {
    INFO("absent twin_path " << absent);
    CHECK(body->items_for(absent).empty());
  }
}

TEST_CASE("items_for in a body with a single item or with none", "[memo]") {
  TempDir tmp{"memo"};
  std::string git_dir = make_git_dir(tmp);

  SECTION("one item") {
    MemoItem only = item("filesystem/etc/hosts", "files.mirror", "files", "", "{}", "null", "=");
    REQUIRE(write_plan_memo(git_dir, sample_head(), {only}));
    auto head = read_plan_memo_head(git_dir);
    REQUIRE(head);
    auto body = PlanMemoBody::open(git_dir, *head);
    REQUIRE(body);
    auto got = body->items_for("filesystem/etc/hosts");
    REQUIRE(got.size() == 1);
    CHECK(as_tuple(got[0]) == as_tuple(only));
    CHECK(body->items_for("filesystem/etc/host").empty());
    CHECK(body->items_for("filesystem/etc/hosts.allow").empty());
    CHECK(body->items_for("a").empty());
    CHECK(body->items_for("z").empty());
  }
  SECTION("no items") {
    REQUIRE(write_plan_memo(git_dir, sample_head(), {}));
    auto head = read_plan_memo_head(git_dir);
    REQUIRE(head);
    auto body = PlanMemoBody::open(git_dir, *head);
    REQUIRE(body);
    CHECK(body->items_for("filesystem/etc/hosts").empty());
    CHECK(body->items_for("").empty());
  }
}

// --- incremental heads -----------------------------------------------------------------

TEST_CASE("an incremental plan rewrites the head only: same token, the body still opens",
          "[memo]") {
  TempDir tmp{"memo"};
  std::string git_dir = make_git_dir(tmp);
  REQUIRE(write_plan_memo(git_dir, sample_head(),
                          {item("filesystem/etc/a"), item("filesystem/etc/b")}));
  std::string body_before = read_file(body_file(git_dir));
  auto head = read_plan_memo_head(git_dir);
  REQUIRE(head);

  PlanMemoHead next = *head;
  next.plan_sha = k_other_plan_sha;
  next.digests_changed["filesystem/etc/a"] = std::string(64, '1');
  next.digests_changed["filesystem/etc/new file"] = ""; // removed from the twin
  next.digests_changed["filesystem/etc/ü"] = std::string(64, '2');
  REQUIRE(write_plan_memo_head(git_dir, next));

  auto read = read_plan_memo_head(git_dir);
  REQUIRE(read);
  CHECK(read->token == head->token);
  CHECK(read->plan_sha == k_other_plan_sha);
  CHECK(read->digests_changed == next.digests_changed);
  check_same_head_fields(*read, next);
  CHECK(read_file(body_file(git_dir)) == body_before);

  auto body = PlanMemoBody::open(git_dir, *read);
  REQUIRE(body);
  REQUIRE(body->items_for("filesystem/etc/a").size() == 1);
  CHECK(body->items_for("filesystem/etc/a")[0].digest == std::string(64, 'e'));
}

// --- what cannot be written or read ----------------------------------------------------

TEST_CASE("a tab or newline in an item field leaves no memo rather than a corrupt one", "[memo]") {
  TempDir tmp{"memo"};
  std::string git_dir = make_git_dir(tmp);
  // A good memo first: the bad write must not leave it looking current.
  REQUIRE(write_plan_memo(git_dir, sample_head(), {item("filesystem/etc/ok")}));
  REQUIRE(read_plan_memo_head(git_dir));

  std::vector<MemoItem> items = {item("filesystem/etc/ok"), item("filesystem/etc/z")};
  SECTION("twin_path with a tab") {
    items.push_back(item("a\tb"));
  }
  SECTION("twin_path with a newline") {
    items.push_back(item("filesystem/etc/a\nb"));
  }
  SECTION("plugin with a tab") {
    items.push_back(item("filesystem/etc/p", "files\tmirror"));
  }
  SECTION("list with a newline") {
    items.push_back(item("filesystem/etc/l", "files.mirror", "fi\nles"));
  }
  SECTION("a JSON item with a newline or a tab") {
    MemoItem bad = item("filesystem/etc/j");
    bad.desired = "{\n\"x\":1}";
    items.push_back(bad);
    bad.twin_path = "filesystem/etc/k";
    bad.desired = "{}";
    bad.base = "{\"x\":\t1}";
    items.push_back(bad);
  }
  auto status = write_plan_memo(git_dir, sample_head(), items);
  CHECK(status); // not an error: hooks just plan in full
  CHECK_FALSE(read_plan_memo_head(git_dir));
  CHECK_FALSE(fs::exists(head_file(git_dir)));
}

TEST_CASE("a tab or newline in a changed twin_path leaves no head", "[memo]") {
  TempDir tmp{"memo"};
  std::string git_dir = make_git_dir(tmp);
  REQUIRE(write_plan_memo(git_dir, sample_head(), {item("filesystem/etc/ok")}));
  auto head = read_plan_memo_head(git_dir);
  REQUIRE(head);

  PlanMemoHead next = *head;
  next.plan_sha = k_other_plan_sha;
  SECTION("tab") {
    next.digests_changed["filesystem/a\tb"] = std::string(64, '1');
  }
  SECTION("newline") {
    next.digests_changed["filesystem/a\nb"] = std::string(64, '1');
  }
  CHECK(write_plan_memo_head(git_dir, next));
  CHECK_FALSE(read_plan_memo_head(git_dir));
}

TEST_CASE("a damaged plan memo head reads as no memo", "[memo]") {
  TempDir tmp{"memo"};
  std::string git_dir = make_git_dir(tmp);
  REQUIRE(write_plan_memo(git_dir, sample_head(), {item("filesystem/etc/ok")}));
  const std::string good = read_file(head_file(git_dir));
  REQUIRE(read_plan_memo_head(git_dir));

  auto with_line_replaced = [&good](const std::string& starting, const std::string& line) {
    std::size_t at = good.find("\n" + starting);
    REQUIRE(at != std::string::npos);
    std::size_t end = good.find('\n', at + 1);
    return good.substr(0, at + 1) + line + good.substr(end);
  };
  std::string damaged;
  SECTION("an unknown key line") {
    damaged = good + "colour blue\n";
  }
  SECTION("a line without a key") {
    damaged = good + "token\n";
  }
  SECTION("an empty line") {
    damaged = good + "\n";
  }
  SECTION("a stamp number that is not a number") {
    damaged = with_line_replaced("stamp config.yaml", "stamp config.yaml\t1 x 890 1 2");
  }
  SECTION("a stamp with too few numbers") {
    damaged = with_line_replaced("stamp config.yaml", "stamp config.yaml\t1 1234567 890 1");
  }
  SECTION("a stamp without its tab") {
    damaged = with_line_replaced("stamp config.yaml", "stamp config.yaml 1 1234567 890 1 2");
  }
  SECTION("a state line with two tabs") {
    damaged = good + "state a\tb\tc\n";
  }
  SECTION("no final newline") {
    damaged = good.substr(0, good.size() - 1);
  }
  SECTION("cut in the middle") {
    damaged = good.substr(0, good.size() / 2);
  }
  SECTION("the magic line of another version") {
    damaged = "git-twin plan memo head 1" + good.substr(good.find('\n'));
  }
  SECTION("no magic line") {
    damaged = good.substr(good.find('\n') + 1);
  }
  SECTION("a plan sha of the wrong length") {
    damaged = with_line_replaced("plan ", "plan " + std::string(63, 'a'));
  }
  SECTION("a consulted set of the wrong length") {
    damaged = with_line_replaced("consulted ", "consulted 00");
  }
  SECTION("no token") {
    damaged = with_line_replaced("token ", "token ");
  }
  SECTION("empty") {
    damaged = "";
  }
  write_file(head_file(git_dir), damaged);
  CHECK_FALSE(read_plan_memo_head(git_dir));
}

TEST_CASE("no plan memo directory reads as no memo", "[memo]") {
  TempDir tmp{"memo"};
  std::string git_dir = make_git_dir(tmp);
  CHECK_FALSE(read_plan_memo_head(git_dir));
  PlanMemoHead head = sample_head();
  head.token = "0123456789abcdef";
  CHECK_FALSE(PlanMemoBody::open(git_dir, head));
}

TEST_CASE("write_plan_memo fails when the git dir has no twin/ directory", "[memo]") {
  TempDir tmp{"memo"};
  std::string git_dir = (tmp.path() / "no-such-git-dir").string();
  CHECK_FALSE(write_plan_memo(git_dir, sample_head(), {item("filesystem/etc/ok")}));
  CHECK_FALSE(read_plan_memo_head(git_dir));
}

// --- the consulted set and desired_digest ----------------------------------------------

TEST_CASE("toggling the same consulted pair twice gives back the previous set", "[memo]") {
  ConsultedSet set;
  const std::string zero(64, '0');
  CHECK(set.hex() == zero);
  set.toggle("filesystem/etc/a", std::string(64, '1'));
  std::string one = set.hex();
  CHECK(one != zero);
  set.toggle("filesystem/etc/b", "");
  std::string two = set.hex();
  CHECK(two != one);
  set.toggle("filesystem/etc/b", "");
  CHECK(set.hex() == one);
  set.toggle("filesystem/etc/a", std::string(64, '1'));
  CHECK(set.hex() == zero);
}

TEST_CASE("the consulted set does not depend on the order of toggles", "[memo]") {
  std::vector<std::pair<std::string, std::string>> pairs = {
      {"filesystem/etc/a", std::string(64, '1')},
      {"filesystem/etc/a.conf", "-"},
      {"filesystem/etc/a/b", ""},
      {"filesystem/etc/ä", std::string(64, '2')},
      {"filesystem/etc/a", std::string(64, '3')}, // the same path with another digest
  };
  ConsultedSet forward;
  for (const auto& [path, digest] : pairs)
    forward.toggle(path, digest);
  std::mt19937 random(7);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(pairs.begin(), pairs.end(), random);
    ConsultedSet shuffled;
    for (const auto& [path, digest] : pairs)
      shuffled.toggle(path, digest);
    CHECK(shuffled.hex() == forward.hex());
  }
  // The pair is one record: moving a character between path and digest changes it.
  ConsultedSet a, b;
  a.toggle("filesystem/x", "1");
  b.toggle("filesystem/x1", "");
  CHECK(a.hex() != b.hex());
}

TEST_CASE("a consulted set round-trips through hex, and malformed hex gives the empty set",
          "[memo]") {
  ConsultedSet set;
  set.toggle("filesystem/etc/a", std::string(64, '1'));
  set.toggle("filesystem/etc/b", "-");
  CHECK(ConsultedSet(set.hex()).hex() == set.hex());
  CHECK(ConsultedSet(k_consulted).hex() == k_consulted);

  // Toggling a set read from hex continues from it.
  ConsultedSet copy(set.hex());
  copy.toggle("filesystem/etc/b", "-");
  set.toggle("filesystem/etc/b", "-");
  CHECK(copy.hex() == set.hex());

  const std::string zero(64, '0');
  std::string valid = set.hex();
  CHECK(ConsultedSet("").hex() == zero);
  CHECK(ConsultedSet(valid.substr(0, 63)).hex() == zero);
  CHECK(ConsultedSet(valid + "0").hex() == zero);
  CHECK(ConsultedSet(std::string(64, 'A')).hex() == zero); // uppercase is not what hex() writes
  CHECK(ConsultedSet(std::string(63, 'f') + "g").hex() == zero); // bad at the very end
  CHECK(ConsultedSet("g" + std::string(63, 'f')).hex() == zero);
}

TEST_CASE("desired_digest changes with a state document or the consulted set, only then",
          "[memo]") {
  std::map<std::string, std::string> state = {{"state/files.yaml", std::string(64, 'c')},
                                              {"state/packages.yaml", std::string(64, 'd')}};
  ConsultedSet consulted;
  consulted.toggle("filesystem/etc/a", std::string(64, '1'));
  const std::string digest = desired_digest(state, consulted);
  CHECK(digest.size() == 64);
  CHECK(desired_digest(state, consulted) == digest);
  CHECK(desired_digest(state, ConsultedSet(consulted.hex())) == digest);

  SECTION("a state document's sha changes") {
    auto changed = state;
    changed["state/files.yaml"] = std::string(64, 'e');
    CHECK(desired_digest(changed, consulted) != digest);
  }
  SECTION("a state document is added or removed") {
    auto added = state;
    added["state/users.yaml"] = std::string(64, 'f');
    CHECK(desired_digest(added, consulted) != digest);
    auto removed = state;
    removed.erase("state/packages.yaml");
    CHECK(desired_digest(removed, consulted) != digest);
  }
  SECTION("a state document is renamed") {
    std::map<std::string, std::string> renamed = {{"state/files2.yaml", std::string(64, 'c')},
                                                  {"state/packages.yaml", std::string(64, 'd')}};
    CHECK(desired_digest(renamed, consulted) != digest);
  }
  SECTION("the consulted set changes, and changes back") {
    ConsultedSet more = consulted;
    more.toggle("filesystem/etc/b", "");
    CHECK(desired_digest(state, more) != digest);
    more.toggle("filesystem/etc/b", "");
    CHECK(desired_digest(state, more) == digest);
  }
  SECTION("no state and an empty set still give a digest, a different one") {
    CHECK(desired_digest({}, ConsultedSet()) != digest);
    CHECK(desired_digest({}, ConsultedSet()) == desired_digest({}, ConsultedSet()));
  }
}
