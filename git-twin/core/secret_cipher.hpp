// SPDX-License-Identifier: MIT
// The twin-crypt cipher: how secret files are stored in git (DESIGN.md section 5).
//
// Encryption is deterministic and authenticated: AES-256-SIV (RFC 5297, OpenSSL 3) with
// no nonce, so the same plaintext at the same path always gives the same blob and git sees
// an unchanged file as unchanged. A blob is
//
//   "\0TWINCRYPT" | version 1 | key id (8 bytes) | path length (2 bytes, big-endian) | path
//   | SIV tag (16 bytes) | ciphertext of (one zero byte, then the content)
//
// and everything before the tag is the associated data. The repository path is in it, so
// a blob moved to another path no longer decrypts there; it is also written out because
// textconv (git diff) is given a temporary file and no path. The key id names the key
// without revealing it, so "encrypted with another key" and "tampered with" are told apart.
// The leading NUL makes git treat the blob as binary wherever no textconv is configured.
//
// clean and smudge are the filter's two directions, shared by `git twin filter-process`,
// the libgit2 filter and every in-process read and hash of the tool.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace twin {

/// The 512-bit key of AES-256-SIV (two AES-256 keys: one for the MAC, one for CTR).
class SecretKey {
public:
  static constexpr std::size_t size = 64;

  /// A new random key (OpenSSL's RAND_bytes).
  static Result<SecretKey> generate();
  /// Reads the text that serialize() writes (the key file and `git twin key export`).
  static Result<SecretKey> parse(std::string_view text);
  /// "git-twin-key 1 <128 hex digits>\n".
  std::string serialize() const;
  /// 16 hex digits derived from the key by SHA-256; safe to print.
  std::string id() const;

  const std::array<unsigned char, size>& bytes() const { return m_bytes; }

private:
  std::array<unsigned char, size> m_bytes{};
};

/// True when `blob` starts with the twin-crypt header.
bool is_encrypted(std::string_view blob);

/// The blob for `plaintext` stored at repository path `path`.
Result<std::string> encrypt_secret(const SecretKey& key, std::string_view path,
                                   std::string_view plaintext);

/// The repository path a blob was encrypted for (from its header).
Result<std::string> encrypted_for(std::string_view blob);

/// The plaintext of `blob`. `path` is where the blob was found; it must be the path it was
/// encrypted for (empty: take the path from the header, as textconv must). Errors name
/// the cause: another key, another path, or content that does not authenticate.
Result<std::string> decrypt_secret(const SecretKey& key, std::string_view path,
                                   std::string_view blob);

/// git's clean direction for a path marked filter=twin-crypt: plaintext is encrypted;
/// content that is already encrypted passes unchanged (clean of clean is clean, and a
/// locked file in a clone without the key stays as it is), and so does empty content.
/// Without a key, plaintext is an error: committing it would publish the secret.
Result<std::string> clean_secret(const SecretKey* key, std::string_view path,
                                 std::string_view content);

/// git's smudge direction: an encrypted blob is decrypted (and fails loudly when it does
/// not authenticate); without a key it stays ciphertext, a locked file. A plaintext blob
/// (committed before the path was marked secret) passes unchanged.
Result<std::string> smudge_secret(const SecretKey* key, std::string_view path,
                                  std::string_view blob);

/// The digest planners compare for the content of a desired file: its sha256, or, for
/// twin-crypt ciphertext (a clone without the key), "locked:" and the sha256 of the
/// ciphertext. A locked file is reported, never written to a machine.
std::string desired_content_digest(std::string_view content);
bool is_locked_digest(std::string_view digest);

/// The git dir shared by all worktrees of a repository (a linked worktree's git dir names
/// it in its `commondir` file); `git_dir` itself otherwise.
std::string common_git_dir(const std::string& git_dir);
/// Where a twin keeps its key: twin/crypt.key in the common git dir (mode 0600, never in
/// the work tree), so every worktree of the twin finds it.
std::string key_file(const std::string& git_dir);
/// The twin's key; nullopt when it has none (a clone that was never given the key).
Result<std::optional<SecretKey>> load_key(const std::string& git_dir);
/// Writes the key file atomically with mode 0600 from the first byte.
Status store_key(const std::string& git_dir, const SecretKey& key);

} // namespace twin
