// SPDX-License-Identifier: MIT
// The files.mirror collector on fake roots built at test time: what it records for each
// kind of path, what it leaves out, and how it keeps live/filesystem/ equal to the machine
// while writing only what changed.
#include <catch2/catch.hpp>

#include "test_support.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include "core/listing_cache.hpp"
#include "core/plugin.hpp"
#include "plugins/files_mirror/collector.hpp"
#include "plugins/files_mirror/files_plugin.hpp"

using namespace twin;
using namespace twin::files;
namespace fs = std::filesystem;

using twin_test::read_file;
using twin_test::TempDir;

namespace {

void write_file(const fs::path& path, const std::string& content, mode_t mode = 0644) {
  fs::create_directories(path.parent_path());
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
  }
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

void make_dir(const fs::path& path, mode_t mode = 0755) {
  fs::create_directories(path);
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

bool exists_no_follow(const fs::path& path) {
  std::error_code ec;
  return fs::exists(fs::symlink_status(path, ec));
}

// The sample machine:
//
//   etc/passwd, etc/group  uid/gid of this process named "toor"/"wheel" (0 when root)
//   etc/hostname           "box\n"            0644
//   etc/motd               "hello\n"          0640
//   etc/app/app.conf       "key=value\n"      0600   (etc/app 0750)
//   etc/empty.d/                              0755
//   etc/evil            -> /etc/shadow        (absolute symlink)
//   etc/shadow             "SECRET-SHADOW"    excluded by config
//   etc/initctl            FIFO
//   etc/big                2048 bytes         over the 0.001 MB limit of the config
//   etc/secret.key, etc/secrets/token        excluded by "/etc/secret*"
//   etc/private/key, etc/private/sub/deep   excluded by "/etc/private" (whole subtree)
//   etc/.git/HEAD, etc/app/.git/config, etc/.gitattributes   built-in excludes
void build_sample_root(const fs::path& root) {
  std::string uid = std::to_string(::getuid());
  std::string gid = std::to_string(::getgid());
  write_file(root / "etc/passwd", "toor:x:" + uid + ":" + gid + ":root:/root:/bin/sh\n");
  write_file(root / "etc/group", "wheel:x:" + gid + ":\n");
  write_file(root / "etc/hostname", "box\n", 0644);
  write_file(root / "etc/motd", "hello\n", 0640);
  write_file(root / "etc/app/app.conf", "key=value\n", 0600);
  REQUIRE(::chmod((root / "etc/app").c_str(), 0750) == 0);
  make_dir(root / "etc/empty.d", 0755);
  REQUIRE(::symlink("/etc/shadow", (root / "etc/evil").c_str()) == 0);
  write_file(root / "etc/shadow", "SECRET-SHADOW\n", 0640);
  REQUIRE(::mkfifo((root / "etc/initctl").c_str(), 0600) == 0);
  write_file(root / "etc/big", std::string(2048, 'x'));
  write_file(root / "etc/secret.key", "SECRET-KEY\n");
  write_file(root / "etc/secrets/token", "SECRET-TOKEN\n");
  write_file(root / "etc/private/key", "SECRET-PRIVATE\n");
  write_file(root / "etc/private/sub/deep.conf", "SECRET-DEEP\n");
  write_file(root / "etc/.git/HEAD", "ref: refs/heads/master\n");
  write_file(root / "etc/app/.git/config", "[core]\n");
  write_file(root / "etc/.gitattributes", "* filter=evil\n");
  REQUIRE(::chmod((root / "etc").c_str(), 0755) == 0);
}

// A fake root, a plain directory as the twin work tree, and a git dir for the stat cache.
class Machine {
public:
  Machine() {
    fs::create_directories(root());
    fs::create_directories(twin());
    fs::create_directories(git_dir() / "twin");
    config.filesystem_roots = {"/etc"};
    config.exclude = {"/etc/secret*", "/etc/private", "/etc/shadow"};
    config.max_file_size_mb = 0.001; // 1048 bytes
  }

  fs::path root() const { return m_tmp.path() / "root"; }
  fs::path twin() const { return m_tmp.path() / "twin"; }
  fs::path git_dir() const { return m_tmp.path() / "git"; }
  fs::path live_copy(const std::string& logical) const {
    return twin() / ("live/filesystem" + logical);
  }

  // Runs `body` with a context on fresh handles of the root and the work tree.
  template <class F> auto with_context(F&& body) {
    auto system_root = SystemRoot::open(root());
    REQUIRE(system_root);
    auto tree = WorkTree::open(twin());
    REQUIRE(tree);
    PluginContext ctx{*system_root, process_runner(), config, *tree, git_dir(), notes};
    return body(ctx);
  }

  // collect_files; `written` gets the repo paths written or removed.
  std::vector<FileEntry> collect(std::vector<std::string>& written) {
    return with_context([&](PluginContext& ctx) {
      auto result = collect_files(ctx, "", written);
      INFO((result ? "" : result.error().message));
      REQUIRE(result);
      return result->entries;
    });
  }
  std::vector<FileEntry> collect() {
    std::vector<std::string> written;
    return collect(written);
  }

  // The plugin's collect: the live document.
  Value collect_document(std::vector<std::string>& written) {
    return with_context([&](PluginContext& ctx) {
      auto result = FilesMirror().collect(ctx, written);
      INFO((result ? "" : result.error().message));
      REQUIRE(result);
      return result->document();
    });
  }

  Config config;
  Notes notes;

private:
  TempDir m_tmp{"collector"};
};

const FileEntry* find_entry(const std::vector<FileEntry>& entries, const std::string& path) {
  for (const auto& e : entries)
    if (e.path == path)
      return &e;
  return nullptr;
}

// The entry for `path`, which must be there.
const FileEntry& entry_at(const std::vector<FileEntry>& entries, const std::string& path) {
  const FileEntry* e = find_entry(entries, path);
  INFO(path);
  REQUIRE(e);
  return *e;
}

std::vector<std::string> paths_of(const std::vector<FileEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries)
    out.push_back(e.path);
  return out;
}

std::set<std::string> as_set(const std::vector<std::string>& v) {
  return std::set<std::string>(v.begin(), v.end());
}

} // namespace

