// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include "core/secret_cipher.hpp"
#include "test_support.hpp"

using namespace twin;
using twin_test::TempDir;

namespace {

SecretKey test_key(unsigned char seed) {
  std::string text = "git-twin-key 1 ";
  for (std::size_t i = 0; i < SecretKey::size; ++i)
    text += fmt::format("{:02x}", static_cast<unsigned>((seed + i * 7) & 0xff));
  return SecretKey::parse(text).value();
}

} // namespace

TEST_CASE("secret cipher: deterministic, authenticated, bound to the path", "[crypt]") {
  SecretKey key = test_key(1);
  std::string plaintext = "root:$y$j9T$secret:19000:0:99999:7:::\n";
  std::string blob = encrypt_secret(key, "filesystem/etc/shadow", plaintext).value();

  CHECK(is_encrypted(blob));
  CHECK(blob.find("secret") == std::string::npos);
  CHECK(blob == encrypt_secret(key, "filesystem/etc/shadow", plaintext).value());
  CHECK(blob != encrypt_secret(key, "live/filesystem/etc/shadow", plaintext).value());
  CHECK(decrypt_secret(key, "filesystem/etc/shadow", blob).value() == plaintext);
  CHECK(decrypt_secret(key, "", blob).value() == plaintext); // textconv: path from header
  CHECK(encrypted_for(blob).value() == "filesystem/etc/shadow");

  SECTION("another path") {
    auto moved = decrypt_secret(key, "filesystem/etc/gshadow", blob);
    REQUIRE(!moved);
    CHECK_THAT(moved.error().message, Catch::Contains("encrypted for 'filesystem/etc/shadow'"));
  }
  SECTION("another key") {
    auto wrong = decrypt_secret(test_key(2), "filesystem/etc/shadow", blob);
    REQUIRE(!wrong);
    CHECK_THAT(wrong.error().message, Catch::Contains("another key"));
  }
  SECTION("a flipped bit anywhere fails") {
    for (std::size_t i = 11; i < blob.size(); i += 3) {
      std::string tampered = blob;
      tampered[i] = static_cast<char>(tampered[i] ^ 1);
      CHECK(!decrypt_secret(key, "", tampered));
    }
    CHECK(!decrypt_secret(key, "", blob.substr(0, blob.size() - 1)));
  }
  SECTION("empty content round-trips and still authenticates") {
    std::string empty = encrypt_secret(key, "a", "").value();
    CHECK(decrypt_secret(key, "a", empty).value().empty());
    std::string tampered = empty;
    tampered.back() = static_cast<char>(tampered.back() ^ 1);
    CHECK(!decrypt_secret(key, "a", tampered));
  }
}

TEST_CASE("secret cipher: clean and smudge", "[crypt]") {
  SecretKey key = test_key(3);
  std::string blob = clean_secret(&key, "p", "token=abc\n").value();
  CHECK(is_encrypted(blob));
  CHECK(clean_secret(&key, "p", blob).value() == blob); // clean of clean is clean
  CHECK(smudge_secret(&key, "p", blob).value() == "token=abc\n");
  CHECK(smudge_secret(&key, "p", "plain, from before\n").value() == "plain, from before\n");

  // Without a key: ciphertext stays locked, plaintext cannot be committed.
  CHECK(smudge_secret(nullptr, "p", blob).value() == blob);
  CHECK(clean_secret(nullptr, "p", blob).value() == blob);
  auto refused = clean_secret(nullptr, "p", "token=abc\n");
  REQUIRE(!refused);
  CHECK_THAT(refused.error().message, Catch::Contains("no key"));

  std::string tampered = blob;
  tampered.back() = static_cast<char>(tampered.back() ^ 1);
  auto loud = smudge_secret(&key, "p", tampered);
  REQUIRE(!loud);
  CHECK_THAT(loud.error().message, Catch::Contains("cannot decrypt 'p'"));
}

TEST_CASE("secret key: generate, serialize, store with mode 0600, load", "[crypt]") {
  SecretKey key = SecretKey::generate().value();
  CHECK(SecretKey::parse(key.serialize()).value().bytes() == key.bytes());
  CHECK(key.id().size() == 16);
  CHECK(SecretKey::generate().value().id() != key.id());
  CHECK(!SecretKey::parse("git-twin-key 1 abc"));
  CHECK(!SecretKey::parse("something else"));

  TempDir dir;
  CHECK(!load_key(dir.path()).value());
  REQUIRE(store_key(dir.path(), key));
  struct stat st;
  REQUIRE(::stat(key_file(dir.path()).c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(load_key(dir.path()).value()->id() == key.id());

  ::chmod(key_file(dir.path()).c_str(), 0644);
  auto exposed = load_key(dir.path());
  REQUIRE(!exposed);
  CHECK_THAT(exposed.error().message, Catch::Contains("readable by others"));
}
