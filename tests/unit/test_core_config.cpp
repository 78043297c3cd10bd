// SPDX-License-Identifier: MIT
// config.yaml: the default document init writes, reading every field into Config, the
// schema and semantic problems check_config reports (with pointers and lines), and the
// embedded schema.yaml of every built-in plugin.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/yaml_emitter.hpp"
#include "core/yaml_reader.hpp"
#include "plugins/registry.hpp"

using namespace twin;

namespace {

Value parse(const std::string& text) {
  auto doc = parse_yaml(text, "config.yaml");
  INFO(text);
  REQUIRE(doc);
  return *doc;
}

std::vector<SchemaProblem> check(const std::string& text) {
  return check_config(parse(text), plugins::names());
}

std::string describe(const std::vector<SchemaProblem>& problems) {
  std::string out;
  for (const auto& p : problems)
    out += format_problem("config.yaml", p) + "\n";
  return out;
}

// The one problem reported for `text`: its pointer must be `pointer`.
SchemaProblem only_problem(const std::string& text, const std::string& pointer) {
  auto problems = check(text);
  INFO(describe(problems));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].pointer == pointer);
  return problems[0];
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

} // namespace

// --- defaults ---------------------------------------------------------------------------

TEST_CASE("the default config document passes check_config", "[config]") {
  Value doc = default_config_document(plugins::names());
  auto problems = check_config(doc, plugins::names());
  INFO(describe(problems));
  CHECK(problems.empty());
}

TEST_CASE("the default config document still passes after a trip through YAML", "[config]") {
  Value doc = parse(emit_yaml(default_config_document(plugins::names())));
  auto problems = check_config(doc, plugins::names());
  INFO(describe(problems));
  CHECK(problems.empty());
}

TEST_CASE("the default config reads back as the default settings", "[config]") {
  Config c = config_from_document(default_config_document({"system.info", "files.mirror"}));
  Config defaults;
  CHECK(c.root == "/");
  CHECK(c.filesystem_roots == std::vector<std::string>{"/etc"});
  CHECK(c.enabled_plugins == std::vector<std::string>{"system.info", "files.mirror"});
  CHECK(c.auto_commit == defaults.auto_commit);
  CHECK(c.max_file_size_mb == defaults.max_file_size_mb);
  CHECK(c.require_confirmation == defaults.require_confirmation);
  CHECK(c.backup_replaced_files == defaults.backup_replaced_files);
  CHECK(c.adopt_local_changes == defaults.adopt_local_changes);
}

TEST_CASE("the default excludes keep package leftovers out; secrets come in, encrypted",
          "[config]") {
  Config c = config_from_document(default_config_document({}));
  CHECK(!contains(c.exclude, "/etc/shadow"));
  CHECK(c.secrets.empty());
  CHECK(contains(c.exclude, "/etc/*.dpkg-old"));
  CHECK(contains(c.exclude, "/etc/ld.so.cache"));
}

// --- reading ----------------------------------------------------------------------------

