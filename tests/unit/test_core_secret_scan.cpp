// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include "core/secret_scan.hpp"

using twin::find_plaintext_secrets;

TEST_CASE("secret scan: GitHub tokens", "[secret-scan]") {
  std::string token = "ghp_" + std::string(36, 'a');
  auto found = find_plaintext_secrets("# header\nGITHUB_TOKEN=" + token + "\n");
  REQUIRE(found.size() == 1);
  CHECK(found[0].line == 2);
  CHECK(found[0].kind == "GitHub token");

  CHECK(find_plaintext_secrets("x " + token).size() == 1);
  CHECK(find_plaintext_secrets("gho_" + std::string(36, '7')).size() == 1);
  CHECK(find_plaintext_secrets("github_pat_" + std::string(22, 'A') + "_" + std::string(59, 'b'))
            .size() == 1);
  // Not tokens: too short, too long, glued to a word, a prefix alone.
  CHECK(find_plaintext_secrets("ghp_" + std::string(35, 'a')).empty());
  CHECK(find_plaintext_secrets("ghp_" + std::string(37, 'a')).empty());
  CHECK(find_plaintext_secrets("xghp_" + std::string(36, 'a')).empty());
  CHECK(find_plaintext_secrets("see ghp_ tokens in the docs").empty());
}

TEST_CASE("secret scan: private key blocks", "[secret-scan]") {
  std::string key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"
                    "-----END OPENSSH PRIVATE KEY-----\n";
  auto found = find_plaintext_secrets("a\nb\n" + key);
  REQUIRE(found.size() == 1);
  CHECK(found[0].line == 3);
  CHECK(found[0].kind == "private key block");
  CHECK(find_plaintext_secrets("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE "
                               "KEY-----\n")
            .size() == 1);
  // A certificate or a public key is not a secret; a BEGIN line without its END is prose.
  CHECK(find_plaintext_secrets("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
            .empty());
  CHECK(find_plaintext_secrets("grep -q '-----BEGIN RSA PRIVATE KEY-----' \"$f\"\n").empty());
}
