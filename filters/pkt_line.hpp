// SPDX-License-Identifier: MIT
// pkt-line framing, as git's long-running filter protocol uses it (gitprotocol-common(5),
// tech-notes section 2.1): a packet is four lowercase hex digits giving its total length
// including those four bytes, then the payload; "0000" is a flush packet that ends a list
// or a content stream. A packet is at most 65520 bytes, so its payload at most 65516.
//
// The framing is pure functions (encode, decode) plus a buffered reader and writer over an
// abstract byte source and sink: the filter server runs over stdin/stdout in production and
// over strings in the unit tests.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace twin::filters {

inline constexpr std::size_t k_max_packet = 65520;
inline constexpr std::size_t k_max_payload = k_max_packet - 4;
inline constexpr std::string_view k_flush_packet = "0000";

/// One packet with `payload` (at most k_max_payload bytes; longer is an error, since a
/// packet that git cannot read would only fail later and less clearly).
Result<std::string> encode_packet(std::string_view payload);
/// `content` as data packets of at most k_max_payload bytes each (no flush; nothing for
/// empty content, which git also sends as no packet at all).
std::string encode_content(std::string_view content);

struct Packet {
  bool flush = false;
  std::string_view payload; // a view into the decoded buffer
  std::size_t size = 0;     // bytes consumed from the buffer
};
/// The packet at the start of `buffer`; nullopt when the buffer does not hold a whole one
/// yet. Malformed lengths (not hex, 0001-0003, above 65520) are errors.
Result<std::optional<Packet>> decode_packet(std::string_view buffer);

/// Where bytes come from: read() returns how many it put into `buffer` (0: end of input).
class ByteSource {
public:
  virtual ~ByteSource() = default;
  virtual Result<std::size_t> read(char* buffer, std::size_t size) = 0;
};

/// Where bytes go: write() takes everything or fails.
class ByteSink {
public:
  virtual ~ByteSink() = default;
  virtual Status write(std::string_view data) = 0;
};

/// A file descriptor (stdin); retries EINTR.
class FdSource : public ByteSource {
public:
  explicit FdSource(int fd) : m_fd(fd) {}
  Result<std::size_t> read(char* buffer, std::size_t size) override;

private:
  int m_fd;
};

/// A file descriptor (stdout, stderr); retries EINTR and continues after short writes.
class FdSink : public ByteSink {
public:
  explicit FdSink(int fd) : m_fd(fd) {}
  Status write(std::string_view data) override;

private:
  int m_fd;
};

/// Bytes from a string, handed out at most `chunk` at a time (tests use 1 to make every
/// packet arrive in pieces, as a pipe may deliver it).
class StringSource : public ByteSource {
public:
  explicit StringSource(std::string data, std::size_t chunk = 1 << 16)
      : m_data(std::move(data)), m_chunk(chunk) {}
  Result<std::size_t> read(char* buffer, std::size_t size) override;

private:
  std::string m_data;
  std::size_t m_chunk;
  std::size_t m_pos = 0;
};

/// Collects everything written.
class StringSink : public ByteSink {
public:
  Status write(std::string_view data) override;
  const std::string& data() const { return m_data; }

private:
  std::string m_data;
};

/// Reads packets from a source through a buffer.
class PacketReader {
public:
  explicit PacketReader(ByteSource& source) : m_source(source) {}

  /// The next packet (its payload valid until the next read); nullopt at the end of input
  /// exactly between packets. End of input inside a packet is an error.
  Result<std::optional<Packet>> read_packet();
  /// A list of text lines up to a flush, each without its trailing LF; nullopt when the
  /// input ends before the list starts (git closed the pipe: time to exit).
  Result<std::optional<std::vector<std::string>>> read_list();
  /// Data packets up to a flush, concatenated.
  Result<std::string> read_content();

private:
  Status fill(); // reads more input; an error at end of input
  ByteSource& m_source;
  std::string m_buffer;
  std::size_t m_start = 0;
  bool m_eof = false;
};

/// Writes packets to a sink, buffered: send() hands them over (and the buffer goes out by
/// itself once it holds 64 KiB, so large content streams). A whole reply sent in one write
/// wakes git once instead of once per packet.
class PacketWriter {
public:
  explicit PacketWriter(ByteSink& sink) : m_sink(sink) {}

  /// "line\n" as one packet.
  Status write_line(std::string_view line);
  /// Content split into packets of at most k_max_payload bytes.
  Status write_content(std::string_view content);
  /// A flush packet.
  Status write_flush();
  /// Everything buffered goes out: call it when the other side waits for an answer.
  Status send();

private:
  Status append(std::string_view bytes);
  ByteSink& m_sink;
  std::string m_buffer;
};

} // namespace twin::filters
