// SPDX-License-Identifier: MIT
#include "core/secret_cipher.hpp"

#include <cerrno>
#include <climits>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/fs_util.hpp"
#include "core/sha256.hpp"

namespace twin {
namespace {

constexpr std::string_view k_magic{"\0TWINCRYPT", 10};
constexpr unsigned char k_version = 1;
constexpr std::size_t k_id_size = 8;
constexpr std::size_t k_tag_size = 16;
constexpr std::string_view k_key_prefix = "git-twin-key 1 ";

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
struct CipherFree {
  void operator()(EVP_CIPHER* c) const { EVP_CIPHER_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

// AES-256-SIV is fetched once; it is stateless and may be shared.
const EVP_CIPHER* siv_cipher() {
  static std::unique_ptr<EVP_CIPHER, CipherFree> cipher(
      EVP_CIPHER_fetch(nullptr, "AES-256-SIV", nullptr));
  return cipher.get();
}

// The raw 8 bytes of the key id.
std::string raw_id(const SecretKey& key) {
  std::string_view bytes(reinterpret_cast<const char*>(key.bytes().data()), SecretKey::size);
  std::string digest = sha256_hex({"git-twin key id\n", bytes});
  std::string raw;
  for (std::size_t i = 0; i < k_id_size; ++i)
    raw +=
        static_cast<char>(hex_digit_value(digest[2 * i]) * 16 + hex_digit_value(digest[2 * i + 1]));
  return raw;
}

// The header of a blob: magic, version, key id, path. It is the associated data.
std::string header_for(const SecretKey& key, std::string_view path) {
  std::string header(k_magic);
  header += static_cast<char>(k_version);
  header += raw_id(key);
  header += static_cast<char>((path.size() >> 8) & 0xff);
  header += static_cast<char>(path.size() & 0xff);
  header += path;
  return header;
}

struct ParsedBlob {
  std::string_view header; // the associated data
  std::string_view key_id; // raw, 8 bytes
  std::string_view path;
  std::string_view tag;
  std::string_view ciphertext;
};

Result<ParsedBlob> parse_blob(std::string_view blob) {
  if (!is_encrypted(blob))
    return fail("not twin-crypt content");
  std::size_t pos = k_magic.size();
  if (blob.size() < pos + 1 + k_id_size + 2)
    return fail("twin-crypt content is truncated");
  if (static_cast<unsigned char>(blob[pos]) != k_version)
    return fail("twin-crypt content of version {} (this git-twin reads version {})",
                static_cast<unsigned>(static_cast<unsigned char>(blob[pos])), k_version);
  ParsedBlob parsed;
  parsed.key_id = blob.substr(pos + 1, k_id_size);
  pos += 1 + k_id_size;
  std::size_t length =
      (static_cast<unsigned char>(blob[pos]) << 8) | static_cast<unsigned char>(blob[pos + 1]);
  pos += 2;
  if (blob.size() < pos + length + k_tag_size)
    return fail("twin-crypt content is truncated");
  parsed.path = blob.substr(pos, length);
  pos += length;
  parsed.header = blob.substr(0, pos);
  parsed.tag = blob.substr(pos, k_tag_size);
  parsed.ciphertext = blob.substr(pos + k_tag_size);
  return parsed;
}

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// One pass of AES-256-SIV over the whole message (SIV takes it in one update). OpenSSL
// skips a zero-length update and then never computes the tag, so the message is never
// empty: it is the content after one leading zero byte.
Result<std::string> run_siv(const SecretKey& key, bool encrypt, std::string_view aad,
                            std::string_view input, std::string& tag) {
  if (input.size() > static_cast<std::size_t>(INT_MAX) - 16)
    return fail("content of {} bytes is too large to encrypt (at most 2 GiB)", input.size());
  const EVP_CIPHER* cipher = siv_cipher();
  if (!cipher)
    return fail("OpenSSL has no AES-256-SIV (OpenSSL 3 is needed)");
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_CipherInit_ex2(ctx.get(), cipher, key.bytes().data(), nullptr, encrypt ? 1 : 0,
                                 nullptr) != 1)
    return fail("cannot set up AES-256-SIV");
  if (!encrypt &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(k_tag_size),
                          const_cast<char*>(tag.data())) != 1)
    return fail("cannot set the SIV tag");
  int length = 0;
  if (EVP_CipherUpdate(ctx.get(), nullptr, &length, bytes_of(aad), static_cast<int>(aad.size())) !=
      1)
    return fail("cannot add the associated data");
  std::string output(input.size(), '\0');
  if (EVP_CipherUpdate(ctx.get(), reinterpret_cast<unsigned char*>(output.data()), &length,
                       bytes_of(input), static_cast<int>(input.size())) != 1)
    return fail("does not authenticate");
  int final_length = 0;
  if (EVP_CipherFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(output.data()) + length,
                         &final_length) != 1)
    return fail("does not authenticate");
  if (encrypt) {
    tag.assign(k_tag_size, '\0');
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(k_tag_size),
                            tag.data()) != 1)
      return fail("cannot read the SIV tag");
  }
  return output;
}

} // namespace

Result<SecretKey> SecretKey::generate() {
  SecretKey key;
  if (RAND_bytes(key.m_bytes.data(), static_cast<int>(size)) != 1)
    return fail("cannot generate a key: the system's random source failed");
  return key;
}