TEST_CASE("collect records every path of the tree, sorted, and nothing it must leave out",
          "[files]") {
  Machine m;
  build_sample_root(m.root());
  auto entries = m.collect();
  CHECK(paths_of(entries) == std::vector<std::string>{
                                 "/etc",
                                 "/etc/app",
                                 "/etc/app/app.conf",
                                 "/etc/big",
                                 "/etc/empty.d",
                                 "/etc/evil",
                                 "/etc/group",
                                 "/etc/hostname",
                                 "/etc/initctl",
                                 "/etc/motd",
                                 "/etc/passwd",
                             });
  CHECK(m.notes.warnings.empty());
}

TEST_CASE("collect records type, mode, size and sha256 of a regular file", "[files]") {
  Machine m;
  build_sample_root(m.root());
  auto entries = m.collect();
  const FileEntry* motd = find_entry(entries, "/etc/motd");
  REQUIRE(motd);
  CHECK(motd->type == FileType::file);
  CHECK(motd->mode == "0640");
  CHECK(motd->size == 6);
  CHECK(motd->content == Content::stored);
  // sha256("hello\n")
  CHECK(motd->sha256 == "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");

  const FileEntry* conf = find_entry(entries, "/etc/app/app.conf");
  REQUIRE(conf);
  CHECK(conf->mode == "0600");
  const FileEntry* app = find_entry(entries, "/etc/app");
  REQUIRE(app);
  CHECK(app->type == FileType::directory);
  CHECK(app->mode == "0750");
}

TEST_CASE("owner and group names come from the root's passwd and group, not the host's",
          "[files]") {
  Machine m;
  build_sample_root(m.root());
  auto entries = m.collect();
  for (const char* path : {"/etc", "/etc/motd", "/etc/empty.d", "/etc/evil"}) {
    const FileEntry* e = find_entry(entries, path);
    REQUIRE(e);
    INFO(path);
    CHECK(e->owner == "toor");
    CHECK(e->group == "wheel");
  }
}

