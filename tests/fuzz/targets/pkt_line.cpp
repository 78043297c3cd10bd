// SPDX-License-Identifier: MIT
// git's side of the long-running filter protocol: whatever arrives on the pipe (and the
// blob content in it, which a pull may bring) goes through the pkt-line reader and the
// twin-crypt filter server. Checks: the server's output is whole packets; every packet the
// reader returns encodes back to one that decodes to the same payload.
#include "targets/targets.hpp"

#include "core/secret_cipher.hpp"
#include "filters/filter_process.hpp"
#include "filters/pkt_line.hpp"

namespace twin_fuzz {
namespace {

using namespace twin::filters;

const twin::SecretKey& fixed_key() {
  static const twin::SecretKey key =
      twin::SecretKey::parse("git-twin-key 1 " + std::string(2 * twin::SecretKey::size, '7'))
          .value();
  return key;
}

// True when `bytes` is a sequence of whole, well-formed packets.
bool whole_packets(std::string_view bytes) {
  while (!bytes.empty()) {
    auto packet = decode_packet(bytes);
    if (!packet || !*packet)
      return false;
    bytes.remove_prefix((*packet)->size);
  }
  return true;
}

} // namespace

void pkt_line(std::string_view input) {
  // Pipes deliver packets in pieces of any size; the size follows from the input so that a
  // kept input replays the same way.
  std::size_t chunk = 1 + input.size() % 13;

  StringSource server_input{std::string(input), chunk};
  StringSink output, diagnostics;
  (void)serve_filter_process(server_input, output, diagnostics, crypt_driver(&fixed_key()));
  FUZZ_CHECK(whole_packets(output.data()));

  StringSource reader_input{std::string(input), chunk};
  PacketReader reader(reader_input);
  for (;;) {
    auto packet = reader.read_packet();
    if (!packet || !*packet)
      break;
    if ((*packet)->flush)
      continue;
    auto encoded = encode_packet((*packet)->payload);
    FUZZ_CHECK(encoded);
    auto decoded = decode_packet(*encoded);
    FUZZ_CHECK(decoded && *decoded && (*decoded)->payload == (*packet)->payload);
  }
}

} // namespace twin_fuzz
