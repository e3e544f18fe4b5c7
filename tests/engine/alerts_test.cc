// Alerts a hostile peer can shape: an unknown level is illegal_parameter; a
// TLS 1.3 warning other than user_canceled is malformed (decode_error, as
// BoringSSL has it); a TLS 1.2 warning lets the connection go on; and a
// stream of tolerated warnings with nothing in between is bounded; a
// close_notify is traced at the level it came with.
#include <doctest/doctest.h>

#include <string>

#include "tests/engine/mitm.h"
#include "tests/engine/test_env.h"

namespace sluice {
namespace {

using wire::ContentType;

constexpr uint8_t kWarning = 1, kFatal = 2;

// server_reads seals `alerts` from the client under its traffic key (`rp`
// when given, to go on from earlier records), feeds them to an established
// server and reads.
Progress server_reads(Mitm& m, std::initializer_list<std::pair<uint8_t, Alert>> alerts, Protection* keep = nullptr) {
  Protection fresh;
  if (!keep) fresh = m.protection("CLIENT_TRAFFIC_SECRET_0");
  Protection& rp = keep ? *keep : fresh;
  for (auto [level, alert] : alerts) feed_all(m.server, sealed(rp, ContentType::kAlert, {level, static_cast<uint8_t>(alert)}));
  return read_buffered(m.server);
}

TEST_CASE("TLS 1.3 alerts: levels and warnings (RFC 8446 §6)") {
  SUBCASE("a warning-level unrecognized_name is decode_error") {
    Mitm m = established_mitm();
    CHECK(server_reads(m, {{kWarning, Alert::kUnrecognizedName}}).status == Status::kError);
    check_error(m.server.error(), Alert::kDecodeError, Reason::kDecodeError);
  }
  SUBCASE("an alert of level 3 is illegal_parameter") {
    Mitm m = established_mitm();
    CHECK(server_reads(m, {{3, Alert::kHandshakeFailure}}).status == Status::kError);
    check_error(m.server.error(), Alert::kIllegalParameter, Reason::kIllegalParameter);
  }
  SUBCASE("a fatal alert is the peer's") {
    Mitm m = established_mitm();
    CHECK(server_reads(m, {{kFatal, Alert::kHandshakeFailure}}).status == Status::kError);
    CHECK(m.server.error().origin == Origin::kReceived);
    CHECK(m.server.error().alert == Alert::kHandshakeFailure);
  }
  SUBCASE("user_canceled warnings are tolerated up to the bound") {
    Mitm m = established_mitm();
    const std::pair<uint8_t, Alert> uc{kWarning, Alert::kUserCanceled};
    Protection rp = m.protection("CLIENT_TRAFFIC_SECRET_0");
    CHECK(server_reads(m, {uc, uc, uc, uc}, &rp).status == Status::kWantRead);
    CHECK(m.server.error().ok());
    CHECK(server_reads(m, {uc}, &rp).status == Status::kError);
    CHECK(m.server.error().reason == Reason::kTooManyWarningAlerts);
  }
}

TEST_CASE("a received close_notify is traced at the level its record carried, by read() and by shutdown()") {
  // RFC 8446 §6 lets the level of a TLS 1.3 alert be ignored: a fatal
  // close_notify still closes, and the trace shows what the wire had.
  for (const uint8_t level : {kWarning, kFatal}) {
    for (const bool via_shutdown : {false, true}) {
      CAPTURE(static_cast<int>(level));
      CAPTURE(via_shutdown);
      Mitm m = established_mitm();
      std::vector<uint8_t> received_levels;
      m.sctx->set_message_callback([&received_levels](const MessageInfo& info) {
        if (!info.sent && info.content_type == ContentType::kAlert &&
            info.type == static_cast<uint8_t>(Alert::kCloseNotify))
          received_levels.push_back(info.alert_level);
      });
      Protection rp = m.protection("CLIENT_TRAFFIC_SECRET_0");
      if (via_shutdown) {
        REQUIRE(m.server.shutdown().status == Status::kWantRead);
        feed_all(m.server, sealed(rp, ContentType::kAlert, {level, static_cast<uint8_t>(Alert::kCloseNotify)}));
        CHECK(m.server.shutdown().status == Status::kOk);
      } else {
        CHECK(server_reads(m, {{level, Alert::kCloseNotify}}, &rp).status == Status::kZeroReturn);
      }
      CHECK(received_levels == std::vector<uint8_t>{level});
    }
  }
}

// A TLS 1.2 client handshake with `warnings` plaintext warning alerts in
// front of the server's first flight.
bool tls12_handshake_after_warnings(int warnings, Connection& client) {
  auto cctx = test::client_context(test::sodium_first(), test::test_cert(crypto::KeyType::kEcdsaP256));
  auto sctx = test::server_context(test::sodium_first(), test::test_cert(crypto::KeyType::kEcdsaP256));
  cctx->set_max_version(wire::kTls12);
  client = Connection::client(cctx, "localhost");
  Connection server = Connection::server(sctx);
  REQUIRE(client.handshake().status == Status::kWantRead);
  feed_all(server, drain(client));
  REQUIRE(server.handshake().status == Status::kWantRead);
  const std::vector<uint8_t> warning{21, 3, 3, 0, 2, kWarning, static_cast<uint8_t>(Alert::kUnrecognizedName)};
  for (int i = 0; i < warnings; ++i) feed_all(client, warning);
  feed_all(client, drain(server));
  return test::handshake(client, server);
}

TEST_CASE("TLS 1.2 alerts: warnings go on, a stream of them is bounded (RFC 5246 §7.2.2)") {
  auto cctx = test::client_context(test::sodium_first(), test::test_cert(crypto::KeyType::kEcdsaP256));
  Connection client = Connection::client(cctx, "localhost");
  CHECK(tls12_handshake_after_warnings(4, client));
  CHECK(client.negotiated().version == wire::kTls12);
  CHECK(!tls12_handshake_after_warnings(5, client));
  CHECK(client.error().reason == Reason::kTooManyWarningAlerts);
}

}  // namespace
}  // namespace sluice