TEST_CASE("a file owned by a uid the root does not know is recorded by number", "[files]") {
  if (::geteuid() != 0) {
    WARN("skipped: chown needs root");
    return;
  }
  Machine m;
  build_sample_root(m.root());
  write_file(m.root() / "etc/orphan", "left behind\n");
  REQUIRE(::lchown((m.root() / "etc/orphan").c_str(), 4242, 4343) == 0);
  auto entries = m.collect();
  const FileEntry* orphan = find_entry(entries, "/etc/orphan");
  REQUIRE(orphan);
  CHECK(orphan->owner == "4242");
  CHECK(orphan->group == "4343");
}

TEST_CASE("an absolute symlink is recorded with its target and never followed", "[files]") {
  Machine m;
  build_sample_root(m.root());
  std::vector<std::string> written;
  auto entries = m.collect(written);
  const FileEntry* evil = find_entry(entries, "/etc/evil");
  REQUIRE(evil);
  CHECK(evil->type == FileType::symlink);
  CHECK(evil->target == "/etc/shadow");
  CHECK(evil->content == Content::none);
  CHECK(evil->sha256.empty());
  CHECK_FALSE(exists_no_follow(m.live_copy("/etc/evil")));
  CHECK(std::find(written.begin(), written.end(), "live/filesystem/etc/evil") == written.end());
}

TEST_CASE("a FIFO is recorded as skipped and never opened", "[files]") {
  Machine m;
  build_sample_root(m.root());
  // Opening the FIFO for reading would block this test forever.
  auto entries = m.collect();
  const FileEntry* fifo = find_entry(entries, "/etc/initctl");
  REQUIRE(fifo);
  CHECK(fifo->type == FileType::fifo);
  CHECK(fifo->skipped());
  CHECK(fifo->mode == "0600");
  Value fifo_value = live_value(*fifo);
  const Value* skipped = fifo_value.find("skipped");
  REQUIRE(skipped);
  CHECK(skipped->as_bool());
  CHECK_FALSE(exists_no_follow(m.live_copy("/etc/initctl")));
}

TEST_CASE("a file over max_file_size_mb keeps its size and metadata but no content", "[files]") {
  Machine m;
  build_sample_root(m.root());
  auto entries = m.collect();
  const FileEntry* big = find_entry(entries, "/etc/big");
  REQUIRE(big);
  CHECK(big->type == FileType::file);
  CHECK(big->size == 2048);
  CHECK(big->content == Content::too_large);
  CHECK(big->sha256.empty());
  CHECK_FALSE(exists_no_follow(m.live_copy("/etc/big")));
}

TEST_CASE("an empty directory is recorded", "[files]") {
  Machine m;
  build_sample_root(m.root());
  auto entries = m.collect();
  const FileEntry* empty = find_entry(entries, "/etc/empty.d");
  REQUIRE(empty);
  CHECK(empty->type == FileType::directory);
  CHECK(empty->mode == "0755");
}

TEST_CASE("exclude patterns leave out files and whole subtrees, copies included", "[files]") {
  Machine m;
  build_sample_root(m.root());
  std::vector<std::string> written;
  auto entries = m.collect(written);
  for (const char* path :
       {"/etc/secret.key", "/etc/secrets", "/etc/secrets/token", "/etc/private", "/etc/private/key",
        "/etc/private/sub", "/etc/private/sub/deep.conf", "/etc/shadow"}) {
    INFO(path);
    CHECK(find_entry(entries, path) == nullptr);
    CHECK_FALSE(exists_no_follow(m.live_copy(path)));
  }
  for (const auto& w : written)
    CHECK(read_file(m.twin() / w).find("SECRET") == std::string::npos);
}

TEST_CASE("nested .git directories and .gitattributes are not mirrored", "[files]") {
  Machine m;
  build_sample_root(m.root());
  auto entries = m.collect();
  for (const char* path : {"/etc/.git", "/etc/.git/HEAD", "/etc/app/.git", "/etc/app/.git/config",
                           "/etc/.gitattributes"}) {
    INFO(path);
    CHECK(find_entry(entries, path) == nullptr);
    CHECK_FALSE(exists_no_follow(m.live_copy(path)));
  }
}

