// SPDX-License-Identifier: MIT
// Redaction of log text before it is written into the twin.
//
// Logs repeat what programs were given: a token in a URL, a password on a failed command
// line, an Authorization header. Captures are committed and may be pushed, so every capture
// passes through redact_log_text first. Recognised shapes (the value is replaced by
// "[REDACTED]", the context is kept so the line still reads):
// - key=value and key: value where the key ends in password, passwd, secret, token, psk,
//   api_key/apikey/api-key, access_key, private_key, client_secret or credentials
//   (case-insensitive; quoted values too: "password": "x"; not pwd: sudo logs PWD=/dir);
// - credentials in URLs: scheme://user:PASSWORD@host;
// - "Bearer X", "Token X" and "Basic X" authorization values;
// - token shapes: GitHub (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_), GitLab (glpat-),
//   Slack (xoxa-, xoxb-, xoxp-, xoxr-, xoxs-), AWS access key ids (AKIA...), Google API
//   keys (AIza...), JSON web tokens (eyJ....eyJ....sig);
// - PEM, OpenSSH and PGP private key blocks, BEGIN to END, as one "[REDACTED PRIVATE KEY]".
// Not recognised: a password typed as a user name ("Failed password for invalid user
// hunter2"), `mysql -pSECRET`; such logs need their source left out of logs_config.
// Pure and linear in the text: no regular expressions (std::regex is slow on megabytes), and
// a scan never starts again inside a run it has read (a line of "xoxb-xoxb-..." written with
// logger must not cost quadratic time).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace twin {

struct Redacted {
  std::string text;
  std::size_t count = 0; // how many values were replaced
};

Redacted redact_log_text(std::string_view text);

} // namespace twin
