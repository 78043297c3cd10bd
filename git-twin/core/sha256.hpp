// SPDX-License-Identifier: MIT
// SHA-256 (OpenSSL) as lowercase hex: content digests of files, and the fingerprints of
// observations and plans.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st; // OpenSSL's EVP_MD_CTX

namespace twin {

std::string sha256_hex(std::string_view data);

/// Bytes as lowercase hex (digests, object ids, keys).
std::string hex_of(const unsigned char* data, std::size_t size);

/// The value of one hex digit (either case), -1 for any other character.
inline int hex_digit_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}
/// The digest of the parts one after the other, without joining them first.
std::string sha256_hex(std::initializer_list<std::string_view> parts);

/// A digest fed piece by piece, for data too large to build as one string first.
class Sha256Stream {
public:
  Sha256Stream();
  void update(std::string_view data);
  /// The hex digest; the stream is finished afterwards.
  std::string hex();

private:
  std::unique_ptr<evp_md_ctx_st, void (*)(evp_md_ctx_st*)> m_context;
};

} // namespace twin