TEST_CASE("regular files are copied into live/filesystem with their exact content", "[files]") {
  Machine m;
  build_sample_root(m.root());
  std::vector<std::string> written;
  m.collect(written);
  CHECK(as_set(written) == std::set<std::string>{
                               "live/filesystem/etc/app/app.conf",
                               "live/filesystem/etc/group",
                               "live/filesystem/etc/hostname",
                               "live/filesystem/etc/motd",
                               "live/filesystem/etc/passwd",
                           });
  CHECK(read_file(m.live_copy("/etc/hostname")) == "box\n");
  CHECK(read_file(m.live_copy("/etc/motd")) == "hello\n");
  CHECK(read_file(m.live_copy("/etc/app/app.conf")) == "key=value\n");
}

TEST_CASE("a second collect of an unchanged machine writes nothing and returns the same "
          "document",
          "[files]") {
  Machine m;
  build_sample_root(m.root());
  std::vector<std::string> first_written;
  Value first = m.collect_document(first_written);
  REQUIRE_FALSE(first_written.empty());

  std::vector<std::string> second_written;
  Value second = m.collect_document(second_written);
  CHECK(second_written.empty());
  CHECK(second == first);
}

TEST_CASE("a tree of hundreds of directories comes back complete and in path order, "
          "whichever thread walked what",
          "[files]") {
  Machine m;
  m.config.max_file_size_mb = 1;
  std::vector<std::string> expected = {"/etc"};
  // Names around '/' in byte order ("a" < "a-b" < "a.conf" < "a/x") and deep chains, so
  // that the order of the walk and the order of paths differ.
  for (int d = 0; d < 60; ++d) {
    std::string dir = "/etc/d" + std::to_string(d);
    expected.push_back(dir);
    for (std::string name : {"a", "a-b", "a.conf"}) {
      write_file(m.root() / (dir.substr(1) + "/" + name), dir + name + "\n");
      expected.push_back(dir + "/" + name);
    }
    std::string deep = dir + "/a.d";
    expected.push_back(deep);
    for (int level = 0; level < 4; ++level) {
      deep += "/s" + std::to_string(level);
      expected.push_back(deep);
    }
    write_file(m.root() / (deep.substr(1) + "/leaf"), deep + "\n");
    expected.push_back(deep + "/leaf");
  }
  std::sort(expected.begin(), expected.end());

  std::vector<std::string> written;
  auto entries = m.collect(written);
  CHECK(paths_of(entries) == expected);
  CHECK(written.size() == 60 * 4);
  CHECK(std::is_sorted(written.begin(), written.end()));
  CHECK(read_file(m.live_copy("/etc/d59/a.d/s0/s1/s2/s3/leaf")) == "/etc/d59/a.d/s0/s1/s2/s3\n");
  CHECK(m.notes.warnings.empty());

  std::vector<std::string> again;
  CHECK(paths_of(m.collect(again)) == expected);
  CHECK(again.empty());
}

TEST_CASE("after one file changes only its copy is rewritten", "[files]") {
  Machine m;
  build_sample_root(m.root());
  m.collect();

  write_file(m.root() / "etc/motd", "hello, world\n", 0640);
  std::vector<std::string> written;
  auto entries = m.collect(written);
  CHECK(written == std::vector<std::string>{"live/filesystem/etc/motd"});
  CHECK(read_file(m.live_copy("/etc/motd")) == "hello, world\n");
  CHECK(entry_at(entries, "/etc/motd").size == 13);
}

TEST_CASE("a change that keeps the size is still seen", "[files]") {
  Machine m;
  build_sample_root(m.root());
  m.collect();

  write_file(m.root() / "etc/motd", "HELLO\n", 0640);
  std::vector<std::string> written;
  m.collect(written);
  CHECK(written == std::vector<std::string>{"live/filesystem/etc/motd"});
  CHECK(read_file(m.live_copy("/etc/motd")) == "HELLO\n");
}

