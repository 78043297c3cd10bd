// SPDX-License-Identifier: MIT
// Secret rules: the pattern matcher, the mode rule, the tracker, and the .gitattributes
// block, checked against git's own reading of it (git check-attr).
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "core/secret_paths.hpp"
#include "test_support.hpp"

using namespace twin;
using twin_test::TempDir;
using twin_test::write_file;

namespace {

const std::vector<std::string> k_documents = {"state/cron.yaml", "live/cron.yaml"};

// What git says the filter attribute of each path is, with these .gitattributes files
// (repository path -> text).
std::vector<bool> git_says_encrypted(const std::map<std::string, std::string>& attributes,
                                     const std::vector<std::string>& paths) {
  TempDir temp;
  std::string dir = temp.path().string();
  REQUIRE(std::system(fmt::format("git init -q '{}'", dir).c_str()) == 0);
  for (const auto& [path, text] : attributes) {
    std::filesystem::create_directories(std::filesystem::path(dir + "/" + path).parent_path());
    write_file(dir + "/" + path, text);
  }
  std::string input;
  for (const auto& p : paths)
    input += p + '\0';
  write_file(dir + "/paths", input);
  std::string out = twin_test::output_of(dir, "git check-attr -z --stdin filter < paths");
  // -z output: path NUL attribute NUL value NUL, per path.
  std::vector<std::string> fields;
  std::istringstream in(out);
  for (std::string f; std::getline(in, f, '\0');)
    fields.push_back(f);
  REQUIRE(fields.size() == paths.size() * 3);
  std::vector<bool> result;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    CHECK(fields[3 * i] == paths[i]);
    result.push_back(fields[3 * i + 2] == "twin-crypt");
  }
  return result;
}

} // namespace

TEST_CASE("secret patterns: gitattributes semantics over logical paths", "[secret-paths]") {
  SecretPatterns rules({"/srv/app/*.token", "**/private"});
  CHECK(rules.matches("/etc/shadow"));
  CHECK(!rules.matches("/etc/shadow.bak"));
  CHECK(rules.matches("/etc/ssh/ssh_host_ed25519_key"));
  CHECK(!rules.matches("/etc/ssh/ssh_host_ed25519_key.pub"));
  CHECK(rules.matches("/root/.ssh/id_ed25519"));
  CHECK(rules.matches("/home/ann/.ssh/id_rsa"));
  CHECK(!rules.matches("/home/ann/.ssh/id_rsa.pub"));
  CHECK(rules.matches("/etc/NetworkManager/system-connections/Home WiFi.nmconnection"));
  CHECK(rules.matches("/etc/ssl/private/site.key"));
  CHECK(rules.matches("/config/secrets.yaml"));
  CHECK(rules.matches("/srv/app/api.token"));
  CHECK(!rules.matches("/srv/app/sub/api.token")); // '*' stays within one component
  CHECK(rules.matches("/a/b/private/c"));          // a directory covers what is below it

  std::string why;
  CHECK(check_secret_pattern("/etc/x", why));
  CHECK(check_secret_pattern("**/x", why));
  CHECK(!check_secret_pattern("etc/x", why));
  CHECK(!check_secret_pattern("/etc/../x", why));
  CHECK(!check_secret_pattern("/etc/x/", why));
}

TEST_CASE("secret tracker: mode, content, and once listed always listed", "[secret-paths]") {
  CHECK(is_private_mode("0600"));
  CHECK(is_private_mode("0400"));
  CHECK(is_private_mode("4700"));
  CHECK(!is_private_mode("0640"));
  CHECK(!is_private_mode("0644"));

  SecretTracker tracker(SecretPatterns{}, {"/etc/was-secret", "/etc/gone"});
  std::string key = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
  std::string plain = "hello\n";
  auto observe = [&](const std::string& path, std::string_view mode, const std::string* content) {
    if (tracker.must_list(path, mode, content)) // as the collector asks, from any thread
      tracker.list(path);
  };
  observe("/etc/shadow", "0640", &plain);       // a pattern covers it
  observe("/etc/app.conf", "0600", nullptr);    // by mode
  observe("/etc/nginx/site.key", "0644", &key); // by content
  observe("/etc/motd", "0644", &plain);
  observe("/etc/was-secret", "0644", &plain); // stays listed
  // /etc/gone was not observed: it no longer exists and leaves the list.
  CHECK(tracker.listed() ==
        std::set<std::string>{"/etc/app.conf", "/etc/nginx/site.key", "/etc/was-secret"});
}

