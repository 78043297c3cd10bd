// SPDX-License-Identifier: MIT
// Finds secrets in plaintext: what pre-commit refuses anywhere in a commit, whatever the
// path (a token pasted into state/cron.yaml, a key file that no secret rule matched).
//
// Looked for: GitHub tokens (ghp_, gho_, ghu_, ghs_, ghr_ followed by 36 letters or digits;
// github_pat_ followed by 82) and PEM or OpenSSH private key blocks (a "-----BEGIN ...
// PRIVATE KEY-----" line with its END line after it). Content that is twin-crypt
// ciphertext is never plaintext and is not scanned.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace twin {

struct SecretFinding {
  std::size_t line = 0; // 1-based
  std::string kind;     // "GitHub token", "private key block"
};

std::vector<SecretFinding> find_plaintext_secrets(std::string_view content);

} // namespace twin
