// SPDX-License-Identifier: MIT
#include "core/sha256.hpp"

#include <memory>
#include <new>

#include <openssl/evp.h>

namespace twin {

std::string hex_of(const unsigned char* data, std::size_t size) {
  static const char digits[] = "0123456789abcdef";
  std::string hex(size * 2, '0');
  for (std::size_t i = 0; i < size; ++i) {
    hex[2 * i] = digits[data[i] >> 4];
    hex[2 * i + 1] = digits[data[i] & 15];
  }
  return hex;
}

std::string sha256_hex(std::string_view data) {
  return sha256_hex({data});
}

std::string sha256_hex(std::initializer_list<std::string_view> parts) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1)
    throw std::bad_alloc(); // OpenSSL is out of memory: nothing sensible is left to do
  for (std::string_view part : parts)
    EVP_DigestUpdate(context.get(), part.data(), part.size());
  EVP_DigestFinal_ex(context.get(), digest, &length);
  return hex_of(digest, length);
}

Sha256Stream::Sha256Stream() : m_context(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
  if (!m_context || EVP_DigestInit_ex(m_context.get(), EVP_sha256(), nullptr) != 1)
    throw std::bad_alloc(); // as above
}

void Sha256Stream::update(std::string_view data) {
  EVP_DigestUpdate(m_context.get(), data.data(), data.size());
}

std::string Sha256Stream::hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(m_context.get(), digest, &length);
  return hex_of(digest, length);
}

} // namespace twin
