// SPDX-License-Identifier: MIT
// The twin-yaml structural merge (filters/yaml_merge.hpp), the driver's choice between the
// line merge and the structure (merge_contents), the driver's file and crypt handling
// (run_merge_driver), and the conflict-marker check of validate (core/conflict_markers.hpp).
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "core/conflict_markers.hpp"
#include "core/runner.hpp"
#include "core/secret_cipher.hpp"
#include "core/snapshot.hpp"
#include "core/work_tree.hpp"
#include "core/yaml_emitter.hpp"
#include "core/yaml_reader.hpp"
#include "filters/merge_driver.hpp"
#include "filters/yaml_merge.hpp"
#include "plugins/registry.hpp"
#include "test_support.hpp"

using twin::MergeKey;
using twin::Value;
using twin::filters::merge_yaml;
using twin::filters::YamlMerge;

namespace {

const std::vector<MergeKey> packages_keys = {{"packages", {"name"}}};
const std::vector<MergeKey> cron_keys = {{"cron", {"user", "command"}}};

Value yaml(std::string_view text) {
  auto v = twin::parse_yaml(text, "test.yaml");
  INFO((v ? std::string() : v.error().message));
  REQUIRE(v);
  return *v;
}

YamlMerge merged(std::string_view base, std::string_view ours, std::string_view theirs,
                 const std::vector<MergeKey>& keys = packages_keys) {
  auto m = merge_yaml(yaml(base), yaml(ours), yaml(theirs), keys);
  REQUIRE(m);
  return *m;
}

// The merged document of a clean merge, as canonical text.
std::string clean(std::string_view base, std::string_view ours, std::string_view theirs,
                  const std::vector<MergeKey>& keys = packages_keys) {
  YamlMerge m = merged(base, ours, theirs, keys);
  REQUIRE(m.clean());
  REQUIRE(m.merged);
  CHECK(m.text == twin::emit_yaml(*m.merged));
  return m.text;
}

constexpr std::string_view base2 = "packages:\n"
                                   "  - name: curl\n"
                                   "    ensure: present\n"
                                   "  - name: vim\n"
                                   "    ensure: present\n";

} // namespace

TEST_CASE("yaml merge: packages added on both sides", "[merge]") {
  // Different packages: both kept; theirs' after the item it followed in theirs.
  CHECK(clean(base2,
              "packages:\n  - {name: curl, ensure: present}\n  - {name: vim, ensure: present}\n"
              "  - {name: htop, ensure: present}\n",
              "packages:\n  - {name: curl, ensure: present}\n  - {name: jq, ensure: present}\n"
              "  - {name: vim, ensure: present}\n") == "packages:\n"
                                                       "  - name: curl\n"
                                                       "    ensure: present\n"
                                                       "  - name: jq\n"
                                                       "    ensure: present\n"
                                                       "  - name: vim\n"
                                                       "    ensure: present\n"
                                                       "  - name: htop\n"
                                                       "    ensure: present\n");
  // The same package, identically: once.
  std::string both = std::string(base2) + "  - name: htop\n    ensure: present\n";
  CHECK(clean(base2, both, both) == both);
  // The same package with different fields: merged like an edit of an empty resource.
  CHECK(clean(base2, std::string(base2) + "  - name: htop\n    ensure: present\n",
              std::string(base2) + "  - name: htop\n    version: \"3.2\"\n") ==
        std::string(base2) + "  - name: htop\n    ensure: present\n    version: \"3.2\"\n");
  // ... and a conflict when the same field differs.
  YamlMerge m = merged(base2, std::string(base2) + "  - {name: htop, ensure: present}\n",
                       std::string(base2) + "  - {name: htop, ensure: absent}\n");
  CHECK(m.conflicts == std::vector<std::string>{"packages: htop"});
}

TEST_CASE("yaml merge: removals", "[merge]") {
  const std::string only_vim = "packages:\n  - name: vim\n    ensure: present\n";
  const std::string only_curl = "packages:\n  - name: curl\n    ensure: present\n";
  // Removed on one side, unchanged on the other: removed (either side).
  CHECK(clean(base2, only_vim, base2) == only_vim);
  CHECK(clean(base2, base2, only_vim) == only_vim);
  // Removed on both: removed once; each side removes another: both gone.
  CHECK(clean(base2, only_vim, only_vim) == only_vim);
  CHECK(clean(base2, only_vim, only_curl) == "packages: []\n");
  // Added on one side, removed on the other.
  CHECK(clean(base2, only_vim, std::string(base2) + "  - name: htop\n    ensure: present\n") ==
        only_vim + "  - name: htop\n    ensure: present\n");
}