TEST_CASE("config_from_document reads every field", "[config]") {
  Config c = config_from_document(parse(R"(root: /mnt/image
filesystem_roots: [/etc, /srv/www]
exclude: ["/etc/*.bak", "/srv/www/cache"]
secrets: ["/srv/www/*.token"]
plugins: {enable: [files.mirror]}
snapshot: {auto_commit: false, max_file_size_mb: 0.5}
apply: {require_confirmation: false, backup_replaced_files: false}
sync: {adopt_local_changes: false}
github: {user: me, device_repo: twin-laptop}
)"));
  CHECK(c.root == "/mnt/image");
  CHECK(c.filesystem_roots == std::vector<std::string>{"/etc", "/srv/www"});
  CHECK(c.exclude == std::vector<std::string>{"/etc/*.bak", "/srv/www/cache"});
  CHECK(c.secrets == std::vector<std::string>{"/srv/www/*.token"});
  CHECK(c.enabled_plugins == std::vector<std::string>{"files.mirror"});
  CHECK_FALSE(c.auto_commit);
  CHECK(c.max_file_size_mb == 0.5);
  CHECK_FALSE(c.require_confirmation);
  CHECK_FALSE(c.backup_replaced_files);
  CHECK_FALSE(c.adopt_local_changes);
}

TEST_CASE("an integer max_file_size_mb is read as megabytes", "[config]") {
  Config c = config_from_document(parse("snapshot: {max_file_size_mb: 3}\n"));
  CHECK(c.max_file_size_mb == 3.0);
}

TEST_CASE("an empty config gives the built-in defaults", "[config]") {
  Config c = config_from_document(parse(""));
  Config defaults;
  CHECK(c.root == defaults.root);
  CHECK(c.filesystem_roots == defaults.filesystem_roots);
  CHECK(c.exclude.empty());
  CHECK(c.enabled_plugins.empty());
  CHECK(c.auto_commit == defaults.auto_commit);
  CHECK(c.max_file_size_mb == defaults.max_file_size_mb);
  CHECK(c.require_confirmation == defaults.require_confirmation);
  CHECK(c.backup_replaced_files == defaults.backup_replaced_files);
  CHECK(c.adopt_local_changes == defaults.adopt_local_changes);
}

TEST_CASE("an empty filesystem_roots list means no trees are mirrored", "[config]") {
  Config c = config_from_document(parse("filesystem_roots: []\n"));
  CHECK(c.filesystem_roots.empty());
}

// --- problems ---------------------------------------------------------------------------

TEST_CASE("check_config names an unknown plugin by its list position and line", "[config]") {
  SchemaProblem p = only_problem("plugins:\n"
                                 "  enable:\n"
                                 "    - system.info\n"
                                 "    - packages.nope\n",
                                 "/plugins/enable/1");
  CHECK_THAT(p.message, Catch::Contains("packages.nope"));
  CHECK(p.mark.line == 4);
}

TEST_CASE("check_config refuses a relative filesystem root", "[config]") {
  SchemaProblem p = only_problem("filesystem_roots: [/etc, etc/nginx]\n", "/filesystem_roots/1");
  CHECK(p.mark.line == 1);
}

TEST_CASE("check_config refuses '/' as a filesystem root", "[config]") {
  SchemaProblem p = only_problem("filesystem_roots:\n  - /\n", "/filesystem_roots/0");
  CHECK_THAT(p.message, Catch::Contains("'/'"));
  CHECK(p.mark.line == 2);
}

TEST_CASE("check_config refuses a filesystem root that is not a normal path", "[config]") {
  only_problem("filesystem_roots: [/etc/../srv]\n", "/filesystem_roots/0");
  only_problem("filesystem_roots: [/etc/]\n", "/filesystem_roots/0");
}

TEST_CASE("check_config refuses a root that is not a normal absolute path", "[config]") {
  only_problem("root: /mnt//image\n", "/root");
  only_problem("root: mnt/image\n", "/root");
}

TEST_CASE("check_config refuses a secret pattern that is not anchored", "[config]") {
  SchemaProblem p = only_problem("secrets: [/srv/ok, srv/*.token]\n", "/secrets/1");
  CHECK(p.message.find("starts with '/' or '**/'") != std::string::npos);
  CHECK(p.mark.line == 1);
}

TEST_CASE("check_config reports a wrong type with its pointer", "[config]") {
  SchemaProblem p = only_problem("snapshot:\n  auto_commit: \"yes\"\n", "/snapshot/auto_commit");
  CHECK(p.mark.line == 2);
}

TEST_CASE("check_config refuses an unknown setting", "[config]") {
  auto problems = check("snapshot: {auto_comit: true}\n");
  INFO(describe(problems));
  CHECK_FALSE(problems.empty());
}

TEST_CASE("check_config refuses a zero or negative size limit", "[config]") {
  only_problem("snapshot: {max_file_size_mb: 0}\n", "/snapshot/max_file_size_mb");
  only_problem("snapshot: {max_file_size_mb: -1}\n", "/snapshot/max_file_size_mb");
}

TEST_CASE("check_config refuses a plugin enabled twice", "[config]") {
  auto problems = check("plugins: {enable: [files.mirror, files.mirror]}\n");
  INFO(describe(problems));
  CHECK_FALSE(problems.empty());
}

// --- plugin schemas ---------------------------------------------------------------------

TEST_CASE("every plugin's embedded schema.yaml parses and has the schemas it needs", "[config]") {
  for (const Plugin* plugin : plugins::all()) {
    std::string name(plugin->name());
    DYNAMIC_SECTION(name) {
      auto files = plugins::files_of(plugin->name());
      REQUIRE_FALSE(files.schema.empty());
      auto schema = parse_yaml(files.schema, name + "/schema.yaml");
      INFO((schema ? "" : schema.error().message));
      REQUIRE(schema);
      REQUIRE(schema->find("live"));
      CHECK(schema->find("live")->is_map());
      CHECK(*schema->find("live") == plugin->live_schema());
      if (plugin->has_state()) {
        REQUIRE(schema->find("state"));
        REQUIRE(plugin->state_schema());
        CHECK(*schema->find("state") == *plugin->state_schema());
      } else {
        CHECK(plugin->state_schema() == nullptr);
      }
      // The schemas compile.
      CHECK(validate_against(plugin->live_schema(), Value::map()));
      if (plugin->state_schema())
        CHECK(validate_against(*plugin->state_schema(), Value::map()));
    }
  }
}

TEST_CASE("every plugin's embedded plugin.yaml names the plugin and its fragment", "[config]") {
  for (const Plugin* plugin : plugins::all()) {
    std::string name(plugin->name());
    DYNAMIC_SECTION(name) {
      auto manifest = parse_yaml(plugins::files_of(plugin->name()).manifest, name + "/plugin.yaml");
      INFO((manifest ? "" : manifest.error().message));
      REQUIRE(manifest);
      CHECK(manifest->get_string("name") == name);
      const Value* fragments = manifest->find("fragments");
      REQUIRE(fragments);
      REQUIRE(fragments->is_list());
      CHECK(fragments->as_list() == Value::List{std::string(plugin->fragment())});
    }
  }
}

TEST_CASE("every log plugin's embedded plugin.yaml names it, of kind logs", "[config]") {
  for (const LogPlugin* plugin : plugins::log_plugins()) {
    std::string name(plugin->name());
    DYNAMIC_SECTION(name) {
      auto files = plugins::files_of(plugin->name());
      CHECK(files.schema.empty());
      auto manifest = parse_yaml(files.manifest, name + "/plugin.yaml");
      INFO((manifest ? "" : manifest.error().message));
      REQUIRE(manifest);
      CHECK(manifest->get_string("name") == name);
      CHECK(manifest->get_string("kind") == "logs");
    }
  }
}

TEST_CASE("the registry knows each plugin by name, in apply order", "[config]") {
  auto names = plugins::names();
  CHECK(contains(names, "system.info"));
  CHECK(contains(names, "files.mirror"));
  CHECK(contains(names, "logs.systemd_journal"));
  CHECK(contains(names, "logs.files"));
  for (const Plugin* p : plugins::all())
    CHECK(plugins::find(p->name()) == p);
  CHECK(plugins::find("logs.files") == nullptr); // a log plugin is not a config plugin
  CHECK(plugins::find("no.such") == nullptr);
  CHECK(names.size() == plugins::all().size() + plugins::log_plugins().size());

  Config c;
  c.enabled_plugins = {"files.mirror", "system.info"};
  auto enabled = plugins::enabled(c);
  REQUIRE(enabled.size() == 2);
  CHECK(enabled[0]->name() == names[0]); // registry order, not config order
}
