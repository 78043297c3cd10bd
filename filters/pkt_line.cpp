// SPDX-License-Identifier: MIT
#include "filters/pkt_line.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unistd.h>

#include "core/sha256.hpp"

namespace twin::filters {
namespace {

constexpr char k_hex[] = "0123456789abcdef";

// The header bytes as a message can show them (they may be binary garbage).
std::string printable(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f)
      out += static_cast<char>(c);
    else
      out += fmt::format("\\x{:02x}", c);
  }
  return out;
}

// Past this, the reader drops what it has consumed instead of growing the buffer.
constexpr std::size_t k_read_chunk = 1 << 16;
// The writer hands its buffer to the sink once it holds this much.
constexpr std::size_t k_write_chunk = 1 << 16;

} // namespace

Result<std::string> encode_packet(std::string_view payload) {
  if (payload.size() > k_max_payload)
    return fail("pkt-line payload of {} bytes exceeds the maximum of {}", payload.size(),
                k_max_payload);
  std::size_t length = payload.size() + 4;
  std::string out;
  out.reserve(length);
  for (int shift = 12; shift >= 0; shift -= 4)
    out += k_hex[(length >> shift) & 15];
  out += payload;
  return out;
}

std::string encode_content(std::string_view content) {
  std::string out;
  out.reserve(content.size() + (content.size() / k_max_payload + 1) * 4);
  while (!content.empty()) {
    std::size_t n = std::min(content.size(), k_max_payload);
    out += *encode_packet(content.substr(0, n)); // n <= k_max_payload: cannot fail
    content.remove_prefix(n);
  }
  return out;
}

Result<std::optional<Packet>> decode_packet(std::string_view buffer) {
  if (buffer.size() < 4)
    return std::optional<Packet>();
  std::size_t length = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    int digit = hex_digit_value(buffer[i]);
    if (digit < 0)
      return fail("bad pkt-line length '{}'", printable(buffer.substr(0, 4)));
    length = length * 16 + static_cast<std::size_t>(digit);
  }
  if (length == 0)
    return std::optional<Packet>(Packet{true, {}, 4});
  // 0001 (delimiter) and 0002 (response end) belong to protocol v2 of fetch, not here.
  if (length < 4)
    return fail("unexpected pkt-line special packet '{}'", buffer.substr(0, 4));
  if (length > k_max_packet)
    return fail("pkt-line length {} exceeds the maximum of {}", length, k_max_packet);
  if (buffer.size() < length)
    return std::optional<Packet>();
  return std::optional<Packet>(Packet{false, buffer.substr(4, length - 4), length});
}

Result<std::size_t> FdSource::read(char* buffer, std::size_t size) {
  for (;;) {
    ssize_t n = ::read(m_fd, buffer, size);
    if (n >= 0)
      return static_cast<std::size_t>(n);
    if (errno != EINTR)
      return fail("cannot read the input: {}", std::strerror(errno));
  }
}

Status FdSink::write(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(m_fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return fail("cannot write the output: {}", std::strerror(errno));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

Result<std::size_t> StringSource::read(char* buffer, std::size_t size) {
  std::size_t n = std::min({size, m_chunk, m_data.size() - m_pos});
  std::memcpy(buffer, m_data.data() + m_pos, n);
  m_pos += n;
  return n;
}

Status StringSink::write(std::string_view data) {
  m_data += data;
  return {};
}

Status PacketReader::fill() {
  if (m_start > 0 && (m_start >= k_read_chunk || m_start == m_buffer.size())) {
    m_buffer.erase(0, m_start);
    m_start = 0;
  }
  std::size_t used = m_buffer.size();
  m_buffer.resize(used + k_read_chunk);
  auto n = m_source.read(m_buffer.data() + used, k_read_chunk);
  m_buffer.resize(used + (n ? *n : 0));
  if (!n)
    return tl::unexpected(n.error());
  if (*n == 0)
    m_eof = true;
  return {};
}

Result<std::optional<Packet>> PacketReader::read_packet() {
  for (;;) {
    std::string_view pending(m_buffer.data() + m_start, m_buffer.size() - m_start);
    auto packet = TWIN_TRY(decode_packet(pending));
    if (packet) {
      m_start += packet->size;
      return packet;
    }
    if (m_eof) {
      if (pending.empty())
        return std::optional<Packet>();
      return fail("the input ended inside a pkt-line ({} of its bytes arrived)", pending.size());
    }
    TWIN_CHECK(fill());
  }
}

Result<std::optional<std::vector<std::string>>> PacketReader::read_list() {
  std::vector<std::string> lines;
  for (;;) {
    auto packet = TWIN_TRY(read_packet());
    if (!packet) {
      if (lines.empty())
        return std::optional<std::vector<std::string>>();
      return fail("the input ended inside a list (no flush packet after '{}')",
                  printable(lines.back()));
    }
    if (packet->flush)
      return std::optional<std::vector<std::string>>(std::move(lines));
    std::string_view line = packet->payload;
    if (!line.empty() && line.back() == '\n')
      line.remove_suffix(1);
    lines.emplace_back(line);
  }
}

Result<std::string> PacketReader::read_content() {
  std::string content;
  for (;;) {
    auto packet = TWIN_TRY(read_packet());
    if (!packet)
      return fail("the input ended inside content ({} bytes, no flush packet)", content.size());
    if (packet->flush)
      return content;
    content += packet->payload;
  }
}

Status PacketWriter::append(std::string_view bytes) {
  m_buffer += bytes;
  return m_buffer.size() < k_write_chunk ? Status{} : send();
}

Status PacketWriter::send() {
  if (m_buffer.empty())
    return {};
  Status sent = m_sink.write(m_buffer);
  m_buffer.clear();
  return sent;
}

Status PacketWriter::write_line(std::string_view line) {
  std::string text(line);
  text += '\n';
  return append(TWIN_TRY(encode_packet(text)));
}

Status PacketWriter::write_content(std::string_view content) {
  while (!content.empty()) {
    std::size_t n = std::min(content.size(), k_max_payload);
    TWIN_CHECK(append(TWIN_TRY(encode_packet(content.substr(0, n)))));
    content.remove_prefix(n);
  }
  return {};
}

Status PacketWriter::write_flush() {
  return append(k_flush_packet);
}

} // namespace twin::filters