TEST_CASE("yaml merge: field edits of one resource", "[merge]") {
  const std::string base = "services:\n"
                           "  - name: ssh.service\n"
                           "    enabled: true\n"
                           "    running: true\n";
  const std::vector<MergeKey> keys = {{"services", {"name"}}};
  auto with = [](std::string_view enabled, std::string_view running) {
    return fmt::format("services:\n  - name: ssh.service\n    enabled: {}\n    running: {}\n",
                       enabled, running);
  };
  // Different fields: both edits.
  CHECK(clean(base, with("false", "true"), with("true", "false"), keys) == with("false", "false"));
  // The same field to the same value: fine.
  CHECK(clean(base, with("false", "true"), with("false", "true"), keys) == with("false", "true"));
  // Nested maps merge key by key (a cron job's env).
  CHECK(clean("cron:\n  - {user: root, schedule: '@daily', command: b, env: {A: '1'}}\n",
              "cron:\n  - {user: root, schedule: '@daily', command: b, env: {A: '2'}}\n",
              "cron:\n  - {user: root, schedule: '@daily', command: b, env: {A: '1', B: '3'}}\n",
              cron_keys) == "cron:\n"
                            "  - user: root\n"
                            "    command: b\n"
                            "    env:\n"
                            "      A: \"2\"\n"
                            "      B: \"3\"\n"
                            "    schedule: \"@daily\"\n");

  // Theirs removes a field and adds one, ours edits a third: merged.
  YamlMerge m = merged(base, with("false", "true"),
                       "services:\n  - {name: ssh.service, enabled: true, masked: true}\n", keys);
  CHECK(m.clean());
  CHECK(*m.merged == yaml("services: [{name: ssh.service, enabled: false, masked: true}]\n"));

  // The same field to different values: a conflict, shown as git shows one.
  m = merged(base, with("false", "true") + "  - name: a.service\n    enabled: true\n",
             "services:\n  - name: ssh.service\n    enabled: maybe\n    running: true\n", keys);
  REQUIRE_FALSE(m.clean());
  CHECK(m.conflicts == std::vector<std::string>{"services: ssh.service"});
  CHECK_FALSE(m.merged);
  CHECK(m.text == "services:\n"
                  "<<<<<<< ours\n"
                  "  - name: ssh.service\n"
                  "    enabled: false\n"
                  "    running: true\n"
                  "=======\n"
                  "  - name: ssh.service\n"
                  "    enabled: maybe\n"
                  "    running: true\n"
                  ">>>>>>> theirs\n"
                  "  - name: a.service\n"
                  "    enabled: true\n");
}

TEST_CASE("yaml merge: a change against a removal is a conflict", "[merge]") {
  const std::string changed = "packages:\n"
                              "  - name: curl\n"
                              "    ensure: absent\n"
                              "  - name: vim\n"
                              "    ensure: present\n";
  const std::string removed = "packages:\n  - name: vim\n    ensure: present\n";
  YamlMerge m = merged(base2, changed, removed);
  CHECK(m.conflicts == std::vector<std::string>{"packages: curl"});
  CHECK(m.text == "packages:\n"
                  "<<<<<<< ours\n"
                  "  - name: curl\n"
                  "    ensure: absent\n"
                  "=======\n"
                  ">>>>>>> theirs\n"
                  "  - name: vim\n"
                  "    ensure: present\n");
  // The other way round: theirs' changed item stands where it stood in theirs.
  m = merged(base2, removed, changed);
  CHECK(m.text == "packages:\n"
                  "<<<<<<< ours\n"
                  "=======\n"
                  "  - name: curl\n"
                  "    ensure: absent\n"
                  ">>>>>>> theirs\n"
                  "  - name: vim\n"
                  "    ensure: present\n");

  // Keeping one side and deleting the markers leaves a document that parses.
  std::string kept = m.text;
  kept.erase(kept.find("<<<<<<< ours\n=======\n"), std::string("<<<<<<< ours\n=======\n").size());
  kept.erase(kept.find(">>>>>>> theirs\n"), std::string(">>>>>>> theirs\n").size());
  CHECK(yaml(kept) == yaml(changed));
}