TEST_CASE("a removed file's copy is removed", "[files]") {
  Machine m;
  build_sample_root(m.root());
  m.collect();

  fs::remove(m.root() / "etc/motd");
  std::vector<std::string> written;
  auto entries = m.collect(written);
  CHECK(written == std::vector<std::string>{"live/filesystem/etc/motd"});
  CHECK_FALSE(exists_no_follow(m.live_copy("/etc/motd")));
  CHECK(find_entry(entries, "/etc/motd") == nullptr);
  CHECK(exists_no_follow(m.live_copy("/etc/hostname")));
}

TEST_CASE("a removed directory's copies are removed with it", "[files]") {
  Machine m;
  build_sample_root(m.root());
  m.collect();

  fs::remove_all(m.root() / "etc/app");
  std::vector<std::string> written;
  auto entries = m.collect(written);
  CHECK(written == std::vector<std::string>{"live/filesystem/etc/app/app.conf"});
  CHECK_FALSE(exists_no_follow(m.live_copy("/etc/app")));
  CHECK(find_entry(entries, "/etc/app") == nullptr);
}

TEST_CASE("a file that became excluded loses its copy", "[files]") {
  Machine m;
  build_sample_root(m.root());
  m.collect();

  m.config.exclude.push_back("/etc/motd");
  std::vector<std::string> written;
  m.collect(written);
  CHECK(written == std::vector<std::string>{"live/filesystem/etc/motd"});
  CHECK_FALSE(exists_no_follow(m.live_copy("/etc/motd")));
}

TEST_CASE("a copy edited in the work tree is restored from the machine", "[files]") {
  Machine m;
  build_sample_root(m.root());
  m.collect();

  write_file(m.live_copy("/etc/motd"), "HACKED", 0644); // same size as "hello\n"
  std::vector<std::string> written;
  m.collect(written);
  CHECK(written == std::vector<std::string>{"live/filesystem/etc/motd"});
  CHECK(read_file(m.live_copy("/etc/motd")) == "hello\n");
}

TEST_CASE("a copy deleted from the work tree is restored", "[files]") {
  Machine m;
  build_sample_root(m.root());
  m.collect();

  fs::remove(m.live_copy("/etc/motd"));
  std::vector<std::string> written;
  m.collect(written);
  CHECK(written == std::vector<std::string>{"live/filesystem/etc/motd"});
  CHECK(read_file(m.live_copy("/etc/motd")) == "hello\n");
}

TEST_CASE("a file that became a directory is mirrored as a directory", "[files]") {
  Machine m;
  build_sample_root(m.root());
  m.collect();

  fs::remove(m.root() / "etc/motd");
  write_file(m.root() / "etc/motd/part.conf", "part\n");
  std::vector<std::string> written;
  auto entries = m.collect(written);
  CHECK(entry_at(entries, "/etc/motd").type == FileType::directory);
  CHECK(entry_at(entries, "/etc/motd/part.conf").content == Content::stored);
  CHECK(m.notes.warnings.empty()); // not "cannot open 'live/filesystem/etc/motd'"
  CHECK(read_file(m.live_copy("/etc/motd/part.conf")) == "part\n");
  CHECK(as_set(written) ==
        std::set<std::string>{"live/filesystem/etc/motd", "live/filesystem/etc/motd/part.conf"});
}

TEST_CASE("a directory that became a file is mirrored as a file", "[files]") {
  Machine m;
  build_sample_root(m.root());
  m.collect();

  fs::remove_all(m.root() / "etc/app");
  write_file(m.root() / "etc/app", "now a file\n");
  std::vector<std::string> written;
  auto entries = m.collect(written);
  CHECK(entry_at(entries, "/etc/app").type == FileType::file);
  CHECK(read_file(m.live_copy("/etc/app")) == "now a file\n");
  CHECK(as_set(written) ==
        std::set<std::string>{"live/filesystem/etc/app", "live/filesystem/etc/app/app.conf"});
}

TEST_CASE("copies of a tree that is no longer a filesystem root are removed", "[files]") {
  Machine m;
  build_sample_root(m.root());
  write_file(m.root() / "srv/www/index.html", "<html>\n");
  m.config.filesystem_roots = {"/etc", "/srv"};
  m.collect();
  REQUIRE(read_file(m.live_copy("/srv/www/index.html")) == "<html>\n");

  m.config.filesystem_roots = {"/etc"};
  std::vector<std::string> written;
  m.collect(written);
  CHECK(written == std::vector<std::string>{"live/filesystem/srv/www/index.html"});
  CHECK_FALSE(exists_no_follow(m.live_copy("/srv")));
  CHECK(exists_no_follow(m.live_copy("/etc/motd")));
}

