// Session tickets, PSK resumption and 0-RTT (RFC 8446 §2.2, §2.3, §4.2.10,
// §4.2.11, §4.6.1), with the failure paths: bad binder, expired ticket, a
// ticket whose suite hash does not fit, a foreign ticket, replayed 0-RTT.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>

#include "core/wire/types.h"
#include "tests/engine/test_env.h"

namespace sluice {
namespace {

using test::drain;

using wire::CipherSuite;

std::string as_text(std::span<const uint8_t> b) { return std::string(b.begin(), b.end()); }
std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }


// Contexts shared by a sequence of connections (so tickets flow), with a
// clock the test moves.
struct World {
  int64_t now_ms = 1'700'000'000'000;
  std::shared_ptr<Context> cctx, sctx;
  std::shared_ptr<InMemorySessionStore> store = std::make_shared<InMemorySessionStore>();

  World() {
    const auto& cert = test::test_cert(crypto::KeyType::kEcdsaP256);
    cctx = test::client_context(test::sodium_first(), cert);
    sctx = test::server_context(test::sodium_first(), cert);
    cctx->set_session_store(store);
    cctx->set_clock_ms([this] { return now_ms; });
    sctx->set_clock_ms([this] { return now_ms; });
  }

  // connect runs a full exchange: handshake, the client reads the server's
  // tickets, one message each way.
  std::pair<Negotiated, Negotiated> connect(std::shared_ptr<Context> server_ctx = nullptr) {
    Connection client = Connection::client(cctx, "localhost");
    Connection server = Connection::server(server_ctx ? server_ctx : sctx);
    INFO("client: ", test::describe(client), " server: ", test::describe(server));
    REQUIRE(test::handshake(client, server));
    REQUIRE(server.write(bytes("hi")).status == Status::kOk);
    test::transfer(server, client);
    std::vector<uint8_t> buf(10);
    Progress r{};
    for (int i = 0; i < 10; ++i) {
      r = client.read(buf);
      if (r.status != Status::kWantRead || !client.has_pending()) break;
    }
    REQUIRE(r.status == Status::kOk);
    CHECK(as_text(std::span(buf).first(r.bytes)) == "hi");
    return {client.negotiated(), server.negotiated()};
  }

  // tickets_for_early_data: the server takes up to `max` bytes of 0-RTT,
  // the client offers it, and a first connection brings the tickets.
  void tickets_for_early_data(uint32_t max) {
    sctx->set_max_early_data(max);
    cctx->set_enable_early_data(true);
    connect();
  }
};

}  // namespace

TEST_CASE("tickets from a full handshake resume the next connections, once each") {
  World w;
  auto [c1, s1] = w.connect();
  CHECK(!c1.resumed);
  CHECK(w.store->size() == 2);  // the default of two tickets
  auto [c2, s2] = w.connect();
  CHECK(c2.resumed);
  CHECK(s2.resumed);
  CHECK(c2.peer_chain == c1.peer_chain);  // the session remembers who the server was
  CHECK(c2.cipher_suite == c1.cipher_suite);
  // Each ticket is used once; resumed handshakes bring new tickets.
  CHECK(w.store->size() == 3);
  w.sctx->set_ticket_count(0);
  for (int i = 0; i < 3; ++i) CHECK(w.connect().first.resumed);
  CHECK(w.store->size() == 0);
  CHECK(!w.connect().first.resumed);
}

TEST_CASE("psk_ke resumes without a key exchange only when both sides allow it") {
  World w;
  w.cctx->set_allow_psk_ke(true);
  w.sctx->set_allow_psk_ke(true);
  w.connect();
  CHECK(w.connect().first.resumed);
}

