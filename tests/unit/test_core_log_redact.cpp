// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include "core/log_redact.hpp"
#include "core/secret_scan.hpp"

using twin::redact_log_text;

namespace {

std::string redacted(const std::string& text) {
  return redact_log_text(text).text;
}

} // namespace

TEST_CASE("redaction replaces key=value secrets and keeps the line readable", "[logs][redact]") {
  CHECK(redacted("backup --password=s3cr3t! --to /srv") ==
        "backup --password=[REDACTED] --to /srv");
  CHECK(redacted("DB_PASSWORD: hunter2") == "DB_PASSWORD: [REDACTED]");
  CHECK(redacted(R"({"token": "abc def", "user": "bob"})") ==
        R"({"token": "[REDACTED]", "user": "bob"})");
  CHECK(redacted("GET /cb?access_token=xyz&state=1") == "GET /cb?access_token=[REDACTED]&state=1");
  CHECK(redacted("client_secret='q w e'") == "client_secret='[REDACTED]'");
  CHECK(redacted("mysql --password hunter2 db") == "mysql --password [REDACTED] db");
  CHECK(redacted("api-key=K1") == "api-key=[REDACTED]");
}

TEST_CASE("redaction leaves prose about passwords and tokens alone", "[logs][redact]") {
  for (const char* line :
       {"sshd[1]: Failed password for root from 203.0.113.5 port 22 ssh2",
        "sudo: alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/alice ; USER=root",
        "tokens: 5 issued", "token_type=bearer", "password_policy=strict",
        "basic configuration loaded", "bearer token refreshed", "no secrets here"})
    CHECK(redacted(line) == line);
  CHECK(redact_log_text("nothing").count == 0);
}

TEST_CASE("redaction removes credentials from URLs and authorization values", "[logs][redact]") {
  CHECK(redacted("clone https://ci:hunter2@git.example.com/r.git failed") ==
        "clone https://ci:[REDACTED]@git.example.com/r.git failed");
  CHECK(redacted("ssh://git@github.com/x") == "ssh://git@github.com/x"); // no password
  CHECK(redacted("Authorization: Bearer abcdef0123456789") == "Authorization: Bearer [REDACTED]");
  CHECK(redacted("Authorization: Basic dXNlcjpwYXNz") == "Authorization: Basic [REDACTED]");
}

TEST_CASE("redaction removes token shapes wherever they stand", "[logs][redact]") {
  std::string github = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
  CHECK(redacted("using " + github + " now") == "using [REDACTED] now");
  CHECK(redacted("glpat-abcdefghij0123456789 x") == "[REDACTED] x");
  CHECK(redacted("xoxb-1234567890-abcdef") == "[REDACTED]");
  CHECK(redacted("id AKIAIOSFODNN7EXAMPLE.") == "id [REDACTED].");
  CHECK(redacted("key=AIzaSyA-0123456789abcdefghijklmnopqrstu") == "key=[REDACTED]");
  CHECK(redacted("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.dozjgNryP4J3jVmNHl0w5N end") ==
        "jwt [REDACTED] end");
  // What pre-commit would refuse is never left behind.
  CHECK(twin::find_plaintext_secrets(redacted("a " + github + "\nb")).empty());
}

TEST_CASE("redaction removes private key blocks, also cut ones", "[logs][redact]") {
  std::string key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk=\n"
                    "-----END OPENSSH PRIVATE KEY-----\n";
  auto whole = redact_log_text("before\n" + key + "after\n");
  CHECK(whole.text == "before\n[REDACTED PRIVATE KEY]\nafter\n");
  CHECK(whole.count == 1);
  // A tail that starts inside a key, and one that ends inside one.
  CHECK(redacted("b3BlbnNzaC1rZXk=\n-----END RSA PRIVATE KEY-----\nafter\n") ==
        "[REDACTED PRIVATE KEY]\nafter\n");
  CHECK(redacted("x\n-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n") == "x\n[REDACTED PRIVATE KEY]");
  // Certificates are public.
  std::string cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  CHECK(redacted(cert) == cert);
}

TEST_CASE("redaction: PGP keys, Token and psk values", "[logs][redact]") {
  CHECK(redacted("-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBF\n-----END PGP PRIVATE KEY "
                 "BLOCK-----\n") == "[REDACTED PRIVATE KEY]\n");
  CHECK(redacted("Authorization: Token 9944b09199c62bcf9418ad846dd0e4bb") ==
        "Authorization: Token [REDACTED]");
  CHECK(redacted("the token expired") == "the token expired"); // "Token X" only in a header
  CHECK(redacted("wifi psk=correcthorse") == "wifi psk=[REDACTED]");
}

TEST_CASE("redaction stays linear on runs of prefixes", "[logs][redact]") {
  // Written by any local user with logger(1): a scan that restarted inside each run would
  // take minutes here (and the test would hit its time-out); one pass takes milliseconds.
  std::string slack, jwt;
  for (int i = 0; i < 100000; ++i) {
    slack += "xoxb-";
    jwt += "eyJ.";
  }
  CHECK(redact_log_text(slack).text == slack); // far longer than any Slack token
  CHECK(redact_log_text(jwt).text == jwt);     // not a token: three parts at most
}
