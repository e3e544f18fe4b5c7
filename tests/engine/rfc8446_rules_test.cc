// RFC 8446 rules a hostile peer probes, each with the exact alert on the
// wire: record sizes with padding (§5.2, §5.4), legacy_version (§4.1.2,
// D.5), empty alerts (§5.1, §6), and plaintext alerts from peers that gave up
// on the handshake.
#include <doctest/doctest.h>

#include "tests/engine/mitm.h"
#include "tests/engine/test_env.h"

namespace sluice {
namespace {

using wire::ContentType;

Mitm established() {
  Mitm m = Mitm::make();
  m.log_secrets();
  REQUIRE(test::handshake(m.client, m.server));
  return m;
}

// server_read_error feeds `bytes` to the server and reads until it fails.
Progress server_read(Mitm& m, const std::vector<uint8_t>& bytes) {
  feed_all(m.server, bytes);
  std::vector<uint8_t> buf(100);
  Progress p{};
  for (int i = 0; i < 10; ++i) {
    p = m.server.read(buf);
    if (p.status != Status::kWantRead || !m.server.has_pending()) break;
  }
  return p;
}

std::vector<uint8_t> sealed(Protection& rp, ContentType type, std::vector<uint8_t> content, size_t padding) {
  std::vector<uint8_t> rec(5 + content.size() + 17 + padding);
  std::copy(content.begin(), content.end(), rec.begin() + 5);
  auto n = rp.seal(type, rec, content.size(), padding);
  REQUIRE(n);
  rec.resize(*n);
  return rec;
}

}  // namespace

TEST_CASE("record size: padding counts towards the 2^14 + 1 inner plaintext limit (RFC 8446 §5.4)") {
  SUBCASE("2^14 - 8 content bytes and 9 padding bytes: record_overflow") {
    Mitm m = established();
    Protection rp = m.protection("CLIENT_TRAFFIC_SECRET_0");
    Progress p = server_read(m, sealed(rp, ContentType::kApplicationData, std::vector<uint8_t>(16384 - 8, 1), 9));
    CHECK(p.status == Status::kError);
    check_error(m.server.error(), Alert::kRecordOverflow, Reason::kRecordOverflow);
    CHECK(!drain(m.server).empty());  // the alert, under the application key
  }
  SUBCASE("exactly 2^14 + 1 with padding is accepted") {
    Mitm m = established();
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
    Mitm m = established();
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

}  // namespace sluice
