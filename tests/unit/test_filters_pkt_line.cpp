// SPDX-License-Identifier: MIT
// pkt-line framing: encoding with lengths that include the header, splitting content at the
// maximum payload, flush packets, malformed lengths, and reading packets that arrive in
// pieces.
#include <catch2/catch.hpp>

#include "filters/pkt_line.hpp"

using namespace twin::filters;

TEST_CASE("pkt-line: encode counts the four header bytes", "[filter][pkt-line]") {
  CHECK(encode_packet("a\n").value() == "0006a\n");
  CHECK(encode_packet("").value() == "0004");
  CHECK(encode_packet(std::string(k_max_payload, 'x')).value().substr(0, 4) == "fff0");
  auto too_long = encode_packet(std::string(k_max_payload + 1, 'x'));
  REQUIRE(!too_long);
  CHECK_THAT(too_long.error().message, Catch::Contains("exceeds the maximum of 65516"));
}

TEST_CASE("pkt-line: content is split into packets of at most 65516 bytes", "[filter][pkt-line]") {
  CHECK(encode_content("").empty());
  std::string content(2 * k_max_payload + 10, 'c');
  content[k_max_payload] = 'd'; // the first byte of the second packet
  std::string encoded = encode_content(content);
  REQUIRE(encoded.size() == content.size() + 3 * 4);
  CHECK(encoded.substr(0, 4) == "fff0");
  CHECK(encoded.substr(4 + k_max_payload, 5) == "fff0d");
  CHECK(encoded.substr(2 * (4 + k_max_payload), 4) == "000e");

  StringSource source(encoded + std::string(k_flush_packet), 1000);
  PacketReader reader(source);
  CHECK(reader.read_content().value() == content);
}

TEST_CASE("pkt-line: decode", "[filter][pkt-line]") {
  SECTION("a data packet and what follows it") {
    auto packet = decode_packet("0009hello0000").value();
    REQUIRE(packet);
    CHECK(!packet->flush);
    CHECK(packet->payload == "hello");
    CHECK(packet->size == 9);
  }
  SECTION("flush") {
    auto packet = decode_packet("0000").value();
    REQUIRE(packet);
    CHECK(packet->flush);
    CHECK(packet->size == 4);
  }
  SECTION("upper-case hex is read too") {
    CHECK(decode_packet("000Aabcdef").value());
  }
  SECTION("incomplete: no packet yet") {
    CHECK(!decode_packet("").value());
    CHECK(!decode_packet("00").value());
    CHECK(!decode_packet("0009hel").value());
  }
  SECTION("malformed lengths") {
    for (std::string bad : {"00x9hello", "0001", "0002", "0003abc", "fff1", "ffff"}) {
      INFO(bad);
      CHECK(!decode_packet(bad));
    }
    CHECK_THAT(decode_packet(std::string("\x01\x02zz", 4)).error().message,
               Catch::Contains("bad pkt-line length '\\x01\\x02zz'"));
  }
}

TEST_CASE("pkt-line: reader and writer", "[filter][pkt-line]") {
  StringSink sink;
  PacketWriter writer(sink);
  REQUIRE(writer.write_line("git-filter-server"));
  REQUIRE(writer.write_line("version=2"));
  REQUIRE(writer.write_flush());
  REQUIRE(writer.write_content("body"));
  REQUIRE(writer.write_flush());
  CHECK(sink.data().empty()); // buffered until sent
  REQUIRE(writer.send());
  CHECK(sink.data() == "0016git-filter-server\n000eversion=2\n00000008body0000");

  // One byte at a time, as a slow pipe could deliver it.
  StringSource source(sink.data(), 1);
  PacketReader reader(source);
  auto list = reader.read_list().value();
  REQUIRE(list);
  CHECK(*list == std::vector<std::string>{"git-filter-server", "version=2"});
  CHECK(reader.read_content().value() == "body");
  CHECK(!reader.read_list().value()); // end of input between packets

  SECTION("end of input inside a packet, a list or content") {
    StringSource cut("0009hel");
    PacketReader r1(cut);
    CHECK_THAT(r1.read_packet().error().message, Catch::Contains("ended inside a pkt-line"));
    StringSource no_flush("000bcommand");
    PacketReader r2(no_flush);
    CHECK_THAT(r2.read_list().error().message, Catch::Contains("no flush packet"));
    StringSource content("0008body");
    PacketReader r3(content);
    CHECK_THAT(r3.read_content().error().message, Catch::Contains("ended inside content"));
  }
}
