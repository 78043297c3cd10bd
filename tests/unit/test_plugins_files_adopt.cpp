// SPDX-License-Identifier: MIT
// FilesMirror::adopt carrying out drift adoption on a real work tree: state/files.yaml
// items replaced, appended or dropped, desired contents copied into filesystem/ from
// live/filesystem/, and the shape the owner chose (fields left out, a custom twin_path)
// kept.
#include <catch2/catch.hpp>

#include "test_support.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/plugin.hpp"
#include "core/sha256.hpp"
#include "plugins/files_mirror/file_entry.hpp"
#include "plugins/files_mirror/files_plugin.hpp"

using namespace twin;
using namespace twin::files;
namespace fs = std::filesystem;

using twin_test::read_file;
using twin_test::TempDir;
using twin_test::write_file;

namespace {

FileEntry observed(const std::string& path, const std::string& content,
                   const std::string& mode = "0644") {
  FileEntry e;
  e.path = path;
  e.type = FileType::file;
  e.mode = mode;
  e.owner = "root";
  e.group = "root";
  e.size = content.size();
  e.sha256 = sha256_hex(content);
  e.content = Content::stored;
  return e;
}

Value document(const std::vector<Value>& items) {
  Value doc;
  doc["files"] = Value::list();
  for (const auto& item : items)
    doc["files"].push_back(item);
  return doc;
}

Value live_document(const std::vector<FileEntry>& entries) {
  std::vector<Value> items;
  for (const auto& e : entries)
    items.push_back(live_value(e));
  return document(items);
}

// A twin work tree in a temp dir; the root is never touched by adopt.
class Twin {
public:
  Twin() {
    fs::create_directories(dir());
    fs::create_directories(m_tmp.path() / "root");
  }
  fs::path dir() const { return m_tmp.path() / "twin"; }

  // Puts the observed bytes of `logical` where collect would have (live/filesystem).
  void observe(const std::string& logical, const std::string& content) {
    write_file(dir() / ("live/filesystem" + logical), content);
  }
  void desire(const std::string& twin_path, const std::string& content) {
    write_file(dir() / twin_path, content);
  }

  AdoptSummary adopt(const Value& live, const Value* base, Value& desired) {
    auto root = SystemRoot::open(m_tmp.path() / "root");
    REQUIRE(root);
    auto tree = WorkTree::open(dir());
    REQUIRE(tree);
    Config config;
    Notes notes;
    PluginContext ctx{*root, process_runner(), config, *tree, m_tmp.path() / "git", notes};
    auto summary = FilesMirror().adopt(ctx, live, base, desired);
    INFO((summary ? "" : summary.error().message));
    REQUIRE(summary);
    return *summary;
  }

private:
  TempDir m_tmp{"adopt"};
};

using Paths = std::vector<std::string>;

} // namespace

TEST_CASE("adopt brings a file changed on the machine into state and filesystem/",
          "[files][sync]") {
  Twin twin;
  twin.desire("filesystem/etc/motd", "old\n");
  twin.observe("/etc/motd", "new\n");
  Value base = live_document({observed("/etc/motd", "old\n")});
  Value live = live_document({observed("/etc/motd", "new\n")});
  Value desired = document({desired_value(observed("/etc/motd", "old\n"))});

  AdoptSummary summary = twin.adopt(live, &base, desired);
  CHECK(summary.adopted == Paths{"/etc/motd"});
  CHECK(summary.conflicts.empty());
  CHECK(summary.written == Paths{"filesystem/etc/motd"});
  CHECK(read_file(twin.dir() / "filesystem/etc/motd") == "new\n");
  CHECK(desired == document({desired_value(observed("/etc/motd", "new\n"))}));
}

TEST_CASE("adopt keeps fields the owner left out unmanaged and a custom twin_path",
          "[files][sync]") {
  Twin twin;
  twin.desire("filesystem/custom/motd.txt", "old\n");
  twin.observe("/etc/motd", "new\n");
  Value base = live_document({observed("/etc/motd", "old\n")});
  Value live = live_document({observed("/etc/motd", "new\n", "0600")});
  Value item;
  item["path"] = "/etc/motd";
  item["type"] = "file";
  item["twin_path"] = "filesystem/custom/motd.txt";
  Value desired = document({item});

  AdoptSummary summary = twin.adopt(live, &base, desired);
  CHECK(summary.adopted == Paths{"/etc/motd"});
  CHECK(read_file(twin.dir() / "filesystem/custom/motd.txt") == "new\n");
  CHECK_FALSE(fs::exists(twin.dir() / "filesystem/etc/motd"));
  const Value& adopted = desired.find("files")->as_list().at(0);
  CHECK(adopted.get_string("twin_path") == "filesystem/custom/motd.txt");
  CHECK(adopted.find("mode") == nullptr);
  CHECK(adopted.find("owner") == nullptr);
  CHECK(adopted.find("group") == nullptr);
  CHECK(adopted.get_string("sha256") == sha256_hex("new\n"));
}