TEST_CASE("yaml merge: order", "[merge]") {
  const std::string base = "packages: [{name: a}, {name: b}, {name: c}]\n";
  auto names = [](const YamlMerge& m) {
    std::string out;
    for (const auto& item : m.merged->find("packages")->as_list())
      out += item.get_string("name");
    return out;
  };
  // Ours' order wins; theirs' new items follow the item before them in theirs.
  CHECK(names(merged(base, "packages: [{name: c}, {name: b}, {name: a}]\n",
                     "packages: [{name: a}, {name: x}, {name: b}, {name: c}, {name: z}]\n")) ==
        "czbax");
  // One whose predecessor ours removed: after the nearest surviving one; one that follows
  // nothing that survives: before the nearest item after it, else last.
  CHECK(names(merged(base, "packages: [{name: a}, {name: c}]\n",
                     "packages: [{name: x}, {name: a}, {name: b}, {name: z}, {name: c}]\n")) ==
        "xazc");
  CHECK(names(merged(base, "packages: [{name: b}, {name: c}]\n",
                     "packages: [{name: a}, {name: z}, {name: b}, {name: c}]\n")) == "zbc");
}

TEST_CASE("yaml merge: cron jobs are user and command", "[merge]") {
  const std::string base = "cron:\n"
                           "  - {user: root, schedule: '0 3 * * *', command: /bin/backup}\n"
                           "  - {user: alice, schedule: '@daily', command: /bin/backup}\n";
  // A schedule edit on one side and a disable on the other: the same job, merged.
  YamlMerge m = merged(
      base,
      "cron:\n  - {user: root, schedule: '0 4 * * *', command: /bin/backup}\n"
      "  - {user: alice, schedule: '@daily', command: /bin/backup}\n",
      "cron:\n  - {user: root, schedule: '0 3 * * *', command: /bin/backup, enabled: false}\n"
      "  - {user: alice, schedule: '@daily', command: /bin/backup}\n"
      "  - {user: bob, ensure: absent}\n",
      cron_keys);
  REQUIRE(m.clean());
  CHECK(*m.merged == yaml("cron:\n"
                          "  - {user: root, schedule: '0 4 * * *', command: /bin/backup, "
                          "enabled: false}\n"
                          "  - {user: alice, schedule: '@daily', command: /bin/backup}\n"
                          "  - {user: bob, ensure: absent}\n"));
  // Same user and command, different schedules on both sides: a conflict of that job only.
  m = merged(base,
             "cron:\n  - {user: root, schedule: '0 4 * * *', command: /bin/backup}\n"
             "  - {user: alice, schedule: '@daily', command: /bin/backup}\n",
             "cron:\n  - {user: root, schedule: '0 5 * * *', command: /bin/backup}\n"
             "  - {user: alice, schedule: '@hourly', command: /bin/backup}\n",
             cron_keys);
  CHECK(m.conflicts == std::vector<std::string>{"cron: root /bin/backup"});
  CHECK(m.text.find("schedule: \"@hourly\"") != std::string::npos);
  // `{user, ensure: absent}` on both sides for different users: two resources.
  m = merged("cron: []\n", "cron: [{user: bob, ensure: absent}]\n",
             "cron: [{user: eve, ensure: absent}]\n", cron_keys);
  CHECK(m.clean());
  CHECK(m.merged->find("cron")->as_list().size() == 2);
}

TEST_CASE("yaml merge: top-level keys and shapes", "[merge]") {
  const std::vector<MergeKey> keys = packages_keys;
  // Another top-level key merges like a field, and conflicts as "key: value" blocks.
  CHECK(clean("packages: []\nnote: a\n", "packages: [{name: x}]\nnote: a\n",
              "packages: []\nnote: b\n") == "note: b\npackages:\n  - name: x\n");
  YamlMerge m = merged("note: a\n", "note: b\n", "note: c\n");
  CHECK(m.text == "<<<<<<< ours\nnote: b\n=======\nnote: c\n>>>>>>> theirs\n");
  CHECK(m.conflicts == std::vector<std::string>{"note"});
  // An empty base (the file was added on both sides), an empty document.
  CHECK(clean("", "packages: [{name: x}]\n", "packages: [{name: z}]\n") ==
        "packages:\n  - name: x\n  - name: z\n");
  CHECK(clean("packages: [{name: x}]\n", "packages: [{name: x}]\n", "") == "{}\n");
  // Shapes the keys do not describe are refused (the driver then merges the text).
  CHECK_FALSE(merge_yaml(yaml(""), yaml("[1]"), yaml(""), keys));
  CHECK_FALSE(merge_yaml(yaml(""), yaml("packages: x\n"), yaml(""), keys));
  CHECK_FALSE(merge_yaml(yaml(""), yaml("packages: [x]\n"), yaml(""), keys));
  CHECK_FALSE(merge_yaml(yaml(""), yaml("packages: [{name: 1}]\n"), yaml(""), keys));
  CHECK_FALSE(merge_yaml(yaml(""), yaml("packages: [{name: a}, {name: a}]\n"), yaml(""), keys));
}