TEST_CASE("a ticket past its lifetime is not offered, and not accepted") {
  World w;
  w.sctx->set_ticket_lifetime(60);
  w.connect();
  w.now_ms += 61'000;
  CHECK(!w.connect().first.resumed);  // the client dropped it
  // Server side: the client's clock says fresh, the server's says expired.
  World v;
  v.sctx->set_ticket_lifetime(60);
  v.connect();
  v.sctx->set_clock_ms([&] { return v.now_ms + 120'000; });
  CHECK(!v.connect().first.resumed);
}

TEST_CASE("a ticket is refused when the suite's hash does not match") {
  World w;
  w.cctx->set_cipher_suites({CipherSuite::kAes128GcmSha256});
  w.connect();
  // Client offers both; the server now prefers a SHA-384 suite.
  w.cctx->set_cipher_suites({CipherSuite::kAes128GcmSha256, CipherSuite::kAes256GcmSha384});
  w.sctx->set_cipher_suites({CipherSuite::kAes256GcmSha384});
  auto [c, s] = w.connect();
  CHECK(!c.resumed);
  CHECK(c.cipher_suite == static_cast<uint16_t>(CipherSuite::kAes256GcmSha384));
}

TEST_CASE("a ticket from another server's keys means a full handshake") {
  World w;
  w.connect();
  auto other = test::server_context(test::sodium_first(), test::test_cert(crypto::KeyType::kEcdsaP256));
  CHECK(!w.connect(other).first.resumed);
}

TEST_CASE("a bad binder is decrypt_error") {
  World w;
  w.connect();
  // Corrupt the PSK the client will use: its binder no longer verifies.
  auto s = w.store->take("localhost");
  REQUIRE(s);
  s->psk.span()[0] ^= 1;
  w.store->put("localhost", std::move(*s));
  Connection client = Connection::client(w.cctx, "localhost");
  Connection server = Connection::server(w.sctx);
  CHECK(!test::handshake(client, server));
  CHECK(server.error().alert == Alert::kDecryptError);
  CHECK(std::string(server.error().detail) == "PSK binder does not verify");
}

TEST_CASE("0-RTT: accepted once, delivered before the handshake ends; replayed or refused, skipped") {
  World w;
  w.sctx->set_max_early_data(1000);
  w.cctx->set_enable_early_data(true);
  auto [c0, s0] = w.connect();
  CHECK(c0.early_data_reason == EarlyDataReason::kNoSessionOffered);
  CHECK(s0.early_data_reason == EarlyDataReason::kNoSessionOffered);

  Connection client = Connection::client(w.cctx, "localhost");
  REQUIRE(client.write_early(bytes("early bird")).status == Status::kOk);
  Connection server = Connection::server(w.sctx);
  REQUIRE(client.handshake().status == Status::kWantRead);
  const auto first_flight = drain(client);  // ClientHello + 0-RTT
  server.feed(first_flight);
  std::vector<uint8_t> buf(100);
  Progress r = server.read(buf);  // before the client's Finished has arrived
  REQUIRE(r.status == Status::kOk);
  CHECK(as_text(std::span(buf).first(r.bytes)) == "early bird");
  CHECK(!server.handshake_done());
  REQUIRE(test::handshake(client, server));
  CHECK(client.negotiated().early_data_accepted);
  CHECK(server.negotiated().early_data_accepted);
  CHECK(client.negotiated().early_data_reason == EarlyDataReason::kAccepted);
  CHECK(server.negotiated().early_data_reason == EarlyDataReason::kAccepted);
  CHECK(client.negotiated().resumed);

  SUBCASE("the same first flight replayed to another connection gives no early data") {
    Connection replay = Connection::server(w.sctx);
    replay.feed(first_flight);
    Progress p = replay.read(buf);
    CHECK(p.status != Status::kOk);  // nothing delivered: waiting for a Finished that never comes
    CHECK(p.status != Status::kError);
    CHECK(!replay.negotiated().early_data_accepted);
    CHECK(replay.negotiated().early_data_reason == EarlyDataReason::kReplay);
  }
  SUBCASE("a server that takes no 0-RTT skips it; the client sends it again after") {
    w.sctx->set_max_early_data(0);
    Connection c = Connection::client(w.cctx, "localhost");
    REQUIRE(c.write_early(bytes("early bird")).status == Status::kOk);
    Connection s = Connection::server(w.sctx);
    REQUIRE(test::handshake(c, s));
    CHECK(!c.negotiated().early_data_accepted);
    CHECK(c.negotiated().early_data_reason == EarlyDataReason::kPeerDeclined);
    CHECK(s.negotiated().early_data_reason == EarlyDataReason::kDisabled);
    CHECK(c.negotiated().resumed);
    REQUIRE(c.write(bytes("early bird")).status == Status::kOk);
    test::transfer(c, s);
    Progress p{};
    for (int i = 0; i < 5; ++i) {
      p = s.read(buf);
      if (p.status == Status::kOk) break;
    }
    REQUIRE(p.status == Status::kOk);
    CHECK(as_text(std::span(buf).first(p.bytes)) == "early bird");
  }
}

TEST_CASE("a KeyUpdate flood without application data ends the connection") {
  World w;
  Connection client = Connection::client(w.cctx, "localhost");
  Connection server = Connection::server(w.sctx);
  REQUIRE(test::handshake(client, server));
  for (int i = 0; i < 40; ++i) REQUIRE(server.key_update(false).status == Status::kOk);
  test::transfer(server, client);
  client.set_mode(kModeAutoRetry);
  std::vector<uint8_t> buf(10);
  Progress r{};
  for (int i = 0; i < 50; ++i) {
    r = client.read(buf);
    if (r.status == Status::kError) break;
  }
  CHECK(r.status == Status::kError);
  CHECK(client.error().alert == Alert::kUnexpectedMessage);
  CHECK(std::string(client.error().detail) == "too many KeyUpdates without data");
}

TEST_CASE("0-RTT refused: the server skips max_early_data_size of payload, not of records") {
  // RFC 8446 §4.2.10: a server that rejects early data skips up to its
  // max_early_data_size of it. 2^14 bytes of payload arrive as one record
  // of 2^14 + 22 bytes; the budget counts the payload.
  World w;
  w.tickets_for_early_data(16384);
  w.sctx->set_max_early_data(0);  // this connection's server refuses 0-RTT
  Connection c = Connection::client(w.cctx, "localhost");
  const auto early = test::pattern(16384, 3);
  REQUIRE(c.write_early(early).status == Status::kOk);
  Connection s = Connection::server(w.sctx);
  INFO("client: ", test::describe(c), " server: ", test::describe(s));
  REQUIRE(test::handshake(c, s));
  CHECK(!c.negotiated().early_data_accepted);
  CHECK(c.negotiated().resumed);
}

TEST_CASE("a resumption is not refused for signature schemes the certificate cannot make") {
  // The certificate plays no part in a PSK handshake (RFC 8446 §2.2): the
  // server checks the ticket before choosing a certificate and scheme.
  World w;
  w.connect();
  w.cctx->set_signature_schemes({crypto::SignatureScheme::kEd25519});  // the server's key is ECDSA P-256
  auto [client, server] = w.connect();
  CHECK(client.resumed);
  CHECK(server.resumed);
}

TEST_CASE("0-RTT accepted: a server that only calls handshake() completes; read() then returns the early data") {
  World w;
  w.tickets_for_early_data(1000);
  Connection client = Connection::client(w.cctx, "localhost");
  REQUIRE(client.write_early(bytes("early bird")).status == Status::kOk);
  Connection server = Connection::server(w.sctx);
  // Handshake calls only: the early data is set aside, never lost, and the
  // handshake does not wait for it to be read.
  REQUIRE(test::handshake(client, server));
  CHECK(server.negotiated().early_data_accepted);
  REQUIRE(client.write(bytes(" and after")).status == Status::kOk);
  test::transfer(client, server);
  CHECK(as_text(test::read_available(server)) == "early bird and after");
}


TEST_CASE("0-RTT accepted: the server answers before the client's Finished (0.5-RTT data) and may export") {
  World w;
  w.tickets_for_early_data(1000);
  Connection client = Connection::client(w.cctx, "localhost");
  REQUIRE(client.write_early(bytes("early bird")).status == Status::kOk);
  Connection server = Connection::server(w.sctx);
  REQUIRE(client.handshake().status == Status::kWantRead);
  server.feed(drain(client));
  std::vector<uint8_t> buf(100);
  Progress r = server.read(buf);
  REQUIRE(r.status == Status::kOk);
  CHECK(as_text(std::span(buf).first(r.bytes)) == "early bird");

  // The server's flight is out; the client has not answered yet.
  Progress wr = server.write(bytes("half"));
  REQUIRE(wr.status == Status::kOk);
  CHECK(wr.bytes == 4);
  CHECK(!server.handshake_done());
  CHECK(server.handshake().status == Status::kWantRead);
  std::array<uint8_t, 32> server_ekm{}, client_ekm{};
  REQUIRE(server.export_keying_material("EXPERIMENTAL half", std::nullopt, server_ekm).status == Status::kOk);
  CHECK(client.export_keying_material("EXPERIMENTAL half", std::nullopt, client_ekm).status == Status::kError);

  // The client reads it once its own handshake is done, and derived the
  // same exporter secret.
  server.feed(drain(client));  // nothing yet: the client waits for the server's flight
  test::transfer(server, client);
  REQUIRE(client.handshake().status == Status::kOk);
  CHECK(as_text(test::read_available(client)) == "half");
  REQUIRE(client.export_keying_material("EXPERIMENTAL half", std::nullopt, client_ekm).status == Status::kOk);
  CHECK(client_ekm == server_ekm);
  REQUIRE(test::handshake(client, server));
  CHECK(server.handshake_done());
  REQUIRE(server.write(bytes("after")).status == Status::kOk);
  test::transfer(server, client);
  CHECK(as_text(test::read_available(client)) == "after");
}

TEST_CASE("0-RTT answered by a HelloRetryRequest is skipped, and the handshake completes (RFC 8446 §4.2.10)") {
  World w;
  w.tickets_for_early_data(16384);
  w.sctx->set_groups({crypto::Group::kSecp384r1});  // not the client's key share: a retry
  Connection client = Connection::client(w.cctx, "localhost");
  // A full record: skipped in the clear, it is still a ciphertext (2^14 + 17).
  const auto early = test::pattern(16384, 7);
  REQUIRE(client.write_early(early).bytes == early.size());
  Connection server = Connection::server(w.sctx);
  REQUIRE(test::handshake(client, server));
  CHECK(client.negotiated().group == crypto::Group::kSecp384r1);
  CHECK(!client.negotiated().early_data_accepted);
  CHECK(!server.negotiated().early_data_accepted);
  CHECK(client.negotiated().early_data_reason == EarlyDataReason::kHelloRetryRequest);
  CHECK(server.negotiated().early_data_reason == EarlyDataReason::kHelloRetryRequest);
  REQUIRE(client.write(bytes("again")).status == Status::kOk);
  test::transfer(client, server);
  CHECK(as_text(test::read_available(server)) == "again");
}

TEST_CASE("accepted 0-RTT above max_early_data_size is unexpected_message (RFC 8446 §4.2.10)") {
  World w;
  w.tickets_for_early_data(1000);  // two tickets, each allowing 1000 bytes
  for (size_t limit : {11u, 10u}) {
    CAPTURE(limit);
    w.sctx->set_max_early_data(limit);  // the server now allows fewer
    Connection client = Connection::client(w.cctx, "localhost");
    REQUIRE(client.write_early(bytes("early bird!")).status == Status::kOk);  // 11 bytes
    Connection server = Connection::server(w.sctx);
    REQUIRE(client.handshake().status == Status::kWantRead);
    server.feed(drain(client));
    std::vector<uint8_t> buf(100);
    Progress r = server.read(buf);
    if (limit == 11) {
      REQUIRE(r.status == Status::kOk);
      CHECK(r.bytes == 11);
      continue;
    }
    CHECK(r.status == Status::kError);
    CHECK(server.error().reason == Reason::kEarlyDataOverLimit);
    CHECK(server.error().alert == Alert::kUnexpectedMessage);
  }
}

TEST_CASE("0-RTT above the ticket's max_early_data: the rest follows the handshake, nothing is lost") {
  World w;
  w.tickets_for_early_data(4);
  Connection client = Connection::client(w.cctx, "localhost");
  REQUIRE(client.write_early(bytes("early bird")).bytes == 10);
  Connection server = Connection::server(w.sctx);
  REQUIRE(test::handshake(client, server));
  CHECK(client.negotiated().early_data_accepted);
  test::transfer(client, server);
  CHECK(as_text(test::read_available(server)) == "early bird");
}

// Counts the verifier's calls and refuses on demand.
struct CountingVerifier final : CertificateVerifier {
  std::shared_ptr<const CertificateVerifier> real;
  mutable int calls = 0, resumptions = 0;
  bool refuse = false;
  TlsResult<CertVerified> verify(const CertificateRequest& req) const override {
    ++calls;
    if (req.resumption) ++resumptions;
    if (refuse) return Err(Error(Reason::kCertificateExpired, "expired since"));
    return real->verify(req);
  }
};

TEST_CASE("reverify_on_resume: a resumed server chain is verified again, once, before 0-RTT if any") {
  World w;
  auto v = std::make_shared<CountingVerifier>();
  v->real = w.cctx->credentials().verifier;
  w.cctx->set_verifier(v);
  w.sctx->set_max_early_data(100);
  w.connect();
  CHECK(v->calls == 1);

  SUBCASE("off (the default): a resumption does not call the verifier") {
    CHECK(w.connect().first.resumed);
    CHECK(v->calls == 1);
  }
  SUBCASE("on: once per resumption, and a refusal ends the handshake with the verifier's alert") {
    w.cctx->set_reverify_on_resume(true);
    CHECK(w.connect().first.resumed);
    CHECK(v->calls == 2);
    CHECK(v->resumptions == 1);
    v->refuse = true;
    Connection client = Connection::client(w.cctx, "localhost");
    Connection server = Connection::server(w.sctx);
    CHECK(!test::handshake(client, server));
    CHECK(client.error().reason == Reason::kCertificateExpired);
    CHECK(client.error().alert == Alert::kCertificateExpired);
  }
  SUBCASE("on, with 0-RTT: verified before the early data goes, and not again") {
    w.cctx->set_reverify_on_resume(true);
    w.cctx->set_enable_early_data(true);
    Connection client = Connection::client(w.cctx, "localhost");
    REQUIRE(client.write_early(bytes("early")).status == Status::kOk);
    v->refuse = true;
    CHECK(client.handshake().status == Status::kError);
    CHECK(client.error().reason == Reason::kCertificateExpired);
    const auto out = drain(client);  // no ClientHello, no early data: at most the alert
    CHECK(out.size() <= 7);
    if (!out.empty()) CHECK(out[0] == 21);
  }
}

TEST_CASE("without 0-RTT a server's write() waits for the client's Finished") {
  World w;
  w.connect();  // a ticket, but no 0-RTT: the server takes none
  Connection client = Connection::client(w.cctx, "localhost");
  Connection server = Connection::server(w.sctx);
  REQUIRE(client.handshake().status == Status::kWantRead);
  server.feed(drain(client));
  CHECK(server.write(bytes("too soon")).status == Status::kWantRead);
  std::array<uint8_t, 16> ekm{};
  CHECK(server.export_keying_material("EXPERIMENTAL x", std::nullopt, ekm).status == Status::kError);
  CHECK(server.error().origin == Origin::kApi);
  test::transfer(server, client);
  REQUIRE(client.handshake().status == Status::kOk);
  REQUIRE(test::handshake(client, server));
  REQUIRE(server.write(bytes("now")).status == Status::kOk);
  test::transfer(server, client);
  CHECK(as_text(test::read_available(client)) == "now");
}

TEST_CASE("pre_shared_key without psk_key_exchange_modes is missing_extension (RFC 8446 §4.2.9)") {
  World w;
  w.connect();
  Connection client = Connection::client(w.cctx, "localhost");
  Connection server = Connection::server(w.sctx);
  REQUIRE(client.handshake().status == Status::kWantRead);
  auto hello = drain(client);
  // psk_key_exchange_modes (0x002d) with [psk_dhe_ke] becomes an unknown
  // extension of the same size: the offer keeps its PSK and loses its modes.
  const uint8_t modes[] = {0x00, 0x2d, 0x00, 0x02, 0x01, 0x01};
  auto it = std::search(hello.begin(), hello.end(), std::begin(modes), std::end(modes));
  REQUIRE(it != hello.end());
  it[0] = 0xfa;
  it[1] = 0xfa;
  test::feed_all(server, hello);
  CHECK(server.handshake().status == Status::kError);
  CHECK(server.error().alert == Alert::kMissingExtension);
  CHECK(server.error().reason == Reason::kMissingExtension);
}

TEST_CASE("a client that offered 0-RTT fails on a TLS 1.2 ServerHello (RFC 8446 §D.3), and retries without it") {
  World w;
  w.tickets_for_early_data(16384);
  w.sctx->set_max_version(wire::kTls12);  // the deployment went back to TLS 1.2
  {
    Connection c = Connection::client(w.cctx, "localhost"), s = Connection::server(w.sctx);
    REQUIRE(c.write_early(bytes("early")).status == Status::kOk);
    REQUIRE(c.handshake().status == Status::kWantRead);
    // The ClientHello alone reaches the server (its 0-RTT record would end
    // a TLS 1.2 server's handshake first); its ServerHello comes back.
    const auto out = test::drain(c);
    const size_t hello_len = 5 + (size_t{out[3]} << 8 | out[4]);
    REQUIRE(out.size() > hello_len);  // the 0-RTT record follows
    test::feed_all(s, std::vector<uint8_t>(out.begin(), out.begin() + static_cast<ptrdiff_t>(hello_len)));
    REQUIRE(s.handshake().status == Status::kWantRead);
    test::feed_all(c, test::drain(s));
    CHECK(c.handshake().status == Status::kError);
    CHECK(c.error().alert == Alert::kProtocolVersion);
    CHECK(c.error().reason == Reason::kNoSharedVersion);
  }
  // The retry, 0-RTT off: TLS 1.2 goes on.
  w.cctx->set_enable_early_data(false);
  Connection c = Connection::client(w.cctx, "localhost"), s = Connection::server(w.sctx);
  REQUIRE(test::handshake(c, s));
  CHECK(c.negotiated().version == wire::kTls12);
}

}  // namespace sluice
