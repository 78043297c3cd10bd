// SPDX-License-Identifier: MIT
// The long-running filter process server, driven with byte strings as git would send them:
// handshake, clean then smudge, per-file errors (tampered blob, plaintext without a key,
// unknown command) that never carry content, protocol errors, and exit at end of input.
#include <catch2/catch.hpp>

#include "core/secret_cipher.hpp"
#include "filters/filter_process.hpp"

using namespace twin;
using namespace twin::filters;

namespace {

SecretKey test_key() {
  std::string text = "git-twin-key 1 ";
  for (std::size_t i = 0; i < SecretKey::size; ++i)
    text += fmt::format("{:02x}", static_cast<unsigned>((3 + i * 11) & 0xff));
  return SecretKey::parse(text).value();
}

std::string line(std::string_view text) {
  return encode_packet(std::string(text) + "\n").value();
}

const std::string flush(k_flush_packet);

std::string handshake() {
  return line("git-filter-client") + line("version=2") + flush + line("capability=clean") +
         line("capability=smudge") + line("capability=delay") + flush;
}

std::string request(std::string_view command, std::string_view path, std::string_view content) {
  return line(fmt::format("command={}", command)) + line(fmt::format("pathname={}", path)) +
         line("ref=refs/heads/main") + flush + encode_content(content) + flush;
}

const std::string handshake_reply = line("git-filter-server") + line("version=2") + flush +
                                    line("capability=clean") + line("capability=smudge") + flush;

std::string success(std::string_view content) {
  return line("status=success") + flush + encode_content(content) + flush + flush;
}

const std::string error_reply = line("status=error") + flush;

struct Served {
  Status status;
  std::string output;
  std::string diagnostics;
};

Served serve(const std::string& input, const SecretKey* key, std::size_t chunk = 7) {
  StringSource source(input, chunk);
  StringSink output, diagnostics;
  Status status = serve_filter_process(source, output, diagnostics, crypt_driver(key));
  return {status, output.data(), diagnostics.data()};
}

} // namespace

TEST_CASE("filter process: handshake, then exit at end of input", "[filter][crypt]") {
  SecretKey key = test_key();
  Served s = serve(handshake(), &key);
  REQUIRE(s.status);
  CHECK(s.output == handshake_reply);
  CHECK(s.diagnostics.empty());

  SECTION("only the capabilities git offers are taken") {
    std::string input =
        line("git-filter-client") + line("version=2") + flush + line("capability=smudge") + flush;
    Served only = serve(input, &key);
    REQUIRE(only.status);
    CHECK(only.output == line("git-filter-server") + line("version=2") + flush +
                             line("capability=smudge") + flush);
  }
}

TEST_CASE("filter process: clean then smudge is a round trip", "[filter][crypt]") {
  SecretKey key = test_key();
  std::string plaintext = "psk=CORRECT-HORSE-BATTERY\n";
  plaintext += std::string(100000, 'p'); // more than one packet
  std::string blob = encrypt_secret(key, "secret/wifi", plaintext).value();

  Served s = serve(handshake() + request("clean", "secret/wifi", plaintext) +
                       request("smudge", "secret/wifi", blob) +
                       request("clean", "secret/wifi", blob), // clean of clean is clean
                   &key, 4096);
  REQUIRE(s.status);
  CHECK(s.output == handshake_reply + success(blob) + success(plaintext) + success(blob));
  CHECK(s.diagnostics.empty());
}

