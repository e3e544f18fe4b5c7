// RFC 8446 rules a hostile peer probes, each with the exact alert on the
// wire: record sizes with padding (§5.2, §5.4), legacy_version (§4.1.2,
// D.5), empty alerts (§5.1, §6), and plaintext alerts from peers that gave up
// on the handshake.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "tests/engine/mitm.h"
#include "tests/engine/test_env.h"

namespace sluice {
namespace {

using wire::ContentType;

// server_read feeds `bytes` to the server and reads what it can.
Progress server_read(Mitm& m, const std::vector<uint8_t>& bytes) {
  feed_all(m.server, bytes);
  return read_buffered(m.server);
}

// with_unknown_extensions rebuilds a one-record ClientHello with `n`
// empty extensions of unknown types in front of its own, split into as
// many records as it takes.
std::vector<uint8_t> with_unknown_extensions(const std::vector<uint8_t>& hello_record, size_t n) {
  Bytes body = Bytes(hello_record).subspan(5 + 4);
  ByteReader r(body);
  ByteReader sid, suites, comp, exts;
  REQUIRE((r.skip(2 + 32) && r.prefixed8(sid) && r.prefixed16(suites) && r.prefixed8(comp)));
  const size_t fixed = body.size() - r.remaining();
  REQUIRE(r.prefixed16(exts));
  std::vector<uint8_t> block;
  for (size_t i = 0; i < n; ++i) {
    const uint16_t type = static_cast<uint16_t>(0xe000 + i);  // unassigned, distinct
    block.insert(block.end(), {static_cast<uint8_t>(type >> 8), static_cast<uint8_t>(type), 0, 0});
  }
  block.insert(block.end(), exts.rest().begin(), exts.rest().end());
  REQUIRE(block.size() <= 0xffff);
  std::vector<uint8_t> msg = {1, 0, 0, 0};
  msg.insert(msg.end(), body.begin(), body.begin() + static_cast<ptrdiff_t>(fixed));
  msg.push_back(static_cast<uint8_t>(block.size() >> 8));
  msg.push_back(static_cast<uint8_t>(block.size()));
  msg.insert(msg.end(), block.begin(), block.end());
  const size_t len = msg.size() - 4;
  msg[1] = static_cast<uint8_t>(len >> 16), msg[2] = static_cast<uint8_t>(len >> 8), msg[3] = static_cast<uint8_t>(len);
  std::vector<uint8_t> out;
  for (size_t at = 0; at < msg.size(); at += 16384) {
    const size_t k = std::min<size_t>(16384, msg.size() - at);
    auto rec = record(ContentType::kHandshake, std::vector<uint8_t>(msg.begin() + at, msg.begin() + at + k));
    out.insert(out.end(), rec.begin(), rec.end());
  }
  return out;
}

}  // namespace

TEST_CASE("any number of unknown extensions is ignored (RFC 8446 §4.2)") {
  for (size_t n : {size_t{200}, size_t{1024}, size_t{4096}}) {
    CAPTURE(n);
    Mitm m = Mitm::make();
    REQUIRE(m.client.handshake().status == Status::kWantRead);
    feed_all(m.server, with_unknown_extensions(drain(m.client), n));
    CHECK(m.server.handshake().status == Status::kWantRead);
    CHECK(m.server.error().ok());
    CHECK(!drain(m.server).empty());  // its flight
  }
}

TEST_CASE("a second ClientHello may change only what the retry asked for (RFC 8446 §4.1.2)") {
  auto run = [](bool tamper) {
    Mitm m = Mitm::make();
    m.cctx->set_groups({crypto::Group::kX25519, crypto::Group::kSecp256r1});
    m.sctx->set_groups({crypto::Group::kSecp256r1});
    m.sctx->set_strict_group_preference(true);
    m.cctx->set_alpn({"http/1.1"});
    m.sctx->set_alpn({"http/1.1", "spdy/3.1"});
    REQUIRE(m.client.handshake().status == Status::kWantRead);
    feed_all(m.server, drain(m.client));
    REQUIRE(m.server.handshake().status == Status::kWantRead);
    feed_all(m.client, drain(m.server));  // the HelloRetryRequest
    REQUIRE(m.client.handshake().status == Status::kWantRead);
    auto second = drain(m.client);
    if (tamper) {
      // Same length, another protocol: an ALPN list the first hello did not carry.
      const std::string from = "http/1.1", to = "spdy/3.1";
      auto at = std::search(second.begin(), second.end(), from.begin(), from.end());
      REQUIRE(at != second.end());
      std::copy(to.begin(), to.end(), at);
    }
    feed_all(m.server, second);
    return std::make_pair(m.server.handshake(), m.server.error());
  };
  auto [ok, ok_error] = run(false);
  CHECK(ok.status == Status::kWantRead);
  auto [bad, bad_error] = run(true);
  CHECK(bad.status == Status::kError);
  check_error(bad_error, Alert::kIllegalParameter, Reason::kIllegalParameter);
}

TEST_CASE("record size: padding counts towards the 2^14 + 1 inner plaintext limit (RFC 8446 §5.4)") {
  SUBCASE("2^14 - 8 content bytes and 9 padding bytes: record_overflow") {
    Mitm m = established_mitm();
    Protection rp = m.protection("CLIENT_TRAFFIC_SECRET_0");
    Progress p = server_read(m, sealed(rp, ContentType::kApplicationData, std::vector<uint8_t>(16384 - 8, 1), 9));
    CHECK(p.status == Status::kError);
    check_error(m.server.error(), Alert::kRecordOverflow, Reason::kRecordOverflow);
    CHECK(!drain(m.server).empty());  // the alert, under the application key
  }
  SUBCASE("exactly 2^14 + 1 with padding is accepted") {
    Mitm m = established_mitm();
    Protection rp = m.protection("CLIENT_TRAFFIC_SECRET_0");
    Progress p = server_read(m, sealed(rp, ContentType::kApplicationData, std::vector<uint8_t>(16384 - 8, 1), 8));
    CHECK(p.status == Status::kOk);
  }
  SUBCASE("a Finished with 16,587 bytes of padding: record_overflow") {
    Mitm m = Mitm::make();
    m.log_secrets();
    auto [sh_record, flight] = m.server_flight();
    Protection rp = m.protection("SERVER_HANDSHAKE_TRAFFIC_SECRET");
    auto rec = sealed(rp, ContentType::kHandshake, join_messages(flight), 16587);
    std::vector<uint8_t> bytes = sh_record;
    bytes.insert(bytes.end(), rec.begin(), rec.end());
    check_error(m.client_result(bytes), Alert::kRecordOverflow, Reason::kRecordOverflow);
  }
}

TEST_CASE("ClientHello.legacy_version below TLS 1.2: protocol_version (RFC 8446 §4.1.2, D.5)") {
  for (uint16_t version : {0x0300, 0x0200, 0x0002, 0x0301, 0x0302}) {
    CAPTURE(version);
    Mitm m = Mitm::make();
    REQUIRE(m.client.handshake().status == Status::kWantRead);
    auto hello = drain(m.client);
    // record header (5), handshake header (4), then legacy_version.
    hello[9] = static_cast<uint8_t>(version >> 8);
    hello[10] = static_cast<uint8_t>(version);
    feed_all(m.server, hello);
    CHECK(m.server.handshake().status == Status::kError);
    check_error(m.server.error(), Alert::kProtocolVersion, Reason::kNoSharedVersion);
    CHECK(drain(m.server) == plain_alert(Alert::kProtocolVersion));
  }
}

TEST_CASE("an empty alert record is unexpected_message under any key (RFC 8446 §5.1)") {
  SUBCASE("application keys") {
    Mitm m = established_mitm();
    Protection rp = m.protection("CLIENT_TRAFFIC_SECRET_0");
    Progress p = server_read(m, sealed(rp, ContentType::kAlert, {}, 0));
    CHECK(p.status == Status::kError);
    check_error(m.server.error(), Alert::kUnexpectedMessage, Reason::kUnexpectedMessage);
  }
  SUBCASE("handshake keys") {
    Mitm m = Mitm::make();
    m.log_secrets();
    auto [sh_record, flight] = m.server_flight();
    std::vector<uint8_t> bytes = sh_record;
    auto alert = m.seal_flight({}, ContentType::kAlert);
    bytes.insert(bytes.end(), alert.begin(), alert.end());
    check_error(m.client_result(bytes), Alert::kUnexpectedMessage, Reason::kUnexpectedMessage);
  }
}

TEST_CASE("a plaintext alert under handshake keys is the peer's alert, not answered") {
  // OpenSSL's client, rejecting our certificate, sends its alert in
  // plaintext though the server already reads with handshake keys.
  Mitm m = Mitm::make();
  m.log_secrets();
  auto [sh_record, flight] = m.server_flight();
  feed_all(m.server, plain_alert(Alert::kBadCertificate));
  CHECK(m.server.handshake().status == Status::kError);
  CHECK(m.server.error().origin == Origin::kReceived);
  CHECK(m.server.error().alert == Alert::kBadCertificate);
  CHECK(m.server.error().reason == Reason::kPeerAlert);
  CHECK(drain(m.server).empty());
}

TEST_CASE("legacy_record_version: major 3 in plaintext, exactly 0x0303 under protection") {
  SUBCASE("a ClientHello record of 0x0301 or 0x03ff is accepted") {
    for (uint16_t version : {0x0301, 0x03ff}) {
      Mitm m = Mitm::make();
      REQUIRE(m.client.handshake().status == Status::kWantRead);
      auto hello = drain(m.client);
      hello[1] = static_cast<uint8_t>(version >> 8);
      hello[2] = static_cast<uint8_t>(version);
      feed_all(m.server, hello);
      CHECK(m.server.handshake().status == Status::kWantRead);
    }
  }
  SUBCASE("a ClientHello record of 0xffff: protocol_version") {
    Mitm m = Mitm::make();
    REQUIRE(m.client.handshake().status == Status::kWantRead);
    auto hello = drain(m.client);
    hello[1] = 0xff;
    hello[2] = 0xff;
    feed_all(m.server, hello);
    CHECK(m.server.handshake().status == Status::kError);
    check_error(m.server.error(), Alert::kProtocolVersion, Reason::kBadRecordVersion);
  }
  SUBCASE("a protected record of 0x03ff: protocol_version") {
    Mitm m = established_mitm();
    Protection rp = m.protection("CLIENT_TRAFFIC_SECRET_0");
    auto rec = sealed(rp, ContentType::kApplicationData, {'h', 'i'}, 0);
    rec[2] = 0xff;
    Progress p = server_read(m, rec);
    CHECK(p.status == Status::kError);
    check_error(m.server.error(), Alert::kProtocolVersion, Reason::kBadRecordVersion);
  }
}

TEST_CASE("empty records: 32 in a row are accepted, the 33rd is not; content in between resets the count") {
  // The server's compatibility change_cipher_spec counts as empty once;
  // the handshake records after it end that run.
  Mitm m = Mitm::make();
  m.cctx->set_middlebox_compat(true);
  m.sctx->set_ticket_count(0);  // the records below are the server's first under its traffic key
  m.client = Connection::client(m.cctx, "localhost");
  m.server = Connection::server(m.sctx);
  m.log_secrets();
  REQUIRE(test::handshake(m.client, m.server));
  Protection rp = m.protection("SERVER_TRAFFIC_SECRET_0");
  std::vector<uint8_t> empties;
  for (int i = 0; i < 32; ++i) {
    auto rec = sealed(rp, ContentType::kApplicationData, {}, 0);
    empties.insert(empties.end(), rec.begin(), rec.end());
  }
  feed_all(m.client, empties);
  CHECK(read_buffered(m.client).status == Status::kWantRead);
  CHECK(!m.client.has_pending());
  CHECK(m.client.error().ok());
  feed_all(m.client, sealed(rp, ContentType::kApplicationData, {}, 0));
  CHECK(read_buffered(m.client).status == Status::kError);
  CHECK(m.client.error().reason == Reason::kTooManyEmptyRecords);
}

TEST_CASE("ServerHello.legacy_version other than 0x0303: protocol_version (RFC 8446 §4.1.3)") {
  for (uint16_t version : {0x1234, 0x0304, 0x0301}) {
    CAPTURE(version);
    Mitm m = Mitm::make();
    m.log_secrets();
    auto [sh_record, flight] = m.server_flight();
    sh_record[9] = static_cast<uint8_t>(version >> 8);
    sh_record[10] = static_cast<uint8_t>(version);
    check_error(m.client_result(sh_record), Alert::kProtocolVersion, Reason::kNoSharedVersion);
  }
}

TEST_CASE("a plain HTTP request on the TLS port is named as such, a garbage record as a bad version") {
  for (std::string request : {"GET / HTTP/1.0\r\n", "POST / HTTP/1.1\r\n", "CONNECT example:443 HTTP/1.1\r\n"}) {
    CAPTURE(request);
    Mitm m = Mitm::make();
    feed_all(m.server, std::vector<uint8_t>(request.begin(), request.end()));
    CHECK(m.server.handshake().status == Status::kError);
    check_error(m.server.error(), Alert::kUnexpectedMessage, Reason::kBadRecordType);
  }
  Mitm m = Mitm::make();
  const std::string garbage = "blah";
  feed_all(m.server, std::vector<uint8_t>(garbage.begin(), garbage.end()));
  feed_all(m.server, std::vector<uint8_t>{0, 0});
  CHECK(m.server.handshake().status == Status::kError);
  check_error(m.server.error(), Alert::kProtocolVersion, Reason::kBadRecordVersion);
}

}  // namespace sluice