TEST_CASE("a filesystem root nested in another one is walked once", "[files]") {
  Machine m;
  build_sample_root(m.root());
  m.config.filesystem_roots = {"/etc/app", "/etc"};
  auto entries = m.collect();
  auto paths = paths_of(entries);
  CHECK(std::count(paths.begin(), paths.end(), "/etc/app/app.conf") == 1);
  CHECK(std::count(paths.begin(), paths.end(), "/etc/app") == 1);
}

TEST_CASE("a filesystem root listed twice is walked once", "[files]") {
  Machine m;
  build_sample_root(m.root());
  m.config.filesystem_roots = {"/etc", "/etc"};
  auto entries = m.collect();
  auto paths = paths_of(entries);
  CHECK(std::count(paths.begin(), paths.end(), "/etc") == 1);
  CHECK(std::count(paths.begin(), paths.end(), "/etc/motd") == 1);
}

TEST_CASE("narrowing a filesystem root to a subtree removes the copies outside it", "[files]") {
  Machine m;
  build_sample_root(m.root());
  m.collect();

  m.config.filesystem_roots = {"/etc/app"};
  std::vector<std::string> written;
  auto entries = m.collect(written);
  CHECK(paths_of(entries) == std::vector<std::string>{"/etc/app", "/etc/app/app.conf"});
  CHECK(as_set(written) == std::set<std::string>{
                               "live/filesystem/etc/group",
                               "live/filesystem/etc/hostname",
                               "live/filesystem/etc/motd",
                               "live/filesystem/etc/passwd",
                           });
  CHECK(read_file(m.live_copy("/etc/app/app.conf")) == "key=value\n");
  CHECK_FALSE(exists_no_follow(m.live_copy("/etc/motd")));
}

TEST_CASE("a file that grows over the size limit loses its copy", "[files]") {
  Machine m;
  build_sample_root(m.root());
  m.collect();

  write_file(m.root() / "etc/motd", std::string(4096, 'm'), 0640);
  std::vector<std::string> written;
  auto entries = m.collect(written);
  CHECK(entry_at(entries, "/etc/motd").content == Content::too_large);
  CHECK(written == std::vector<std::string>{"live/filesystem/etc/motd"});
  CHECK_FALSE(exists_no_follow(m.live_copy("/etc/motd")));
}

TEST_CASE("a missing filesystem root is a warning, not an error", "[files]") {
  Machine m;
  build_sample_root(m.root());
  m.config.filesystem_roots = {"/etc", "/opt/none"};
  auto entries = m.collect();
  CHECK(find_entry(entries, "/etc/motd"));
  REQUIRE(m.notes.warnings.size() == 1);
  CHECK_THAT(m.notes.warnings[0], Catch::Contains("/opt/none"));
}

TEST_CASE("the twin repository inside a mirrored tree is not mirrored into itself", "[files]") {
  Machine m;
  build_sample_root(m.root());
  // The work tree lives at <root>/etc/twin (logical /etc/twin).
  fs::path inner = m.root() / "etc/twin";
  fs::create_directories(inner);
  auto system_root = SystemRoot::open(m.root());
  REQUIRE(system_root);
  auto tree = WorkTree::open(inner);
  REQUIRE(tree);
  PluginContext ctx{*system_root, process_runner(), m.config, *tree, m.git_dir(), m.notes};

  for (int run = 0; run < 2; ++run) {
    std::vector<std::string> written;
    auto doc = FilesMirror().collect(ctx, written);
    REQUIRE(doc);
    REQUIRE(doc->document().find("files"));
    for (const Value& item : doc->document().find("files")->as_list()) {
      INFO(item.get_string("path"));
      CHECK(item.get_string("path").rfind("/etc/twin", 0) != 0);
    }
  }
  CHECK(read_file(inner / "live/filesystem/etc/motd") == "hello\n");
  CHECK_FALSE(exists_no_follow(inner / "live/filesystem/etc/twin"));
}