TEST_CASE("yaml merge: conflict text is not YAML, and validate points at the marker", "[merge]") {
  YamlMerge m =
      merged(base2, "packages:\n  - {name: curl, ensure: present, version: '2'}\n  - {name: vim}\n",
             "packages:\n  - {name: curl, ensure: present, version: '1'}\n"
             "  - {name: vim}\n");
  REQUIRE_FALSE(m.clean());
  CHECK_FALSE(twin::parse_yaml(m.text, "state/packages.yaml"));
  auto marker = twin::find_conflict_marker(m.text);
  REQUIRE(marker);
  CHECK(marker->line == 2);
  CHECK(twin::conflict_marker_error("state/packages.yaml", m.text) ==
        "state/packages.yaml:2: unresolved merge conflict (<<<<<<<): keep one side and delete "
        "the markers");
  // What validate and pre-commit run reports it before the parser does.
  const twin::Plugin* packages = twin::plugins::find("packages.debian");
  REQUIRE(packages);
  twin_test::TempDir dir("merge");
  auto tree = twin::WorkTree::open(dir.path().string());
  REQUIRE(tree);
  auto errors =
      twin::check_state_document(*packages, "state/packages.yaml", m.text, twin::Config{}, *tree);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].find("state/packages.yaml:2: unresolved merge conflict") == 0);

  CHECK(twin::find_conflict_marker("a: 1\n=======\n")->marker == "=======");
  CHECK(twin::find_conflict_marker("a: 1\n||||||| base\n")->line == 2);
  CHECK(twin::find_conflict_marker(">>>>>>> theirs")->line == 1);
  // Not markers: indented, longer runs, "=======" with text after it.
  CHECK_FALSE(twin::find_conflict_marker("a: |\n  <<<<<<< x\n"));
  CHECK_FALSE(twin::find_conflict_marker("<<<<<<<< x\n========\n======= x\n"));
}

// merge_contents and run_merge_driver run the real `git merge-file`.

TEST_CASE("merge driver: a clean line merge keeps comments", "[merge]") {
  twin_test::TempDir dir("merge");
  std::string base = "# my packages\npackages:\n  - name: curl  # for scripts\n"
                     "    ensure: present\n  - name: vim\n    ensure: present\n";
  std::string ours = base + "  - name: htop\n    ensure: present\n";
  std::string theirs = "# my packages\npackages:\n  - name: curl  # for scripts\n"
                       "    ensure: absent\n  - name: vim\n    ensure: present\n";
  twin::filters::MergeInputs in{"state/packages.yaml", base, ours, theirs, &packages_keys, false,
                                dir.path().string()};
  auto out = twin::filters::merge_contents(in, twin::process_runner());
  INFO((out ? std::string() : out.error().message));
  REQUIRE(out);
  CHECK_FALSE(out->conflict);
  CHECK(out->text == "# my packages\npackages:\n  - name: curl  # for scripts\n"
                     "    ensure: absent\n  - name: vim\n    ensure: present\n"
                     "  - name: htop\n    ensure: present\n");

  // Both add at the end: git's lines conflict, the structure does not (canonical text).
  std::string jq = base + "  - name: jq\n    ensure: present\n";
  in.theirs = jq;
  out = twin::filters::merge_contents(in, twin::process_runner());
  REQUIRE(out);
  CHECK_FALSE(out->conflict);
  CHECK(out->text == "packages:\n  - name: curl\n    ensure: present\n  - name: vim\n"
                     "    ensure: present\n  - name: htop\n    ensure: present\n"
                     "  - name: jq\n    ensure: present\n");

  // A side that is not YAML: merged as text, and said so.
  std::string broken = base + "  - name: [\n";
  in.theirs = broken;
  out = twin::filters::merge_contents(in, twin::process_runner());
  REQUIRE(out);
  CHECK(out->conflict);
  CHECK(out->text.find("||||||| base\n") != std::string::npos);
  REQUIRE(out->notes.size() == 1);
  CHECK(out->notes[0].find("merged as text") != std::string::npos);
}

