// SPDX-License-Identifier: MIT
// git twin textconv FILE: plumbing, what `diff.twin-crypt.textconv` runs so that git diff
// and git log -p show secrets decrypted, locally. git hands over a temporary file with the
// blob, without the path; the path the blob was encrypted for is in its header.
//
// textconv output is for reading: content that cannot be decrypted (no key, another key,
// tampered) becomes one placeholder line instead of binary noise, and does not fail: one
// old blob must not make a whole `git log -p` fail. The placeholder names the content by a
// short digest of the ciphertext, so that a change still shows as a change in a diff
// (git itself shows blob ids, so this reveals nothing more).
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "cli/commands.hpp"
#include "cli/crypt_repo.hpp"
#include "core/fs_util.hpp"
#include "core/output.hpp"
#include "core/sha256.hpp"
#include "filters/pkt_line.hpp"

namespace twin::cli {

Result<int> cmd_textconv(std::span<const std::string> args) {
  if (args.size() != 1)
    return usage_error("usage: git twin textconv <file>");
  const std::string& file = args[0];
  FdGuard fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  std::string content;
  if (fd.get() < 0)
    return fail("cannot read '{}': {}", file, std::strerror(errno));
  if (int err = read_all(fd.get(), 0, content))
    return fail("cannot read '{}': {}", file, std::strerror(err));

  auto placeholder = [&](std::string_view why) {
    return fmt::format("<twin-crypt: encrypted, {} ({})>\n", why,
                       sha256_hex(content).substr(0, 12));
  };
  std::string text;
  if (!is_encrypted(content)) {
    text = std::move(content);
  } else if (auto key = TWIN_TRY(filter_key()); !key) {
    text = placeholder("no key");
  } else if (auto plain = decrypt_secret(*key, "", content); !plain) {
    print_warning(fmt::format("twin-crypt: {}", plain.error().message));
    text = placeholder("cannot decrypt");
  } else {
    text = std::move(*plain);
  }
  filters::FdSink output(STDOUT_FILENO);
  TWIN_CHECK(output.write(text));
  return 0;
}

} // namespace twin::cli