TEST_CASE("adopt appends a new file in path order", "[files][sync]") {
  Twin twin;
  twin.desire("filesystem/etc/a.conf", "a\n");
  twin.desire("filesystem/etc/z.conf", "z\n");
  twin.observe("/etc/m.conf", "m\n");
  std::vector<FileEntry> before = {observed("/etc/a.conf", "a\n"), observed("/etc/z.conf", "z\n")};
  Value base = live_document(before);
  Value live = live_document({before[0], observed("/etc/m.conf", "m\n"), before[1]});
  Value desired = document({desired_value(before[0]), desired_value(before[1])});

  AdoptSummary summary = twin.adopt(live, &base, desired);
  CHECK(summary.adopted == Paths{"/etc/m.conf"});
  CHECK(read_file(twin.dir() / "filesystem/etc/m.conf") == "m\n");
  Paths order;
  for (const Value& item : desired.find("files")->as_list())
    order.push_back(item.get_string("path"));
  CHECK(order == Paths{"/etc/a.conf", "/etc/m.conf", "/etc/z.conf"});
}

TEST_CASE("adopting hundreds of new files copies each one, on several threads", "[files][sync]") {
  Twin twin;
  std::vector<FileEntry> seen;
  Paths expected_written;
  for (int i = 0; i < 300; ++i) {
    std::string path = "/etc/d" + std::to_string(i % 7) + "/f" + std::to_string(i);
    std::string content = "content of " + path + "\n";
    twin.observe(path, content);
    seen.push_back(observed(path, content));
    expected_written.push_back("filesystem" + path);
  }
  std::sort(seen.begin(), seen.end(),
            [](const FileEntry& a, const FileEntry& b) { return a.path < b.path; });
  std::sort(expected_written.begin(), expected_written.end());
  Value base = live_document({});
  Value live = live_document(seen);
  Value desired = document({});

  AdoptSummary summary = twin.adopt(live, &base, desired);
  CHECK(summary.adopted.size() == 300);
  CHECK(summary.written == expected_written);
  for (const auto& e : seen)
    REQUIRE(read_file(twin.dir() / ("filesystem" + e.path)) == "content of " + e.path + "\n");
  CHECK(desired.find("files")->as_list().size() == 300);
}

TEST_CASE("adopt drops a file removed on the machine, with its desired content", "[files][sync]") {
  Twin twin;
  twin.desire("filesystem/etc/motd", "old\n");
  twin.desire("filesystem/etc/hostname", "box\n");
  std::vector<FileEntry> before = {observed("/etc/hostname", "box\n"),
                                   observed("/etc/motd", "old\n")};
  Value base = live_document(before);
  Value live = live_document({before[0]});
  Value desired = document({desired_value(before[0]), desired_value(before[1])});

  AdoptSummary summary = twin.adopt(live, &base, desired);
  CHECK(summary.adopted == Paths{"/etc/motd"});
  CHECK(summary.written == Paths{"filesystem/etc/motd"});
  CHECK_FALSE(fs::exists(twin.dir() / "filesystem/etc/motd"));
  CHECK(desired == document({desired_value(before[0])}));
}

TEST_CASE("adopt leaves a conflict alone and reports it", "[files][sync]") {
  Twin twin;
  twin.desire("filesystem/etc/motd", "from GitHub\n");
  twin.observe("/etc/motd", "by hand\n");
  Value base = live_document({observed("/etc/motd", "old\n")});
  Value live = live_document({observed("/etc/motd", "by hand\n")});
  Value desired = document({desired_value(observed("/etc/motd", "old\n"))});
  const Value before = desired;

  AdoptSummary summary = twin.adopt(live, &base, desired);
  CHECK(summary.adopted.empty());
  CHECK(summary.conflicts == Paths{"/etc/motd"});
  CHECK(summary.written.empty());
  CHECK(desired == before);
  CHECK(read_file(twin.dir() / "filesystem/etc/motd") == "from GitHub\n");
}

TEST_CASE("adopt with nothing changed leaves state byte-for-byte alone", "[files][sync]") {
  Twin twin;
  twin.desire("filesystem/etc/motd", "same\n");
  Value live = live_document({observed("/etc/motd", "same\n")});
  // Items in an order the owner chose; nothing adopted means nothing re-sorted.
  Value desired = document(
      {desired_value(observed("/etc/zz", "x")), desired_value(observed("/etc/motd", "same\n"))});
  twin.desire("filesystem/etc/zz", "x");
  Value base = live_document({observed("/etc/motd", "same\n"), observed("/etc/zz", "x")});
  live = base;
  const Value before = desired;

  AdoptSummary summary = twin.adopt(live, &base, desired);
  CHECK(summary.adopted.empty());
  CHECK(summary.conflicts.empty());
  CHECK(summary.written.empty());
  CHECK(desired == before);
}