TEST_CASE("files unchanged for more than two seconds are remembered in the stat cache", "[files]") {
  Machine m;
  build_sample_root(m.root());
  std::this_thread::sleep_for(std::chrono::milliseconds(2100)); // leave the racy window
  m.collect();
  std::string cache = read_file(m.git_dir() / "twin/files.cache");
  CHECK_THAT(cache, Catch::Contains(std::string("/etc/hostname") + '\0'));

  // Served from the cache: nothing is written and the digests are the same.
  std::vector<std::string> written;
  auto entries = m.collect(written);
  CHECK(written.empty());
  CHECK(entry_at(entries, "/etc/motd").sha256 ==
        "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");

  // A copy edited in the work tree is noticed despite the cached source.
  write_file(m.live_copy("/etc/motd"), "HACKED", 0644);
  written.clear();
  m.collect(written);
  CHECK(written == std::vector<std::string>{"live/filesystem/etc/motd"});
  CHECK(read_file(m.live_copy("/etc/motd")) == "hello\n");
}

TEST_CASE("directories unchanged for more than two seconds are listed from the listings cache, "
          "and what is added or removed in them since is seen",
          "[files]") {
  Machine m;
  build_sample_root(m.root());
  std::this_thread::sleep_for(std::chrono::milliseconds(2100)); // leave the racy window
  std::vector<FileEntry> before = m.collect();
  // The copies were just written: live/filesystem's directories are remembered next time.
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  CHECK(paths_of(m.collect()) == paths_of(before));
  std::string cache = read_file(m.git_dir() / "twin/listings.cache");
  CHECK_THAT(cache, Catch::Contains(std::string("/etc/app") + '\0'));
  CHECK_THAT(cache, Catch::Contains(std::string("live/filesystem/etc/app") + '\0'));
  CHECK(paths_of(m.collect()) == paths_of(before));

  // A listing is trusted while the directory's stat is as recorded: one without motd,
  // recorded for /etc as it is, hides motd (it was not read again).
  {
    std::string path = (m.git_dir() / "twin/listings.cache").string();
    ListingCache listings = ListingCache::load(path);
    auto root = SystemRoot::open(m.root().string());
    REQUIRE(root);
    auto etc = root->open_dir("/etc");
    REQUIRE(etc);
    auto etc_stat = etc->stat();
    REQUIRE(etc_stat);
    const auto* names = listings.lookup("/etc", *etc_stat);
    REQUIRE(names);
    std::vector<Dir::Entry> without_motd;
    for (std::string_view name : *names)
      if (name != "motd")
        without_motd.push_back(Dir::Entry{std::string(name), FileStat{}});
    auto now = std::chrono::system_clock::now().time_since_epoch();
    listings.record("/etc", *etc_stat,
                    std::chrono::duration_cast<std::chrono::nanoseconds>(now).count(),
                    without_motd);
    listings.save(path);
  }
  CHECK_FALSE(find_entry(m.collect(), "/etc/motd"));
  // Any change to /etc's entries changes its stat: it is read again.
  write_file(m.root() / "etc/touched", "");
  fs::remove(m.root() / "etc/touched");
  CHECK(paths_of(m.collect()) == paths_of(before));

  // On the machine: a file added in one directory, one removed from another.
  write_file(m.root() / "etc/app/new.conf", "new\n");
  fs::remove(m.root() / "etc/motd");
  // In live/filesystem: a stray file, which snapshot removes.
  write_file(m.live_copy("/etc/app/stray"), "not on the machine\n");
  std::vector<std::string> written;
  std::vector<FileEntry> after = m.collect(written);
  CHECK(find_entry(after, "/etc/app/new.conf"));
  CHECK_FALSE(find_entry(after, "/etc/motd"));
  CHECK(as_set(written) == as_set({"live/filesystem/etc/app/new.conf",
                                   "live/filesystem/etc/app/stray", "live/filesystem/etc/motd"}));
  CHECK_FALSE(exists_no_follow(m.live_copy("/etc/app/stray")));
  CHECK_FALSE(exists_no_follow(m.live_copy("/etc/motd")));
}
