// SPDX-License-Identifier: MIT
// BlobPack against real git: the pack it writes is one git verifies and reads as its own
// (ids, contents, object count), and nothing of it stays behind when it is not finished.
// pack_index's layout is checked byte by byte where a real pack would need 2 GiB.
#include <catch2/catch.hpp>

#include "test_support.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/blob_pack.hpp"

using namespace twin;
namespace fs = std::filesystem;
using twin_test::git;
using twin_test::output_of;
using twin_test::TempDir;
using twin_test::write_file;

namespace {

std::string hex_of(const git_oid& id) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char byte : id.id) {
    out += digits[byte >> 4];
    out += digits[byte & 15];
  }
  return out;
}

std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::uint32_t be32_at(const std::string& bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i)
    value = value << 8 | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

} // namespace

TEST_CASE("BlobPack stores blobs from several threads in a pack git reads as its own", "[git]") {
  TempDir tmp{"blob-pack"};
  fs::path work = tmp.path() / "repo";
  fs::create_directories(work);
  git(work, "init -q");

  // Small text, an empty blob, duplicates across threads, and three incompressible blobs of
  // 3 MiB: sizes that take several header bytes, and more than one buffer's worth of pack.
  std::vector<std::string> contents;
  for (int i = 0; i < 2000; ++i)
    contents.push_back("line " + std::to_string(i % 1500) + "\n");
  contents.push_back("");
  std::mt19937 random(7);
  for (int i = 0; i < 3; ++i) {
    std::string big(3 << 20, '\0');
    for (auto& c : big)
      c = static_cast<char>(random());
    contents.push_back(big);
  }

  auto pack = BlobPack::start((work / ".git/objects/pack").string(), 1);
  REQUIRE(pack);
  std::vector<git_oid> ids(contents.size());
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (std::size_t i = t; i < contents.size(); i += 4) {
        auto id = (*pack)->add(contents[i]);
        if (id)
          ids[i] = *id;
      }
    });
  for (auto& thread : threads)
    thread.join();
  // Nothing is in the repository before finish().
  CHECK(output_of(work, "git cat-file -e " + hex_of(ids[0]) + " 2>/dev/null || echo missing") ==
        "missing\n");
  REQUIRE((*pack)->finish());

  std::vector<std::string> names = files_in(work / ".git/objects/pack");
  REQUIRE(names.size() == 2); // the pack and its index, no temporary file
  CHECK(names[0].rfind("pack-", 0) == 0);
  CHECK(names[1] == names[0].substr(0, names[0].size() - 3) + "pack");
  git(work, "verify-pack " + (work / ".git/objects/pack" / names[0]).string());
  git(work, "fsck --full --no-dangling --no-progress");
  // Each distinct blob once: 1,500 lines, the empty blob, three big ones.
  CHECK(output_of(work, "git count-objects -v | grep '^in-pack'") == "in-pack: 1504\n");
  for (std::size_t i :
       {std::size_t{0}, std::size_t{1700}, std::size_t{2000}, contents.size() - 1}) {
    write_file(tmp.path() / "content", contents[i]);
    CHECK(hex_of(ids[i]) + "\n" ==
          output_of(work, "git hash-object '" + (tmp.path() / "content").string() + "'"));
    CHECK(output_of(work, "git cat-file blob " + hex_of(ids[i])) == contents[i]);
  }
}

TEST_CASE("BlobPack keeps a pack of the same bytes that is already there", "[git]") {
  TempDir tmp{"blob-pack"};
  fs::path work = tmp.path() / "repo";
  fs::create_directories(work);
  git(work, "init -q");
  for (int round = 0; round < 2; ++round) {
    auto pack = BlobPack::start((work / ".git/objects/pack").string(), 1);
    REQUIRE(pack);
    REQUIRE((*pack)->add("same\n"));
    REQUIRE((*pack)->finish());
  }
  CHECK(files_in(work / ".git/objects/pack").size() == 2);
  CHECK(output_of(work, "git cat-file blob $(echo same | git hash-object --stdin)") == "same\n");
  git(work, "fsck --full --no-dangling --no-progress");
}

TEST_CASE("BlobPack leaves nothing behind unless finished with blobs in it", "[git]") {
  TempDir tmp{"blob-pack"};
  fs::path dir = tmp.path() / "pack";
  {
    auto pack = BlobPack::start(dir.string(), 1);
    REQUIRE(pack);
    REQUIRE((*pack)->add("never finished\n"));
    CHECK(files_in(dir).size() == 1); // the temporary pack
  }
  CHECK(files_in(dir).empty());
  {
    auto pack = BlobPack::start(dir.string(), 1);
    REQUIRE(pack);
    REQUIRE((*pack)->finish());
  }
  CHECK(files_in(dir).empty());
}

TEST_CASE("pack_index sorts by id and puts offsets of 2 GiB and more in the 64-bit table") {
  std::vector<PackEntry> entries(4);
  const std::uint64_t offsets[] = {5'000'000'000, 12, 0x80000000, 0x7fffffff};
  for (std::size_t i = 0; i < 4; ++i) {
    std::memset(entries[i].id.id, 0, GIT_OID_RAWSZ);
    entries[i].id.id[0] = static_cast<unsigned char>(0x40 - i * 0x10); // 40 30 20 10
    entries[i].offset = offsets[i];
    entries[i].crc32 = static_cast<std::uint32_t>(i + 1);
  }
  unsigned char checksum[20];
  std::memset(checksum, 0xab, sizeof checksum);
  std::string index = pack_index(entries, checksum);

  std::size_t ids = 8 + 256 * 4, crcs = ids + 4 * 20, small = crcs + 4 * 4, large = small + 4 * 4;
  REQUIRE(index.size() == large + 2 * 8 + 20 + 20);
  CHECK(index.substr(0, 8) == std::string("\377tOc\0\0\0\2", 8));
  CHECK(be32_at(index, 8 + 4 * 0x0f) == 0);
  CHECK(be32_at(index, 8 + 4 * 0x10) == 1);
  CHECK(be32_at(index, 8 + 4 * 0x3f) == 3);
  CHECK(be32_at(index, 8 + 4 * 0xff) == 4);
  for (std::size_t k = 0; k < 4; ++k) // sorted: 10 20 30 40
    CHECK(static_cast<unsigned char>(index[ids + 20 * k]) == 0x10 * (k + 1));
  // In id order the offsets are 0x7fffffff, 0x80000000, 12, 5e9; the crcs 4, 3, 2, 1.
  CHECK(be32_at(index, crcs) == 4);
  CHECK(be32_at(index, crcs + 12) == 1);
  CHECK(be32_at(index, small) == 0x7fffffff);
  CHECK(be32_at(index, small + 4) == 0x80000000); // first entry of the 64-bit table
  CHECK(be32_at(index, small + 8) == 12);
  CHECK(be32_at(index, small + 12) == 0x80000001);
  CHECK((std::uint64_t{be32_at(index, large)} << 32 | be32_at(index, large + 4)) == 0x80000000);
  CHECK((std::uint64_t{be32_at(index, large + 8)} << 32 | be32_at(index, large + 12)) ==
        5'000'000'000);
  CHECK(index.substr(large + 16, 20) == std::string(20, '\xab'));
}
