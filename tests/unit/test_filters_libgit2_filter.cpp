// SPDX-License-Identifier: MIT
// The twin-crypt filter registered with libgit2, on a real repository: GitRepo::read_blob
// returns a secret decrypted (as checkout would write it) when the twin has the key, the
// ciphertext when it has none, fails on a tampered blob; libgit2's own clean (hashing a
// work-tree file) encrypts.
#include <catch2/catch.hpp>

#include "test_support.hpp"

#include <cstdlib>
#include <filesystem>
#include <string>

#include <git2.h>

#include "core/git_repo.hpp"
#include "core/secret_cipher.hpp"
#include "filters/libgit2_filter.hpp"

using namespace twin;
namespace fs = std::filesystem;

using twin_test::git;
using twin_test::TempDir;
using twin_test::write_file;

namespace {

SecretKey test_key() {
  std::string text = "git-twin-key 1 ";
  for (std::size_t i = 0; i < SecretKey::size; ++i)
    text += fmt::format("{:02x}", static_cast<unsigned>((5 + i * 13) & 0xff));
  return SecretKey::parse(text).value();
}

const std::string k_plain = "cron:\n  - user: root\n    line: '0 3 * * * backup --token=S3CRET'\n";

// A repository whose refs/twin/base commit holds live/cron.yaml encrypted, committed by git
// without a filter configured (so the ciphertext is stored as it is), and one unmarked
// file holding ciphertext too.
struct SecretRepo {
  TempDir tmp{"crypt-filter"};
  fs::path work = tmp.path() / "twin";
  std::string base;

  explicit SecretRepo(const SecretKey& key, const std::string& blob_override = {}) {
    fs::create_directories(work);
    git(work, "init -q");
    write_file(work / ".gitattributes", "live/cron.yaml filter=twin-crypt diff=twin-crypt\n");
    std::string blob = encrypt_secret(key, "live/cron.yaml", k_plain).value();
    write_file(work / "live/cron.yaml", blob_override.empty() ? blob : blob_override);
    write_file(work / "live/other.yaml", blob);
    git(work, "add -A");
    git(work, "commit -q -m snapshot");
    git(work, "update-ref refs/twin/base HEAD");
    auto repo = GitRepo::open(work.string()).value();
    base = repo.resolve(k_base_ref).value().value();
  }
};

} // namespace

TEST_CASE("libgit2 filter: read_blob decrypts a secret with the twin's key", "[crypt][git_repo]") {
  GitRepo::set_library_setup(&filters::register_libgit2_filters);
  SecretKey key = test_key();
  SecretRepo r(key);
  std::string blob = encrypt_secret(key, "live/cron.yaml", k_plain).value();

  SECTION("without the key: the ciphertext, as a locked clone checks it out") {
    auto repo = GitRepo::open(r.work.string()).value();
    CHECK(repo.read_blob(r.base, "live/cron.yaml").value().value() == blob);
  }
  SECTION("with the key") {
    auto repo = GitRepo::open(r.work.string()).value();
    REQUIRE(store_key(repo.git_dir(), key));
    CHECK(repo.read_blob(r.base, "live/cron.yaml").value().value() == k_plain);
    // A path .gitattributes does not mark is not filtered.
    CHECK(repo.read_blob(r.base, "live/other.yaml").value().value() == blob);
    // The attributes of the commit count when the work tree has none.
    fs::remove(r.work / ".gitattributes");
    auto fresh = GitRepo::open(r.work.string()).value();
    CHECK(fresh.read_blob(r.base, "live/cron.yaml").value().value() == k_plain);
  }
  SECTION("libgit2's clean encrypts a work-tree file") {
    auto repo = GitRepo::open(r.work.string()).value();
    REQUIRE(store_key(repo.git_dir(), key));
    write_file(r.work / "live/cron.yaml", k_plain);
    git_repository* raw = nullptr;
    REQUIRE(git_repository_open(&raw, r.work.c_str()) == 0);
    git_oid oid;
    int rc = git_blob_create_from_workdir(&oid, raw, "live/cron.yaml");
    git_repository_free(raw);
    REQUIRE(rc == 0);
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof hex, &oid);
    CHECK(std::string(hex) == GitRepo::hash_blob(blob));
  }
}

TEST_CASE("libgit2 filter: a tampered secret fails to read", "[crypt][git_repo]") {
  GitRepo::set_library_setup(&filters::register_libgit2_filters);
  SecretKey key = test_key();
  std::string tampered = encrypt_secret(key, "live/cron.yaml", k_plain).value();
  tampered.back() ^= 1;
  SecretRepo r(key, tampered);
  auto repo = GitRepo::open(r.work.string()).value();
  REQUIRE(store_key(repo.git_dir(), key));
  auto read = repo.read_blob(r.base, "live/cron.yaml");
  REQUIRE(!read);
  CHECK_THAT(read.error().message, Catch::Contains("cannot read 'live/cron.yaml'"));
  CHECK_THAT(read.error().message, Catch::Contains("does not authenticate"));
  CHECK(read.error().message.find("S3CRET") == std::string::npos);
}