TEST_CASE("merge driver: encrypted inputs are merged in plaintext and stored encrypted",
          "[merge]") {
  twin_test::TempDir dir("merge");
  auto key = twin::SecretKey::generate();
  REQUIRE(key);
  const std::string path = "filesystem/etc/shadow";
  auto blob = [&](const std::string& text) {
    return twin::encrypt_secret(*key, path, text).value();
  };
  std::string base = "root:x:1\nalice:x:1\nbob:x:1\n";
  twin_test::write_file(dir.path() / "O", blob(base));
  twin_test::write_file(dir.path() / "A", blob("root:SECRET-A:1\nalice:x:1\nbob:x:1\n"));
  twin_test::write_file(dir.path() / "B", blob("root:x:1\nalice:x:1\nbob:SECRET-B:1\n"));
  ::chmod((dir.path() / "A").c_str(), 0600);
  twin::filters::MergeDriverArgs args{(dir.path() / "O").string(),
                                      (dir.path() / "A").string(),
                                      (dir.path() / "B").string(),
                                      path,
                                      false,
                                      dir.path().string()};
  auto no_keys = [](std::string_view) { return std::vector<MergeKey>{}; };
  auto with_key = [&]() -> twin::Result<std::optional<twin::SecretKey>> { return *key; };
  auto rc = twin::filters::run_merge_driver(args, no_keys, with_key, twin::process_runner());
  REQUIRE(rc);
  CHECK(*rc == 0);
  std::string result = twin_test::read_file(dir.path() / "A");
  REQUIRE(twin::is_encrypted(result));
  CHECK(twin::decrypt_secret(*key, path, result).value() ==
        "root:SECRET-A:1\nalice:x:1\nbob:SECRET-B:1\n");
  struct stat st {};
  REQUIRE(::stat((dir.path() / "A").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  // A conflict: markers inside the ciphertext, exit 1.
  twin_test::write_file(dir.path() / "A", blob("root:SECRET-A:1\nalice:x:1\nbob:x:1\n"));
  twin_test::write_file(dir.path() / "B", blob("root:SECRET-C:1\nalice:x:1\nbob:x:1\n"));
  rc = twin::filters::run_merge_driver(args, no_keys, with_key, twin::process_runner());
  REQUIRE(rc);
  CHECK(*rc == 1);
  std::string text =
      twin::decrypt_secret(*key, path, twin_test::read_file(dir.path() / "A")).value();
  CHECK(text.find("<<<<<<< ours\nroot:SECRET-A:1\n||||||| base\nroot:x:1\n=======\n"
                  "root:SECRET-C:1\n>>>>>>> theirs\n") == 0);

  // No key: an error, and %A is left as it was.
  std::string before = twin_test::read_file(dir.path() / "A");
  auto no_key = []() -> twin::Result<std::optional<twin::SecretKey>> { return std::nullopt; };
  rc = twin::filters::run_merge_driver(args, no_keys, no_key, twin::process_runner());
  REQUIRE_FALSE(rc);
  CHECK(rc.error().message.find("no twin-crypt key") != std::string::npos);
  CHECK(twin_test::read_file(dir.path() / "A") == before);
}

TEST_CASE("merge driver: every plugin with state has merge keys", "[merge]") {
  for (const twin::Plugin* p : twin::plugins::all()) {
    if (!p->has_state())
      continue;
    auto keys = p->merge_keys();
    REQUIRE(keys.size() == 1);
    CHECK(keys[0].list == p->fragment());
  }
  const twin::Plugin* cron = twin::plugins::find("cron.user");
  REQUIRE(cron);
  CHECK(cron->merge_keys()[0].fields == std::vector<std::string>{"user", "command"});
}

TEST_CASE("yaml merge: large fragments", "[merge]") {
  // files.yaml of a whole /etc: ten thousand entries on each side, all new.
  Value ours = Value::map(), theirs = Value::map();
  for (int i = 0; i < 10000; ++i) {
    Value a = Value::map(), b = Value::map();
    a["path"] = fmt::format("/etc/a/{}", i);
    b["path"] = fmt::format("/etc/b/{}", i);
    ours["files"].push_back(std::move(a));
    theirs["files"].push_back(std::move(b));
  }
  const std::vector<MergeKey> keys = {{"files", {"path"}}};
  auto m = merge_yaml(Value(), ours, theirs, keys);
  REQUIRE(m);
  REQUIRE(m->clean());
  const auto& files = m->merged->find("files")->as_list();
  REQUIRE(files.size() == 20000);
  CHECK(files[9999].get_string("path") == "/etc/a/9999");
  CHECK(files[10000].get_string("path") == "/etc/b/0");
  CHECK(files[19999].get_string("path") == "/etc/b/9999");
}