Result<SecretKey> SecretKey::parse(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    text.remove_suffix(1);
  if (text.substr(0, k_key_prefix.size()) != k_key_prefix)
    return fail("not a git-twin key (it should start with '{}')", k_key_prefix);
  std::string_view digits = text.substr(k_key_prefix.size());
  if (digits.size() != size * 2)
    return fail("a git-twin key has {} hex digits, this one has {}", size * 2, digits.size());
  SecretKey key;
  for (std::size_t i = 0; i < size; ++i) {
    int hi = hex_digit_value(digits[2 * i]), lo = hex_digit_value(digits[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return fail("a git-twin key holds hex digits only");
    key.m_bytes[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return key;
}

std::string SecretKey::serialize() const {
  return std::string(k_key_prefix) + hex_of(m_bytes.data(), size) + "\n";
}

std::string SecretKey::id() const {
  std::string raw = raw_id(*this);
  return hex_of(bytes_of(raw), raw.size());
}

bool is_encrypted(std::string_view blob) {
  return blob.substr(0, k_magic.size()) == k_magic;
}

Result<std::string> encrypt_secret(const SecretKey& key, std::string_view path,
                                   std::string_view plaintext) {
  if (path.size() > 0xffff)
    return fail("path too long to encrypt for: {} bytes", path.size());
  std::string header = header_for(key, path);
  std::string message(1, '\0');
  message += plaintext;
  std::string tag;
  std::string ciphertext = TWIN_TRY(run_siv(key, true, header, message, tag));
  return header + tag + ciphertext;
}

Result<std::string> encrypted_for(std::string_view blob) {
  ParsedBlob parsed = TWIN_TRY(parse_blob(blob));
  return std::string(parsed.path);
}

Result<std::string> decrypt_secret(const SecretKey& key, std::string_view path,
                                   std::string_view blob) {
  ParsedBlob parsed = TWIN_TRY(parse_blob(blob));
  if (parsed.key_id != raw_id(key))
    return fail("encrypted with another key (key id {}; this twin's key is {})",
                hex_of(bytes_of(parsed.key_id), parsed.key_id.size()), key.id());
  if (!path.empty() && parsed.path != path)
    return fail("encrypted for '{}', not for this path (moved without re-encrypting: "
                "'git add --renormalize' re-encrypts it)",
                parsed.path);
  std::string tag(parsed.tag);
  auto plaintext = run_siv(key, false, parsed.header, parsed.ciphertext, tag);
  if (!plaintext || plaintext->empty() || (*plaintext)[0] != '\0')
    return fail("does not authenticate with this twin's key: the content was changed");
  return plaintext->substr(1);
}

Result<std::string> clean_secret(const SecretKey* key, std::string_view path,
                                 std::string_view content) {
  // An empty file stays empty: it holds no secret, and git diff, which never cleans an
  // empty work-tree file, then sees no change.
  if (is_encrypted(content) || content.empty())
    return std::string(content);
  if (!key)
    return fail("'{}' must be encrypted, and this twin has no key (import it with 'git twin key "
                "import FILE')",
                path);
  return encrypt_secret(*key, path, content);
}

Result<std::string> smudge_secret(const SecretKey* key, std::string_view path,
                                  std::string_view blob) {
  if (!key || !is_encrypted(blob))
    return std::string(blob);
  auto plaintext = decrypt_secret(*key, path, blob);
  if (!plaintext)
    return fail("cannot decrypt '{}': {}", path, plaintext.error().message);
  return plaintext;
}

std::string desired_content_digest(std::string_view content) {
  return is_encrypted(content) ? "locked:" + sha256_hex(content) : sha256_hex(content);
}

bool is_locked_digest(std::string_view digest) {
  return digest.substr(0, 7) == "locked:";
}

std::string common_git_dir(const std::string& git_dir) {
  // A linked worktree's git dir (.git/worktrees/NAME) names the shared one in `commondir`.
  std::string common = read_state_file(git_dir + "/commondir");
  while (!common.empty() && (common.back() == '\n' || common.back() == '/'))
    common.pop_back();
  if (common.empty())
    return git_dir;
  return common.front() == '/' ? common : git_dir + "/" + common;
}

std::string key_file(const std::string& git_dir) {
  return common_git_dir(git_dir) + "/twin/crypt.key";
}

Result<std::optional<SecretKey>> load_key(const std::string& git_dir) {
  std::string path = key_file(git_dir);
  FdGuard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) {
    if (errno == ENOENT)
      return std::optional<SecretKey>();
    return fail("cannot read the key '{}': {}", path, std::strerror(errno));
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0)
    return fail("cannot read the key '{}': {}", path, std::strerror(errno));
  if ((st.st_mode & 077) != 0)
    return fail("the key '{}' is readable by others (mode {:04o}); run 'chmod 600 {}'", path,
                st.st_mode & 07777, path);
  std::string text;
  if (int err = read_all(fd.get(), static_cast<std::uint64_t>(st.st_size), text))
    return fail("cannot read the key '{}': {}", path, std::strerror(err));
  auto key = SecretKey::parse(text);
  if (!key)
    return fail("{}: {}", path, key.error().message);
  return std::optional<SecretKey>(*key);
}

Status store_key(const std::string& git_dir, const SecretKey& key) {
  std::string dir = common_git_dir(git_dir) + "/twin";
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return fail("cannot create '{}': {}", dir, std::strerror(errno));
  return replace_file(key_file(git_dir), key.serialize(), 0600);
}

} // namespace twin
