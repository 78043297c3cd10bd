// SPDX-License-Identifier: MIT
// The source memo: a collector's fingerprint is recalled only for files with exactly the
// stats it was recorded for, by the same collector version, and never for files changed
// too recently to trust their stat.
#include <catch2/catch.hpp>

#include "test_support.hpp"

#include <chrono>
#include <vector>

#include "core/fs_util.hpp"
#include "core/source_memo.hpp"

using namespace twin;
using twin_test::TempDir;

namespace {

FileStat stat_of(std::uint64_t inode, std::int64_t ns) {
  FileStat st;
  st.type = FileType::file;
  st.inode = inode;
  st.size = 100;
  st.mtime_ns = ns;
  st.ctime_ns = ns;
  return st;
}

std::int64_t old_time() {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(system_clock::now().time_since_epoch() - hours(1)).count();
}

} // namespace

TEST_CASE("source memo: recalled for the same stats and version only", "[source_memo]") {
  TempDir tmp{"srcmemo"};
  std::string memo = (tmp.path() / "memo").string();
  std::int64_t t = old_time();
  std::vector<SourceFile> files = {{"/var/lib/dpkg/status", stat_of(7, t)},
                                   {"/var/lib/apt/extended_states", std::nullopt}};
  CHECK_FALSE(recall_source_memo(memo, "v1", files));

  keep_source_memo(memo, "v1", files, {"abc123", 909});
  auto hit = recall_source_memo(memo, "v1", files);
  REQUIRE(hit);
  CHECK(hit->fingerprint == "abc123");
  CHECK(hit->resources == 909);

  CHECK_FALSE(recall_source_memo(memo, "v2", files));
  auto replaced = files;
  replaced[0].stat->inode = 8; // dpkg renamed a new status file into place
  CHECK_FALSE(recall_source_memo(memo, "v1", replaced));
  auto touched = files;
  touched[0].stat->ctime_ns += 1;
  CHECK_FALSE(recall_source_memo(memo, "v1", touched));
  auto appeared = files;
  appeared[1].stat = stat_of(9, t);
  CHECK_FALSE(recall_source_memo(memo, "v1", appeared));
}

TEST_CASE("source memo: a file changed just now is not trusted", "[source_memo]") {
  TempDir tmp{"srcmemo"};
  std::string memo = (tmp.path() / "memo").string();
  using namespace std::chrono;
  std::int64_t now = duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count();
  std::vector<SourceFile> files = {{"/var/lib/dpkg/status", stat_of(7, now)}};
  keep_source_memo(memo, "v1", files, {"abc123", 1});
  CHECK_FALSE(recall_source_memo(memo, "v1", files));
}

TEST_CASE("source memo: a damaged memo is a miss", "[source_memo]") {
  TempDir tmp{"srcmemo"};
  std::string memo = (tmp.path() / "memo").string();
  std::vector<SourceFile> files = {{"/x", stat_of(7, old_time())}};
  keep_source_memo(memo, "v1", files, {"abc123", 1});
  std::string text = twin_test::read_file(memo);
  twin_test::write_file(memo, text.substr(0, text.size() / 2));
  CHECK_FALSE(recall_source_memo(memo, "v1", files));
  twin_test::write_file(memo, "twin-source-memo 1\nabc123 notanumber\nv1\n");
  CHECK_FALSE(recall_source_memo(memo, "v1", {}));
}