TEST_CASE("gitattributes block: rendered, read back, and read the same way by git",
          "[secret-paths]") {
  SecretPatterns rules({"/srv/my app/*.token"});
  std::set<std::string> listed = {"/etc/app.conf", "/etc/odd name [1]*.conf", "/etc/tab\there"};
  std::string user = "*.png binary\n";
  std::string text = render_gitattributes(user, rules, listed, k_documents);
  CHECK(text.rfind(user, 0) == 0); // the owner's lines stay
  CHECK(listed_secret_files(text) == listed);
  // Rendering again replaces the block, and keeps lines after it.
  std::string again = render_gitattributes(text + "*.jpg binary\n", rules, {}, k_documents);
  CHECK(listed_secret_files(again).empty());
  CHECK(again.find("*.jpg binary") != std::string::npos);
  CHECK(again.find("*.png binary") != std::string::npos);
  CHECK(render_gitattributes(again, rules, {}, k_documents) == again);

  std::vector<std::string> paths = {
      "filesystem/etc/shadow",
      "live/filesystem/etc/shadow",
      "filesystem/etc/passwd",
      "live/filesystem/etc/ssl/private/a/b.key",
      "filesystem/root/.ssh/id_rsa",
      "filesystem/root/.ssh/id_rsa.pub",
      "filesystem/etc/app.conf",
      "live/filesystem/etc/app.conf",
      "filesystem/etc/app.conf2",
      "filesystem/etc/odd name [1]*.conf",
      "filesystem/etc/odd name 1x.conf",
      "live/filesystem/etc/tab\there",
      "filesystem/srv/my app/x.token",
      "state/cron.yaml",
      "live/cron.yaml",
      "state/packages.yaml",
      "shadow",
      "filesystem/etc/shadow-",
  };
  // Each listed file is matched by the .gitattributes of its directory, in both trees.
  std::map<std::string, std::string> files = {{".gitattributes", text}};
  for (const auto& [dir, names] : listed_by_directory(listed))
    for (std::string tree : {"filesystem", "live/filesystem"})
      files[tree + dir + "/.gitattributes"] = render_directory_attributes("", names);
  CHECK(files.size() == 3);
  CHECK(text.find("filter=twin-crypt", text.find("# secret by mode or content")) ==
        std::string::npos); // the top level only names them, in comments
  auto git = git_says_encrypted(files, paths);
  for (std::size_t i = 0; i < paths.size(); ++i) {
    INFO(paths[i]);
    CHECK(git[i] == must_be_encrypted(paths[i], rules, listed, k_documents));
  }
  CHECK(must_be_encrypted("filesystem/etc/shadow", rules, listed, k_documents));
  CHECK(!must_be_encrypted("filesystem/etc/odd name 1x.conf", rules, listed, k_documents));
}

TEST_CASE("directory .gitattributes: git-twin's block beside the owner's lines", "[secret-paths]") {
  std::string text = render_directory_attributes("", {"b.key", "a.conf"});
  CHECK(text.find("/a.conf filter=twin-crypt") < text.find("/b.key filter=twin-crypt"));
  // The owner's lines stay; the block is replaced, then removed with the last name.
  std::string mine = "*.txt text\n";
  std::string both = render_directory_attributes(mine + text, {"c"});
  CHECK(both.rfind(mine, 0) == 0);
  CHECK(both.find("/a.conf") == std::string::npos);
  CHECK(both.find("/c filter=twin-crypt") != std::string::npos);
  CHECK(render_directory_attributes(both, {}) == mine);
  CHECK(render_directory_attributes(text, {}).empty()); // nothing left: the file goes

  CHECK(listed_by_directory({"/etc/a", "/etc/app/b", "/etc/app/c d"}) ==
        std::map<std::string, std::set<std::string>>{{"/etc", {"a"}}, {"/etc/app", {"b", "c d"}}});
}

TEST_CASE("gitattributes block: the list of before the per-directory files is still read",
          "[secret-paths]") {
  // What snapshots wrote before: every listed file as a line of both trees.
  std::string old = "# >>> git-twin: generated, do not edit (config.yaml's `secrets` adds "
                    "patterns)\n"
                    "state/*.yaml merge=twin-yaml\n"
                    "# secret by mode or content, listed one by one:\n"
                    "filesystem/etc/app.conf filter=twin-crypt diff=twin-crypt merge=twin-crypt\n"
                    "live/filesystem/etc/app.conf filter=twin-crypt diff=twin-crypt "
                    "merge=twin-crypt\n"
                    "\"live/filesystem/etc/odd name \\\\[1]\\\\*.conf\" filter=twin-crypt\n"
                    "# <<< git-twin\n";
  CHECK(listed_secret_files(old) ==
        std::set<std::string>{"/etc/app.conf", "/etc/odd name [1]*.conf"});
}