TEST_CASE("filter process: a failing file is status=error, without content", "[filter][crypt]") {
  SecretKey key = test_key();
  std::string plaintext = "TOP-SECRET-MARKER\n";
  std::string blob = encrypt_secret(key, "secret/a", plaintext).value();

  SECTION("a tampered blob") {
    std::string tampered = blob;
    tampered.back() ^= 1;
    Served s = serve(handshake() + request("smudge", "secret/a", tampered) +
                         request("smudge", "secret/a", blob),
                     &key);
    REQUIRE(s.status);
    // The next file is served as usual.
    CHECK(s.output == handshake_reply + error_reply + success(plaintext));
    CHECK_THAT(s.diagnostics, Catch::StartsWith("error: twin-crypt: secret/a: cannot decrypt"));
    CHECK_THAT(s.diagnostics, Catch::Contains("does not authenticate"));
  }
  SECTION("a blob moved to another path") {
    Served s = serve(handshake() + request("smudge", "secret/b", blob), &key);
    REQUIRE(s.status);
    CHECK(s.output == handshake_reply + error_reply);
    CHECK_THAT(s.diagnostics, Catch::Contains("encrypted for 'secret/a'"));
  }
  SECTION("plaintext to clean without a key") {
    Served s = serve(handshake() + request("clean", "secret/a", plaintext), nullptr);
    REQUIRE(s.status);
    CHECK(s.output == handshake_reply + error_reply);
    CHECK_THAT(s.diagnostics, Catch::StartsWith("error: twin-crypt: secret/a: "));
    CHECK_THAT(s.diagnostics, Catch::Contains("no key"));
    CHECK(s.diagnostics.find("TOP-SECRET-MARKER") == std::string::npos);
  }
  SECTION("without a key, ciphertext passes both ways: a locked clone") {
    Served s = serve(handshake() + request("smudge", "secret/a", blob) +
                         request("clean", "secret/a", blob),
                     nullptr);
    REQUIRE(s.status);
    CHECK(s.output == handshake_reply + success(blob) + success(blob));
  }
  SECTION("an unknown command") {
    Served s = serve(handshake() + request("frobnicate", "secret/a", plaintext) +
                         request("clean", "secret/a", plaintext),
                     &key);
    REQUIRE(s.status);
    CHECK(s.output == handshake_reply + error_reply + success(blob));
    CHECK_THAT(s.diagnostics, Catch::Contains("unknown command 'frobnicate'"));
  }
  SECTION("a request without a path") {
    Served s = serve(
        handshake() + line("command=clean") + flush + encode_content(plaintext) + flush, &key);
    REQUIRE(s.status);
    CHECK(s.output == handshake_reply + error_reply);
    CHECK_THAT(s.diagnostics, Catch::Contains("without 'pathname='"));
  }
}

TEST_CASE("filter process: protocol errors end the server", "[filter][crypt]") {
  SecretKey key = test_key();
  SECTION("wrong greeting") {
    Served s = serve(line("hello") + line("version=2") + flush, &key);
    REQUIRE(!s.status);
    CHECK_THAT(s.status.error().message, Catch::Contains("expected 'git-filter-client'"));
    CHECK(s.output.empty());
  }
  SECTION("no version 2") {
    Served s = serve(line("git-filter-client") + line("version=3") + flush, &key);
    REQUIRE(!s.status);
    CHECK_THAT(s.status.error().message, Catch::Contains("version 2"));
  }
  SECTION("no handshake at all") {
    Served s = serve("", &key);
    REQUIRE(!s.status);
    CHECK_THAT(s.status.error().message, Catch::Contains("before the handshake"));
  }
  SECTION("input ends inside the content of a request") {
    Served s = serve(handshake() + line("command=clean") + line("pathname=secret/a") + flush +
                         encode_content("partial"),
                     &key);
    REQUIRE(!s.status);
    CHECK_THAT(s.status.error().message, Catch::Contains("ended inside content"));
  }
  SECTION("a malformed packet") {
    Served s = serve(handshake() + "zzzz", &key);
    REQUIRE(!s.status);
    CHECK_THAT(s.status.error().message, Catch::Contains("bad pkt-line length 'zzzz'"));
  }
  SECTION("a request without a command") {
    Served s = serve(handshake() + line("pathname=secret/a") + flush, &key);
    REQUIRE(!s.status);
    CHECK_THAT(s.status.error().message, Catch::Contains("without 'command='"));
  }
}
