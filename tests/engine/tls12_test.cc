// TLS 1.2 in memory (RFC 5246 with RFC 8422, 7627, 5746, 7905, 5289): every
// suite with every group and a certificate of each kind it takes, data both
// ways, one byte at a time too; and the failure paths with their alerts.
#include <doctest/doctest.h>

#include <algorithm>

#include "core/post_handshake12.h"
#include "core/wire/hello.h"
#include "core/wire/types.h"
#include "pki/keys.h"
#include "pki/pinned_verifier.h"
#include "tests/engine/mitm.h"
#include "tests/engine/test_env.h"

namespace sluice {
namespace {

using crypto::Group;
using crypto::KeyType;
using wire::CipherSuite;

struct Pair {
  std::shared_ptr<Context> cctx, sctx;
  Connection client, server;
};

Pair make(KeyType cert, std::vector<CipherSuite> suites = {}, std::vector<Group> groups = {},
          std::shared_ptr<const crypto::Provider> provider = test::sodium_first()) {
  const auto& c = test::test_cert(cert);
  auto cctx = test::client_context(provider, c);
  auto sctx = test::server_context(provider, c);
  cctx->set_max_version(wire::kTls12);
  if (!suites.empty()) cctx->set_cipher_suites(suites);
  if (!groups.empty()) {
    // The server exchanges keys on `groups` alone; the client offers the
    // certificate's curve too, as it must to be sent an ECDSA certificate
    // in TLS 1.2 (RFC 8422 §5.3).
    sctx->set_groups(groups);
    const Group curve = cert == KeyType::kEcdsaP256   ? Group::kSecp256r1
                        : cert == KeyType::kEcdsaP384 ? Group::kSecp384r1
                                                      : Group::kSecp521r1;
    if (crypto::is_ecdsa_key(cert) && std::find(groups.begin(), groups.end(), curve) == groups.end()) {
      groups.push_back(curve);
    }
    cctx->set_groups(groups);
  }
  return Pair{cctx, sctx, Connection::client(cctx, "localhost"), Connection::server(sctx)};
}

std::vector<uint8_t> read_all(Connection& c) { return test::read_available(c); }

// finish_renegotiation runs a renegotiation to its end: each side reads
// what the other sent until both say the handshake is done.
void finish_renegotiation(Connection& client, Connection& server) {
  std::vector<uint8_t> buf(64);
  for (int i = 0; i < 20 && !(client.handshake_done() && server.handshake_done()); ++i) {
    test::transfer(client, server);
    (void)server.read(buf);
    test::transfer(server, client);
    (void)client.read(buf);
  }
}

void exchange(Connection& a, Connection& b, size_t n, uint32_t seed) {
  const auto data = test::pattern(n, seed);
  size_t sent = 0;
  std::vector<uint8_t> got;
  for (int i = 0; i < 1000 && got.size() < data.size(); ++i) {
    if (sent < data.size()) {
      Progress w = a.write(std::span(data).subspan(sent, std::min<size_t>(data.size() - sent, 20000)));
      if (w.status == Status::kOk) sent += w.bytes;
    }
    test::transfer(a, b);
    auto more = read_all(b);
    got.insert(got.end(), more.begin(), more.end());
  }
  CHECK(got == data);
}

struct SuiteCase {
  CipherSuite suite;
  std::vector<KeyType> certs;
};

}  // namespace

TEST_CASE("TLS 1.2: every suite, group and certificate type completes and carries data") {
  const std::vector<SuiteCase> cases = {
      {CipherSuite::kEcdheEcdsaAes128GcmSha256, {KeyType::kEcdsaP256, KeyType::kEcdsaP384, KeyType::kEd25519}},
      {CipherSuite::kEcdheEcdsaAes256GcmSha384, {KeyType::kEcdsaP256, KeyType::kEcdsaP521}},
      {CipherSuite::kEcdheEcdsaChaCha20Poly1305Sha256, {KeyType::kEcdsaP256}},
      {CipherSuite::kEcdheRsaAes128GcmSha256, {KeyType::kRsa, KeyType::kRsaPss}},
      {CipherSuite::kEcdheRsaAes256GcmSha384, {KeyType::kRsa}},
      {CipherSuite::kEcdheRsaChaCha20Poly1305Sha256, {KeyType::kRsa}},
  };
  for (const auto& c : cases) {
    for (KeyType cert : c.certs) {
      for (Group g : {Group::kX25519, Group::kSecp256r1, Group::kSecp384r1}) {
        CAPTURE(static_cast<int>(c.suite));
        CAPTURE(name(cert));
        CAPTURE(name(g));
        Pair p = make(cert, {c.suite}, {g});
        INFO("client: ", test::describe(p.client), " server: ", test::describe(p.server));
        REQUIRE(test::handshake(p.client, p.server));
        for (const Connection* side : {&p.client, &p.server}) {
          CHECK(side->negotiated().version == wire::kTls12);
          CHECK(side->negotiated().cipher_suite == static_cast<uint16_t>(c.suite));
          CHECK(side->negotiated().group == g);
        }
        CHECK(p.client.negotiated().peer_chain.front() == test::test_cert(cert).der);
        exchange(p.client, p.server, 40000, 1);
        exchange(p.server, p.client, 3000, 2);
      }
    }
  }
}

TEST_CASE("TLS 1.2: the providers interoperate, libsodium first against BearSSL first") {
  const auto& c = test::test_cert(KeyType::kEcdsaP256);
  auto cctx = test::client_context(test::sodium_first(), c);
  auto sctx = test::server_context(test::bearssl_first(), c);
  cctx->set_max_version(wire::kTls12);
  for (auto suite : {CipherSuite::kEcdheEcdsaAes128GcmSha256, CipherSuite::kEcdheEcdsaAes256GcmSha384,
                     CipherSuite::kEcdheEcdsaChaCha20Poly1305Sha256}) {
    cctx->set_cipher_suites({suite});
    Connection client = Connection::client(cctx, "localhost"), server = Connection::server(sctx);
    REQUIRE(test::handshake(client, server));
    exchange(client, server, 20000, 3);
    exchange(server, client, 20000, 4);
  }
}

TEST_CASE("TLS 1.2 one byte at a time, in every mode") {
  for (long mode : {0L, kModeEnablePartialWrite | kModeAutoRetry, kModeReleaseBuffers | kModeAcceptMovingWriteBuffer}) {
    CAPTURE(mode);
    Pair p = make(KeyType::kEcdsaP256);
    Connection client = Connection::client(p.cctx, "localhost"), server = Connection::server(p.sctx);
    client.set_mode(mode);
    server.set_mode(mode);
    REQUIRE(test::handshake(client, server, 1));
    CHECK(client.negotiated().version == wire::kTls12);
    exchange(client, server, 2000, 5);
  }
}

TEST_CASE("TLS 1.2: a server whose maximum is TLS 1.3 says so in its random; a TLS 1.3 client refuses it") {
  // A TLS 1.2 client gets the DOWNGRD sentinel from a TLS 1.3-capable server
  // and does not mind (RFC 8446 §4.1.3)...
  Pair p = make(KeyType::kEcdsaP256);
  REQUIRE(p.client.handshake().status == Status::kWantRead);
  test::transfer(p.client, p.server);
  REQUIRE(p.server.handshake().status == Status::kWantRead);
  auto flight = drain(p.server);
  const std::vector<uint8_t> sentinel(wire::kDowngradeTls12.begin(), wire::kDowngradeTls12.end());
  // record header 5, handshake header 4, version 2, random 32: its last 8.
  CHECK(std::equal(sentinel.begin(), sentinel.end(), flight.begin() + 5 + 4 + 2 + 24));
  feed_all(p.client, flight);
  CHECK(test::handshake(p.client, p.server));
  // ...while a client that offered TLS 1.3, seeing it, aborts.
  auto cctx13 = test::client_context(test::sodium_first(), test::test_cert(KeyType::kEcdsaP256));
  Connection client13 = Connection::client(cctx13, "localhost");
  REQUIRE(client13.handshake().status == Status::kWantRead);
  (void)drain(client13);
  feed_all(client13, flight);  // a 1.2 ServerHello with the sentinel, as a downgrading attacker would relay
  CHECK(client13.handshake().status == Status::kError);
  check_error(client13.error(), Alert::kIllegalParameter, Reason::kDowngradeDetected);
  // A server whose maximum is TLS 1.2 writes no sentinel.
  Pair q = make(KeyType::kEcdsaP256);
  q.sctx->set_max_version(wire::kTls12);
  Connection s12 = Connection::server(q.sctx);
  REQUIRE(q.client.handshake().status == Status::kWantRead);
  test::transfer(q.client, s12);
  REQUIRE(s12.handshake().status == Status::kWantRead);
  auto f12 = drain(s12);
  CHECK(!std::equal(sentinel.begin(), sentinel.end(), f12.begin() + 5 + 4 + 2 + 24));
}

TEST_CASE("TLS 1.2 client: a server echoing the session id of a hello that offered no session is refused") {
  // The client offers TLS 1.3 too, so its session id is random
  // (compatibility mode); it offers no TLS 1.2 session under it.
  Pair q = make(KeyType::kEcdsaP256);
  q.cctx->set_max_version(wire::kTls13);
  q.cctx->set_middlebox_compat(true);
  q.sctx->set_max_version(wire::kTls12);
  Connection client = Connection::client(q.cctx, "localhost");
  Connection server = Connection::server(q.sctx);
  REQUIRE(client.handshake().status == Status::kWantRead);
  const auto hello = drain(client);
  const auto ch = wire::ClientHello::parse(Bytes(hello).subspan(9));
  REQUIRE(ch.ok());
  REQUIRE(!ch->legacy_session_id.empty());
  feed_all(server, hello);
  REQUIRE(server.handshake().status == Status::kWantRead);
  const auto flight = drain(server);
  // The ServerHello opens the first record; forge its session id echo.
  const size_t record_len = size_t{flight[3]} << 8 | flight[4];
  const size_t sh_len = size_t{flight[6]} << 16 | size_t{flight[7]} << 8 | flight[8];
  auto sh = wire::ServerHello::parse(Bytes(flight).subspan(9, sh_len));
  REQUIRE(sh.ok());
  sh->legacy_session_id_echo = ch->legacy_session_id;
  std::vector<uint8_t> body;
  REQUIRE(sh->serialize(body));
  body.insert(body.end(), flight.begin() + 9 + static_cast<ptrdiff_t>(sh_len),
              flight.begin() + 5 + static_cast<ptrdiff_t>(record_len));
  std::vector<uint8_t> forged = {flight[0], flight[1], flight[2], static_cast<uint8_t>(body.size() >> 8),
                                 static_cast<uint8_t>(body.size())};
  forged.insert(forged.end(), body.begin(), body.end());
  forged.insert(forged.end(), flight.begin() + 5 + static_cast<ptrdiff_t>(record_len), flight.end());
  feed_all(client, forged);
  CHECK(client.handshake().status == Status::kError);
  check_error(client.error(), Alert::kIllegalParameter, Reason::kIllegalParameter);
  CHECK(std::string_view(client.error().detail).find("session that was not offered") != std::string_view::npos);
}

TEST_CASE("TLS 1.2 client: a TLS 1.2 ServerHello after 0-RTT was sent is refused (the application retries)") {
  const auto& cert = test::test_cert(KeyType::kEcdsaP256);
  auto cctx = test::client_context(test::sodium_first(), cert);
  auto sctx = test::server_context(test::sodium_first(), cert);
  cctx->set_enable_early_data(true);
  sctx->set_max_early_data(1024);
  {
    Connection client = Connection::client(cctx, "localhost");
    Connection server = Connection::server(sctx);
    REQUIRE(test::handshake(client, server));
    const auto data = test::pattern(10, 1);
    REQUIRE(server.write(data).status == Status::kOk);
    test::transfer(server, client);
    REQUIRE(read_all(client) == data);  // and the tickets with it
  }
  sctx->set_max_version(wire::kTls12);
  Connection client = Connection::client(cctx, "localhost");
  Connection server = Connection::server(sctx);
  REQUIRE(client.write_early(test::pattern(100, 2)).status == Status::kOk);
  // The TLS 1.2 server answers the hello (the 0-RTT records after it it
  // could not read).
  REQUIRE(client.handshake().status == Status::kWantRead);
  const auto out = drain(client);
  const size_t hello_record = 5 + (size_t{out[3]} << 8 | out[4]);
  REQUIRE(out.size() > hello_record);  // 0-RTT follows the hello
  feed_all(server, std::span(out).first(hello_record));
  REQUIRE(server.handshake().status == Status::kWantRead);
  test::transfer(server, client);
  CHECK(client.handshake().status == Status::kError);
  INFO(test::describe(client), " | ", test::describe(server));
  check_error(client.error(), Alert::kProtocolVersion, Reason::kNoSharedVersion);
  CHECK(std::string_view(client.error().detail).find("0-RTT") != std::string_view::npos);
}

TEST_CASE("TLS 1.2: a default client and server still choose TLS 1.3; a TLS 1.3-only server refuses TLS 1.2") {
  auto cctx = test::client_context(test::sodium_first(), test::test_cert(KeyType::kEcdsaP256));
  auto sctx = test::server_context(test::sodium_first(), test::test_cert(KeyType::kEcdsaP256));
  {
    Connection c = Connection::client(cctx, "localhost"), s = Connection::server(sctx);
    REQUIRE(test::handshake(c, s));
    CHECK(c.negotiated().version == wire::kTls13);
  }
  sctx->set_min_version(wire::kTls13);
  cctx->set_max_version(wire::kTls12);
  Connection c = Connection::client(cctx, "localhost"), s = Connection::server(sctx);
  CHECK(!test::handshake(c, s));
  check_error(s.error(), Alert::kProtocolVersion, Reason::kNoSharedVersion);
}

TEST_CASE("TLS 1.2: the extended master secret is required both ways") {
  SUBCASE("server: a ClientHello without it") {
    Pair p = make(KeyType::kEcdsaP256);
    REQUIRE(p.client.handshake().status == Status::kWantRead);
    auto hello = drain(p.client);
    // Rename the empty extended_master_secret extension (0x0017) to an
    // unknown type: same length, no EMS.
    const uint8_t ems[] = {0x00, 0x17, 0x00, 0x00};
    auto at = std::search(hello.begin(), hello.end(), std::begin(ems), std::end(ems));
    REQUIRE(at != hello.end());
    at[0] = 0xfe;
    feed_all(p.server, hello);
    CHECK(p.server.handshake().status == Status::kError);
    check_error(p.server.error(), Alert::kHandshakeFailure, Reason::kExtendedMasterSecretRequired);
  }
  SUBCASE("client: a ServerHello without it") {
    Pair p = make(KeyType::kEcdsaP256);
    REQUIRE(p.client.handshake().status == Status::kWantRead);
    test::transfer(p.client, p.server);
    REQUIRE(p.server.handshake().status == Status::kWantRead);
    auto flight = drain(p.server);
    const uint8_t ems[] = {0x00, 0x17, 0x00, 0x00};
    auto at = std::search(flight.begin(), flight.end(), std::begin(ems), std::end(ems));
    REQUIRE(at != flight.end());
    at[0] = 0xfe;  // the client now sees an unsolicited extension: refused either way
    feed_all(p.client, flight);
    CHECK(p.client.handshake().status == Status::kError);
    CHECK(p.client.error().alert == Alert::kUnsupportedExtension);
  }
}

// sent_client_hello is the client's first flight, one record holding its
// ClientHello, parsed.
wire::ClientHello sent_client_hello(Connection& client) {
  const auto records = split_records(client_hello_bytes(client));
  REQUIRE(records.size() == 1);
  const auto msgs = split_messages(Bytes(records[0]).subspan(5));
  REQUIRE(msgs.size() == 1);
  auto ch = wire::ClientHello::parse(msgs[0].body);
  REQUIRE(ch);
  return std::move(*ch);
}

// feed_client_hello hands `ch`, framed in a plaintext record, to `server`.
void feed_client_hello(Connection& server, const wire::ClientHello& ch) {
  std::vector<uint8_t> hello;
  REQUIRE(ch.serialize(hello));
  feed_all(server, sluice::record(wire::ContentType::kHandshake, hello));
}

// A peer from before RFC 7627 (the danger shape leaves the extension out of
// its hellos) with the extended master secret allowed to be absent.
void legacy_ems(Context& peer) {
  DangerTestHelloShape legacy;
  legacy.omit_extended_master_secret = true;
  peer.set_danger_test_hello_shape(legacy);
  peer.set_require_extended_master_secret(false);
}

// rewrite_server_hello re-frames the first record of a server flight (its
// plaintext ServerHello and what follows it there) after `edit`; the rest
// of the flight is dropped.
template <typename Edit>
std::vector<uint8_t> rewrite_server_hello(const std::vector<uint8_t>& flight, Edit edit) {
  const auto records = split_records(flight);
  REQUIRE(!records.empty());
  auto msgs = split_messages(Bytes(records[0]).subspan(5));
  REQUIRE(!msgs.empty());
  auto sh = wire::ServerHello::parse(msgs[0].body);
  REQUIRE(sh);
  edit(*sh);
  std::vector<uint8_t> whole;  // with its handshake header
  REQUIRE(sh->serialize(whole));
  msgs[0].body.assign(whole.begin() + 4, whole.end());
  return sluice::record(wire::ContentType::kHandshake, join_messages(msgs));
}

TEST_CASE("TLS 1.2 without the extended master secret: refused by default, RFC 5246's master secret when allowed") {
  for (const bool client_is_legacy : {true, false}) {
    CAPTURE(client_is_legacy);
    for (const bool allowed : {false, true}) {
      CAPTURE(allowed);
      Pair p = make(KeyType::kEcdsaP256);
      legacy_ems(client_is_legacy ? *p.cctx : *p.sctx);
      // The side that checks is the one facing the legacy peer.
      Context& checker = client_is_legacy ? *p.sctx : *p.cctx;
      checker.set_require_extended_master_secret(!allowed);
      Connection c = Connection::client(p.cctx, "localhost"), s = Connection::server(p.sctx);
      if (!allowed) {
        CHECK(!test::handshake(c, s));
        check_error((client_is_legacy ? s : c).error(), Alert::kHandshakeFailure,
                    Reason::kExtendedMasterSecretRequired);
        continue;
      }
      REQUIRE(test::handshake(c, s));
      CHECK(!c.negotiated().extended_master_secret);
      CHECK(!s.negotiated().extended_master_secret);
      exchange(c, s, 3000, 41);
      exchange(s, c, 3000, 42);
    }
  }
  // With it, both say so; TLS 1.3 always binds its keys to the transcript.
  for (const uint16_t version : {wire::kTls12, wire::kTls13}) {
    Pair p = make(KeyType::kEcdsaP256);
    p.cctx->set_max_version(version);
    Connection c = Connection::client(p.cctx, "localhost"), s = Connection::server(p.sctx);
    REQUIRE(test::handshake(c, s));
    CHECK(c.negotiated().version == version);
    CHECK(c.negotiated().extended_master_secret);
    CHECK(s.negotiated().extended_master_secret);
  }
}

TEST_CASE("TLS 1.2 resumption keeps the session's extended master secret state (RFC 7627 §5.3)") {
  for (const bool tickets : {true, false}) {
    CAPTURE(tickets);
    SUBCASE("server: a session made without it resumes without it; offered with it, a full handshake") {
      Pair p = make(KeyType::kEcdsaP256);
      if (!tickets) p.sctx->set_ticket_count(0);
      p.sctx->set_require_extended_master_secret(false);
      p.cctx->set_require_extended_master_secret(false);
      legacy_ems(*p.cctx);
      REQUIRE(test::handshake(p.client, p.server));
      {
        Connection c = Connection::client(p.cctx, "localhost"), s = Connection::server(p.sctx);
        REQUIRE(test::handshake(c, s));
        CHECK(s.negotiated().resumed);
        CHECK(!s.negotiated().extended_master_secret);
        CHECK(!c.negotiated().extended_master_secret);
        exchange(c, s, 1000, 43);
      }
      p.cctx->set_danger_test_hello_shape({});
      Connection c = Connection::client(p.cctx, "localhost"), s = Connection::server(p.sctx);
      REQUIRE(test::handshake(c, s));
      CHECK(!s.negotiated().resumed);
      CHECK(!c.negotiated().resumed);
      CHECK(s.negotiated().extended_master_secret);
      exchange(c, s, 1000, 44);
    }
    SUBCASE("server: a session made with it, offered without it, fails the handshake") {
      Pair p = make(KeyType::kEcdsaP256);
      if (!tickets) p.sctx->set_ticket_count(0);
      p.sctx->set_require_extended_master_secret(false);
      REQUIRE(test::handshake(p.client, p.server));
      legacy_ems(*p.cctx);
      Connection c = Connection::client(p.cctx, "localhost"), s = Connection::server(p.sctx);
      CHECK(!test::handshake(c, s));
      check_error(s.error(), Alert::kHandshakeFailure, Reason::kExtendedMasterSecretMismatch);
    }
    SUBCASE("client: a server resuming with another state than the session's is refused") {
      for (const bool session_ems : {true, false}) {
        CAPTURE(session_ems);
        Pair p = make(KeyType::kEcdsaP256);
        if (!tickets) p.sctx->set_ticket_count(0);
        p.cctx->set_require_extended_master_secret(false);
        p.sctx->set_require_extended_master_secret(false);
        if (!session_ems) legacy_ems(*p.sctx);
        REQUIRE(test::handshake(p.client, p.server));
        REQUIRE(p.client.negotiated().extended_master_secret == session_ems);
        Connection c = Connection::client(p.cctx, "localhost"), s = Connection::server(p.sctx);
        REQUIRE(c.handshake().status == Status::kWantRead);
        test::transfer(c, s);
        REQUIRE(s.handshake().status == Status::kWantRead);
        REQUIRE(s.negotiated().resumed);
        // The server resumes as it should; the ServerHello is changed to
        // say the opposite.
        feed_all(c, rewrite_server_hello(drain(s), [&](wire::ServerHello& sh) {
          REQUIRE(sh.extended_master_secret == session_ems);
          sh.extended_master_secret = !session_ems;
        }));
        CHECK(c.handshake().status == Status::kError);
        check_error(c.error(), Alert::kHandshakeFailure, Reason::kExtendedMasterSecretMismatch);
      }
    }
  }
  SUBCASE("client: a context that requires it does not offer a session made without it") {
    for (const bool required : {false, true}) {
      CAPTURE(required);
      Pair p = make(KeyType::kEcdsaP256);
      p.cctx->set_require_extended_master_secret(false);
      p.sctx->set_require_extended_master_secret(false);
      legacy_ems(*p.sctx);
      REQUIRE(test::handshake(p.client, p.server));
      REQUIRE(!p.client.negotiated().extended_master_secret);
      p.cctx->set_require_extended_master_secret(required);
      Connection c = Connection::client(p.cctx, "localhost");
      auto ch = sent_client_hello(c);
      CHECK(ch.session_ticket_data.empty() == required);
    }
  }
}

TEST_CASE("TLS 1.2 renegotiation may not change the extended master secret state (RFC 7627 §5.3)") {
  for (const bool client_drops_it : {true, false}) {
    CAPTURE(client_drops_it);
    Pair p = make(KeyType::kEcdsaP256);
    p.cctx->set_renegotiation(Renegotiation::kFreely);
    p.cctx->set_require_extended_master_secret(false);
    p.sctx->set_require_extended_master_secret(false);
    Connection client = Connection::client(p.cctx, "localhost"), server = Connection::server(p.sctx);
    REQUIRE(test::handshake(client, server));
    REQUIRE(client.negotiated().extended_master_secret);
    // The renegotiation's hello (the client's) or answer (the server's)
    // leaves it out.
    legacy_ems(client_drops_it ? *p.cctx : *p.sctx);
    REQUIRE(server.renegotiate().status == Status::kOk);
    std::vector<uint8_t> buf(10);
    for (int i = 0; i < 10 && client.error().ok() && server.error().ok(); ++i) {
      test::transfer(server, client);
      (void)client.read(buf);
      test::transfer(client, server);
      (void)server.read(buf);
    }
    INFO("client: ", test::describe(client), " server: ", test::describe(server));
    CHECK(client.renegotiations() == 0);
    const Connection& refuser = client_drops_it ? server : client;
    CHECK(refuser.error().reason == Reason::kExtendedMasterSecretMismatch);
    CHECK(refuser.error().alert == Alert::kHandshakeFailure);
  }
}

TEST_CASE("TLS 1.2 client: a server ECDSA key on a curve it did not offer is illegal_parameter (RFC 8422 §5.3)") {
  for (const bool server_told_p256 : {false, true}) {
    CAPTURE(server_told_p256);
    Pair p = make(KeyType::kEcdsaP256);
    p.cctx->set_groups({Group::kSecp384r1});
    auto ch = sent_client_hello(p.client);
    // Told that the client offers P-256 too, the server sends its P-256
    // certificate; the client checks it against what it did offer.
    if (server_told_p256) ch.supported_groups.push_back(static_cast<uint16_t>(Group::kSecp256r1));
    feed_client_hello(p.server, ch);
    if (!server_told_p256) {
      // The server has no certificate on P-384 to send.
      CHECK(p.server.handshake().status == Status::kError);
      check_error(p.server.error(), Alert::kHandshakeFailure, Reason::kNoSharedCipherSuite);
      continue;
    }
    REQUIRE(p.server.handshake().status == Status::kWantRead);
    feed_all(p.client, drain(p.server));
    CHECK(p.client.handshake().status == Status::kError);
    check_error(p.client.error(), Alert::kIllegalParameter, Reason::kIllegalParameter);
    CHECK(std::string(p.client.error().detail).find("curve") != std::string::npos);
  }
}

TEST_CASE("TLS 1.2 client: middlebox compatibility's fake session ID only when TLS 1.3 is offered (RFC 8446 §D.4)") {
  for (const uint16_t max : {wire::kTls12, wire::kTls13}) {
    CAPTURE(max);
    Pair p = make(KeyType::kEcdsaP256);
    p.cctx->set_max_version(max);
    p.cctx->set_middlebox_compat(true);
    auto ch = sent_client_hello(p.client);
    // A TLS 1.2 server would take the fake one for a session to resume.
    CHECK(ch.legacy_session_id.len == (max == wire::kTls13 ? 32 : 0));
  }
}

TEST_CASE("TLS 1.2 server: a ticket offered with an empty session ID resumes (RFC 5077 §3.4)") {
  Pair p = make(KeyType::kEcdsaP256);
  REQUIRE(test::handshake(p.client, p.server));
  Connection c = Connection::client(p.cctx, "localhost"), s = Connection::server(p.sctx);
  auto ch = sent_client_hello(c);
  REQUIRE(!ch.session_ticket_data.empty());
  REQUIRE(!ch.legacy_session_id.empty());
  ch.legacy_session_id = wire::SessionId{};
  feed_client_hello(s, ch);
  REQUIRE(s.handshake().status == Status::kWantRead);
  CHECK(s.negotiated().resumed);
  // ServerHello (echoing the empty ID), a renewed ticket, then
  // ChangeCipherSpec: what tells the client it resumes.
  const auto flight = split_records(drain(s));
  REQUIRE(flight.size() >= 3);
  const auto msgs = split_messages(Bytes(flight[0]).subspan(5));
  REQUIRE(msgs.size() == 2);
  auto sh = wire::ServerHello::parse(msgs[0].body);
  REQUIRE(sh);
  CHECK(sh->legacy_session_id_echo.empty());
  CHECK(msgs[1].type == static_cast<uint8_t>(wire::HandshakeType::kNewSessionTicket));
  CHECK(flight[1][0] == static_cast<uint8_t>(wire::ContentType::kChangeCipherSpec));
}

TEST_CASE("TLS 1.2: only suites sluice implements; a client offering none of them gets handshake_failure") {
  Pair p = make(KeyType::kEcdsaP256);
  REQUIRE(p.client.handshake().status == Status::kWantRead);
  auto hello = drain(p.client);
  // Replace every offered suite by a CBC one (TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, 0xc009).
  for (uint16_t s : {0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8}) {
    const uint8_t b[] = {static_cast<uint8_t>(s >> 8), static_cast<uint8_t>(s)};
    for (auto at = std::search(hello.begin() + 9 + 35, hello.end(), std::begin(b), std::end(b)); at != hello.end();
         at = std::search(at + 2, hello.end(), std::begin(b), std::end(b))) {
      at[0] = 0xc0, at[1] = 0x09;
      break;
    }
  }
  feed_all(p.server, hello);
  CHECK(p.server.handshake().status == Status::kError);
  check_error(p.server.error(), Alert::kHandshakeFailure, Reason::kNoSharedCipherSuite);
}

TEST_CASE("TLS 1.2: a tampered Finished is decrypt_error; a Finished before ChangeCipherSpec unexpected_message") {
  SUBCASE("tampered") {
    Pair p = make(KeyType::kEcdsaP256, {CipherSuite::kEcdheEcdsaAes128GcmSha256});
    REQUIRE(p.client.handshake().status == Status::kWantRead);
    test::transfer(p.client, p.server);
    REQUIRE(p.server.handshake().status == Status::kWantRead);
    test::transfer(p.server, p.client);
    REQUIRE(p.client.handshake().status == Status::kWantRead);
    auto flight = drain(p.client);  // ClientKeyExchange, ChangeCipherSpec, Finished (sealed)
    flight[flight.size() - 20] ^= 1;
    feed_all(p.server, flight);
    CHECK(p.server.handshake().status == Status::kError);
    CHECK(p.server.error().alert == Alert::kBadRecordMac);  // the record does not open
  }
}

TEST_CASE("TLS 1.2: a client offering only SHA-1 signatures (rsa_pkcs1_sha1, ecdsa_sha1) gets handshake_failure") {
  // sluice signs nothing with SHA-1 (RFC 9155 deprecates it in TLS 1.2).
  const std::vector<std::vector<uint16_t>> offers = {{0x0201}, {0x0203}, {0x0203, 0x0201}};
  for (KeyType cert : {KeyType::kEcdsaP256, KeyType::kRsa}) {
    for (const auto& offer : offers) {
      CAPTURE(name(cert));
      CAPTURE(offer.size());
      Pair p = make(cert);
      DangerTestHelloShape shape;
      shape.advertised_signature_schemes = offer;
      p.cctx->set_danger_test_hello_shape(shape);
      Connection client = Connection::client(p.cctx, "localhost"), server = Connection::server(p.sctx);
      const auto hello = client_hello_bytes(client);
      // The shape is on the wire: the server sees SHA-1 schemes alone.
      auto ch = wire::ClientHello::parse(Bytes(hello).subspan(9));
      REQUIRE(ch);
      REQUIRE(ch->signature_algorithms == offer);
      feed_all(server, hello);
      CHECK(server.handshake().status == Status::kError);
      CHECK(server.error().alert == Alert::kHandshakeFailure);
      CHECK(drain(server) == plain_alert(Alert::kHandshakeFailure));
    }
  }
}

TEST_CASE("TLS 1.2 after the handshake: renegotiation refused with no_renegotiation; no KeyUpdate") {
  Pair p = make(KeyType::kEcdsaP256, {CipherSuite::kEcdheEcdsaAes128GcmSha256});
  REQUIRE(test::handshake(p.client, p.server));
  CHECK(p.client.key_update(false).status == Status::kError);
  CHECK(p.client.error().origin == Origin::kApi);
  CHECK(p.server.request_client_certificate().status == Status::kError);
  CHECK(p.server.error().origin == Origin::kApi);
  exchange(p.client, p.server, 100, 6);
}

TEST_CASE("TLS 1.2 resumption: by session ticket (RFC 5077) and by session ID, both sides") {
  for (bool tickets : {true, false}) {
    CAPTURE(tickets);
    // A group that is nobody's first choice: a resumption, which makes no
    // key exchange, reports the session's own.
    Pair p = make(KeyType::kEcdsaP256, {}, {Group::kSecp384r1});
    if (!tickets) p.sctx->set_ticket_count(0);  // the server falls back to its session-ID cache
    REQUIRE(test::handshake(p.client, p.server));
    CHECK(!p.client.negotiated().resumed);
    REQUIRE(p.client.negotiated().group == Group::kSecp384r1);
    for (int round = 0; round < 3; ++round) {
      CAPTURE(round);
      Connection c = Connection::client(p.cctx, "localhost"), s = Connection::server(p.sctx);
      INFO("client: ", test::describe(c), " server: ", test::describe(s));
      REQUIRE(test::handshake(c, s));
      CHECK(c.negotiated().version == wire::kTls12);
      CHECK(c.negotiated().resumed);
      CHECK(s.negotiated().resumed);
      CHECK(c.negotiated().peer_chain.front() == test::test_cert(KeyType::kEcdsaP256).der);
      CHECK(c.negotiated().group == Group::kSecp384r1);
      CHECK(s.negotiated().group == Group::kSecp384r1);
      exchange(c, s, 5000, 7);
      exchange(s, c, 5000, 8);
    }
  }
}

TEST_CASE("TLS 1.2 resumption by session ID across server contexts that share a SessionIdCache") {
  const auto& cert = test::test_cert(KeyType::kEcdsaP256);
  auto cctx = test::client_context(test::sodium_first(), cert);
  cctx->set_max_version(wire::kTls12);
  auto first = test::server_context(test::sodium_first(), cert);
  first->set_ticket_count(0);  // session IDs only
  auto shared = std::make_shared<SessionIdCache>();
  first->set_session_id_cache(shared);
  {
    Connection c = Connection::client(cctx, "localhost"), s = Connection::server(first);
    REQUIRE(test::handshake(c, s));
    CHECK(!c.negotiated().resumed);
  }
  // A second context that shares the cache resumes the first one's
  // session (and keeps it there for the next); one with a cache of its own
  // does not know it, and one without a cache names no sessions.
  for (const char* second_cache : {"shared", "own", "none"}) {
    CAPTURE(second_cache);
    auto second = test::server_context(test::sodium_first(), cert);
    second->set_ticket_count(0);
    const bool shares = std::string(second_cache) == "shared";
    if (shares) second->set_session_id_cache(shared);
    if (std::string(second_cache) == "none") second->set_session_id_cache(nullptr);
    Connection c = Connection::client(cctx, "localhost"), s = Connection::server(second);
    REQUIRE(test::handshake(c, s));
    CHECK(c.negotiated().resumed == shares);
    CHECK(s.negotiated().resumed == shares);
    exchange(c, s, 500, 37);
  }
}

TEST_CASE("TLS 1.2 resumption: a session for a suite no longer offered, or under a TLS 1.3 server, is a full handshake") {
  Pair p = make(KeyType::kEcdsaP256, {CipherSuite::kEcdheEcdsaAes128GcmSha256, CipherSuite::kEcdheEcdsaAes256GcmSha384});
  REQUIRE(test::handshake(p.client, p.server));
  REQUIRE(p.client.negotiated().cipher_suite == 0xc02b);
  p.cctx->set_cipher_suites({CipherSuite::kEcdheEcdsaAes256GcmSha384});
  {
    Connection c = Connection::client(p.cctx, "localhost"), s = Connection::server(p.sctx);
    REQUIRE(test::handshake(c, s));
    CHECK(!c.negotiated().resumed);
    CHECK(c.negotiated().cipher_suite == 0xc02c);
  }
  // The TLS 1.2 session now in the store, offered by a client that also
  // offers TLS 1.3: a TLS 1.3 server does not take it as a PSK.
  auto both = p.cctx;
  both->set_max_version(wire::kTls13);
  both->set_cipher_suites({CipherSuite::kAes128GcmSha256, CipherSuite::kEcdheEcdsaAes256GcmSha384});
  Connection c = Connection::client(both, "localhost"), s = Connection::server(p.sctx);
  REQUIRE(test::handshake(c, s));
  CHECK(c.negotiated().version == wire::kTls13);
  CHECK(!c.negotiated().resumed);
}

TEST_CASE("TLS 1.2 client certificates: required or requested, every key type, or none") {
  auto signer_for = [](const test::TestCert& c) { return test::signer_for(*test::sodium_first(), c); };
  for (KeyType type : {KeyType::kEcdsaP256, KeyType::kRsa, KeyType::kEd25519, KeyType::kEcdsaP384}) {
    CAPTURE(name(type));
    const auto& client_cert = test::test_cert(type);
    Pair p = make(KeyType::kEcdsaP256);
    p.sctx->set_client_auth(ClientAuth::kRequire);
    p.sctx->set_verifier(std::make_shared<pki::PinnedVerifier>(client_cert.der));
    p.cctx->set_certificate({{client_cert.der}, signer_for(client_cert), {}});
    Connection c = Connection::client(p.cctx, "localhost"), s = Connection::server(p.sctx);
    INFO("client: ", test::describe(c), " server: ", test::describe(s));
    REQUIRE(test::handshake(c, s));
    CHECK(c.negotiated().version == wire::kTls12);
    REQUIRE(s.negotiated().peer_chain.size() == 1);
    CHECK(s.negotiated().peer_chain.front() == client_cert.der);
    exchange(c, s, 1000, 9);
  }
  SUBCASE("required, none sent: handshake_failure") {
    Pair p = make(KeyType::kEcdsaP256);
    p.sctx->set_client_auth(ClientAuth::kRequire);
    p.sctx->set_verifier(std::make_shared<pki::PinnedVerifier>(test::test_cert(KeyType::kRsa).der));
    CHECK(!test::handshake(p.client, p.server));
    check_error(p.server.error(), Alert::kHandshakeFailure, Reason::kNoClientCertificate);
  }
  SUBCASE("requested, none sent: accepted") {
    Pair p = make(KeyType::kEcdsaP256);
    p.sctx->set_client_auth(ClientAuth::kRequest);
    p.sctx->set_verifier(std::make_shared<pki::PinnedVerifier>(test::test_cert(KeyType::kRsa).der));
    Connection c = Connection::client(p.cctx, "localhost"), s = Connection::server(p.sctx);
    REQUIRE(test::handshake(c, s));
    CHECK(s.negotiated().peer_chain.empty());
  }
  SUBCASE("a certificate the server does not accept: bad_certificate") {
    const auto& client_cert = test::test_cert(KeyType::kEcdsaP256);
    Pair p = make(KeyType::kEcdsaP256);
    p.sctx->set_client_auth(ClientAuth::kRequire);
    p.sctx->set_verifier(std::make_shared<pki::PinnedVerifier>(test::test_cert(KeyType::kRsa).der));
    p.cctx->set_certificate({{client_cert.der}, signer_for(client_cert), {}});
    Connection c = Connection::client(p.cctx, "localhost"), s = Connection::server(p.sctx);
    CHECK(!test::handshake(c, s));
    CHECK(s.error().alert == Alert::kBadCertificate);
  }
  SUBCASE("a client certificate without its CertificateVerify: the ChangeCipherSpec is refused where it comes") {
    const auto& client_cert = test::test_cert(KeyType::kEcdsaP256);
    Pair p = make(KeyType::kEcdsaP256);
    p.sctx->set_client_auth(ClientAuth::kRequire);
    p.sctx->set_verifier(std::make_shared<pki::PinnedVerifier>(client_cert.der));
    p.cctx->set_certificate({{client_cert.der}, signer_for(client_cert), {}});
    Connection c = Connection::client(p.cctx, "localhost"), s = Connection::server(p.sctx);
    REQUIRE(c.handshake().status == Status::kWantRead);
    feed_all(s, drain(c));
    REQUIRE(s.handshake().status == Status::kWantRead);
    feed_all(c, drain(s));
    REQUIRE(c.handshake().status == Status::kWantRead);
    // Certificate, ClientKeyExchange, CertificateVerify; ChangeCipherSpec;
    // Finished: the first record loses its CertificateVerify.
    auto records = split_records(drain(c));
    REQUIRE(records.size() == 3);
    auto msgs = split_messages(Bytes(records[0]).subspan(5));
    REQUIRE(msgs.size() == 3);
    REQUIRE(msgs[2].type == static_cast<uint8_t>(wire::HandshakeType::kCertificateVerify));
    msgs.pop_back();
    records[0] = record(wire::ContentType::kHandshake, join_messages(msgs));
    for (const auto& r : records) feed_all(s, r);
    CHECK(s.handshake().status == Status::kError);
    check_error(s.error(), Alert::kUnexpectedMessage, Reason::kUnexpectedMessage);
    CHECK(std::string(s.error().detail).find("change_cipher_spec") != std::string::npos);
  }
}

TEST_CASE("TLS 1.2 renegotiation: refused by default with a no_renegotiation warning") {
  Pair p = make(KeyType::kEcdsaP256);
  REQUIRE(test::handshake(p.client, p.server));
  REQUIRE(p.server.renegotiate().status == Status::kOk);
  test::transfer(p.server, p.client);
  std::vector<uint8_t> buf(10);
  CHECK(p.client.read(buf).status == Status::kWantRead);
  CHECK(p.client.handshake_done());
  const auto answer = drain(p.client);
  CHECK(!answer.empty());  // the warning, sealed
  feed_all(p.server, answer);
  CHECK(p.server.read(buf).status == Status::kWantRead);  // the warning is no failure
  CHECK(p.server.error().ok());
  exchange(p.client, p.server, 500, 10);
  // A TLS 1.3 connection has no renegotiation.
  auto c13 = test::client_context(test::sodium_first(), test::test_cert(KeyType::kEcdsaP256));
  auto s13 = test::server_context(test::sodium_first(), test::test_cert(KeyType::kEcdsaP256));
  Connection c = Connection::client(c13, "localhost"), s = Connection::server(s13);
  REQUIRE(test::handshake(c, s));
  CHECK(s.renegotiate().status == Status::kError);
  CHECK(s.error().origin == Origin::kApi);
}

TEST_CASE("TLS 1.2 server: an unasked ClientHello gets a no_renegotiation warning and data goes on; the fifth is fatal") {
  Mitm12 m = established_mitm12();
  // The ClientHello a fresh connection of this client sends: the server
  // refuses an unasked one before reading it (RFC 5746 §4.4 / RFC 5246
  // §7.4.1.2 leave declining to the server).
  Connection fresh = Connection::client(m.cctx, "localhost");
  const auto hello_record = client_hello_bytes(fresh);
  const std::vector<uint8_t> hello(hello_record.begin() + 5, hello_record.end());
  auto as_bytes = [](const std::string& text) { return std::vector<uint8_t>(text.begin(), text.end()); };
  std::vector<uint8_t> buf(100);
  for (int attempt = 1; attempt <= kMaxRenegotiationRefusals; ++attempt) {
    CAPTURE(attempt);
    feed_all(m.server, sealed(m.from_client, wire::ContentType::kHandshake, hello));
    CHECK(m.server.read(buf).status == Status::kWantRead);
    REQUIRE(m.server.error().ok());
    CHECK(m.server.handshake_done());
    const auto warning = drain(m.server);
    const auto records = split_records(warning);
    REQUIRE(records.size() == 1);
    const auto [type, alert] = opened(m.from_server, records[0]);
    CHECK(type == wire::ContentType::kAlert);
    CHECK(alert == std::vector<uint8_t>{1, static_cast<uint8_t>(Alert::kNoRenegotiation)});  // level 1: warning
    feed_all(m.client, warning);
    // Data goes on both ways: the client's (the test speaks for it now)...
    const auto up = as_bytes("up after refusal " + std::to_string(attempt));
    feed_all(m.server, sealed(m.from_client, wire::ContentType::kApplicationData, up));
    CHECK(read_all(m.server) == up);
    // ...and the server's, read by the real client, which took the warning.
    const auto down = as_bytes("down after refusal " + std::to_string(attempt));
    REQUIRE(m.server.write(down).status == Status::kOk);
    const auto data = drain(m.server);
    for (const auto& rec : split_records(data)) (void)opened(m.from_server, rec);  // keeps the sequence
    feed_all(m.client, data);
    CHECK(read_all(m.client) == down);
    CHECK(m.client.error().ok());
  }
  // One more is the end: a fatal no_renegotiation.
  feed_all(m.server, sealed(m.from_client, wire::ContentType::kHandshake, hello));
  CHECK(m.server.read(buf).status == Status::kError);
  check_error(m.server.error(), Alert::kNoRenegotiation, Reason::kRenegotiationRefused);
  const auto records = split_records(drain(m.server));
  REQUIRE(records.size() == 1);
  const auto [type, alert] = opened(m.from_server, records[0]);
  CHECK(type == wire::ContentType::kAlert);
  CHECK(alert == std::vector<uint8_t>{2, static_cast<uint8_t>(Alert::kNoRenegotiation)});  // level 2: fatal
}

TEST_CASE("TLS 1.2 record_size_limit: a record of the limit opens, one byte more is record_overflow") {
  // RFC 8449 §4: the limit counts TLS 1.2's plaintext alone; the record
  // also carries GCM's 8-byte explicit nonce and the tag.
  for (size_t extra : {0, 1}) {
    CAPTURE(extra);
    Mitm12 m = established_mitm12([](Context& client, Context&) { client.set_record_size_limit(256); });
    const std::vector<uint8_t> data(256 + extra, 'x');
    feed_all(m.client, sealed(m.from_server, wire::ContentType::kApplicationData, data));
    std::vector<uint8_t> buf(1000);
    const Progress r = m.client.read(buf);
    if (extra == 0) {
      CHECK(r.status == Status::kOk);
      CHECK(r.bytes == data.size());
    } else {
      CHECK(r.status == Status::kError);
      CHECK(m.client.error().alert == Alert::kRecordOverflow);
    }
  }
}

TEST_CASE("TLS 1.2 renegotiation: accepted, with the mode contract of AUTO_RETRY") {
  for (long mode : {0L, long{kModeAutoRetry}}) {
    CAPTURE(mode);
    Pair p = make(KeyType::kEcdsaP256);
    p.cctx->set_renegotiation(Renegotiation::kOnce);
    Connection client = Connection::client(p.cctx, "localhost"), server = Connection::server(p.sctx);
    client.set_mode(mode);
    REQUIRE(test::handshake(client, server));
    CHECK(client.renegotiations() == 0);
    REQUIRE(server.renegotiate().status == Status::kOk);
    // Application data may still come while the renegotiation runs.
    const uint8_t x[] = {'x'};
    REQUIRE(server.write(x).status == Status::kOk);
    test::transfer(server, client);
    std::vector<uint8_t> buf(10);
    Progress r = client.read(buf);
    if (mode & kModeAutoRetry) {
      // The engine goes on past the HelloRequest: the data comes at once.
      REQUIRE(r.status == Status::kOk);
    } else {
      // Without AUTO_RETRY: kWantRead after the HelloRequest, with the
      // data still buffered; the next call returns it.
      CHECK(r.status == Status::kWantRead);
      CHECK(client.has_pending());
      r = client.read(buf);
      REQUIRE(r.status == Status::kOk);
    }
    CHECK(r.bytes == 1);
    CHECK(!client.handshake_done());  // the renegotiation is running
    // write() says kWantRead until it is done (SSL_CTX_set_mode(3)).
    CHECK(client.write(x).status == Status::kWantRead);
    finish_renegotiation(client, server);
    INFO("client: ", test::describe(client), " server: ", test::describe(server));
    CHECK(client.handshake_done());
    CHECK(server.handshake_done());
    CHECK(client.error().ok());
    CHECK(server.error().ok());
    CHECK(client.renegotiations() == 1);
    CHECK(server.renegotiations() == 1);
    exchange(client, server, 3000, 11);
    exchange(server, client, 3000, 12);
    // Once only: a second request is refused.
    REQUIRE(server.renegotiate().status == Status::kOk);
    test::transfer(server, client);
    (void)client.read(buf);
    CHECK(client.handshake_done());
    CHECK(client.renegotiations() == 1);
  }
}

TEST_CASE("TLS 1.2 renegotiation keeps the connection's ALPN protocol; the client does not offer ALPN again") {
  Pair p = make(KeyType::kEcdsaP256);
  p.cctx->set_renegotiation(Renegotiation::kOnce);
  p.cctx->set_alpn({"h2", "http/1.1"});
  p.sctx->set_alpn({"h2"});
  std::vector<std::vector<uint8_t>> hellos;
  p.cctx->set_message_callback([&](const MessageInfo& m) {
    if (m.sent && m.content_type == wire::ContentType::kHandshake &&
        m.type == static_cast<uint8_t>(wire::HandshakeType::kClientHello)) {
      hellos.emplace_back(m.body.begin(), m.body.end());
    }
  });
  Connection client = Connection::client(p.cctx, "localhost"), server = Connection::server(p.sctx);
  REQUIRE(test::handshake(client, server));
  REQUIRE(client.negotiated().alpn == "h2");
  REQUIRE(server.renegotiate().status == Status::kOk);
  test::transfer(server, client);
  std::vector<uint8_t> buf(10);
  (void)client.read(buf);
  finish_renegotiation(client, server);
  REQUIRE(client.renegotiations() == 1);
  REQUIRE(server.renegotiations() == 1);
  CHECK(client.negotiated().alpn == "h2");
  CHECK(server.negotiated().alpn == "h2");
  REQUIRE(hellos.size() == 2);
  auto first = wire::ClientHello::parse(hellos[0]), second = wire::ClientHello::parse(hellos[1]);
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first->alpn.size() == 2);
  CHECK(second->alpn.empty());
}

TEST_CASE("TLS 1.2 renegotiation: a server whose certificate changed is refused, whichever side started it") {
  // kFreely: the client answers the server's HelloRequest itself; kExplicit:
  // the application answers it with renegotiate(), the client's own call.
  for (Renegotiation policy : {Renegotiation::kFreely, Renegotiation::kExplicit}) {
    CAPTURE(static_cast<int>(policy));
    Pair p = make(KeyType::kEcdsaP256);
    p.cctx->set_renegotiation(policy);
    // The client trusts both certificates; the server changes its own.
    p.cctx->set_verifier(std::make_shared<pki::PinnedVerifier>(test::test_cert(KeyType::kEcdsaP256).der));
    Connection client = Connection::client(p.cctx, "localhost"), server = Connection::server(p.sctx);
    REQUIRE(test::handshake(client, server));
    auto key = pki::parse_private_key_pem(test::test_cert(KeyType::kEcdsaP384).key_pem);
    REQUIRE(key);
    auto signer = test::sodium_first()->new_signer(*key);
    REQUIRE(signer);
    p.sctx->set_certificate({{test::test_cert(KeyType::kEcdsaP384).der}, std::shared_ptr<crypto::Signer>(std::move(*signer)), {}});
    REQUIRE(server.renegotiate().status == Status::kOk);
    std::vector<uint8_t> buf(10);
    for (int i = 0; i < 10 && client.error().ok(); ++i) {
      test::transfer(server, client);
      (void)client.read(buf);
      if (client.renegotiation_requested()) REQUIRE(client.renegotiate().status == Status::kOk);
      test::transfer(client, server);
      (void)server.read(buf);
    }
    CHECK(client.renegotiations() == 0);
    check_error(client.error(), Alert::kIllegalParameter, Reason::kIllegalParameter);
  }
}

TEST_CASE("TLS 1.2 client renegotiation: kExplicit leaves a HelloRequest to the application; renegotiate() answers it") {
  for (long mode : {0L, long{kModeAutoRetry}}) {
    CAPTURE(mode);
    Pair p = make(KeyType::kEcdsaP256);
    p.cctx->set_renegotiation(Renegotiation::kExplicit);
    Connection client = Connection::client(p.cctx, "localhost"), server = Connection::server(p.sctx);
    client.set_mode(mode);
    REQUIRE(test::handshake(client, server));
    REQUIRE(server.renegotiate().status == Status::kOk);
    const uint8_t x[] = {'x'};
    REQUIRE(server.write(x).status == Status::kOk);
    test::transfer(server, client);
    std::vector<uint8_t> buf(10);
    // The HelloRequest ends the read in either mode: the application must
    // decide. Nothing is sent for it: no warning, no ClientHello.
    CHECK(client.read(buf).status == Status::kWantRead);
    CHECK(client.renegotiation_requested());
    CHECK(client.handshake_done());
    CHECK(!client.wants_write());
    Progress r = client.read(buf);
    REQUIRE(r.status == Status::kOk);
    CHECK(r.bytes == 1);
    REQUIRE(client.renegotiate().status == Status::kOk);
    CHECK(!client.renegotiation_requested());
    CHECK(!client.handshake_done());
    CHECK(client.wants_write());  // the ClientHello
    // While it runs read() and write() say kWantRead (SSL_CTX_set_mode(3)).
    CHECK(client.write(x).status == Status::kWantRead);
    CHECK(client.read(buf).status == Status::kWantRead);
    finish_renegotiation(client, server);
    INFO("client: ", test::describe(client), " server: ", test::describe(server));
    CHECK(client.handshake_done());
    CHECK(client.error().ok());
    CHECK(server.error().ok());
    CHECK(client.renegotiations() == 1);
    CHECK(server.renegotiations() == 1);
    exchange(client, server, 3000, 31);
    exchange(server, client, 3000, 32);
  }
}

TEST_CASE("TLS 1.2 client renegotiation unasked: declined by a sluice server's warning, the connection goes on") {
  Pair p = make(KeyType::kEcdsaP256);
  REQUIRE(test::handshake(p.client, p.server));
  REQUIRE(p.client.renegotiate().status == Status::kOk);
  CHECK(!p.client.handshake_done());
  const auto hello = drain(p.client);
  const auto records = split_records(hello);
  REQUIRE(records.size() == 1);
  CHECK(records[0][0] == static_cast<uint8_t>(wire::ContentType::kHandshake));
  feed_all(p.server, hello);
  std::vector<uint8_t> buf(10);
  CHECK(p.server.read(buf).status == Status::kWantRead);
  CHECK(p.server.error().ok());
  test::transfer(p.server, p.client);  // the no_renegotiation warning
  CHECK(p.client.read(buf).status == Status::kWantRead);
  CHECK(p.client.error().ok());
  CHECK(p.client.handshake_done());
  CHECK(p.client.renegotiations() == 0);
  CHECK(p.server.renegotiations() == 0);
  exchange(p.client, p.server, 3000, 33);
  exchange(p.server, p.client, 3000, 34);
}

TEST_CASE("TLS 1.2 client renegotiation: an API error on TLS 1.3, before the handshake, or while one runs") {
  Pair p = make(KeyType::kEcdsaP256);
  CHECK(p.client.renegotiate().status == Status::kError);
  CHECK(p.client.error().origin == Origin::kApi);
  REQUIRE(test::handshake(p.client, p.server));
  REQUIRE(p.client.renegotiate().status == Status::kOk);
  CHECK(p.client.renegotiate().status == Status::kError);  // one runs
  CHECK(p.client.error().origin == Origin::kApi);
  // The refused call changed nothing: the server declines the first and
  // data goes on.
  std::vector<uint8_t> buf(10);
  for (int i = 0; i < 5 && !p.client.handshake_done(); ++i) {
    test::transfer(p.client, p.server);
    (void)p.server.read(buf);
    test::transfer(p.server, p.client);
    (void)p.client.read(buf);
  }
  CHECK(p.client.handshake_done());
  exchange(p.client, p.server, 500, 35);
  // TLS 1.3 has no renegotiation, from either side.
  auto c13 = test::client_context(test::sodium_first(), test::test_cert(KeyType::kEcdsaP256));
  auto s13 = test::server_context(test::sodium_first(), test::test_cert(KeyType::kEcdsaP256));
  Connection c = Connection::client(c13, "localhost"), s = Connection::server(s13);
  REQUIRE(test::handshake(c, s));
  CHECK(c.renegotiate().status == Status::kError);
  CHECK(c.error().origin == Origin::kApi);
  exchange(c, s, 500, 36);
}

TEST_CASE("keying material exporters agree between the sides (RFC 8446 §7.5, RFC 5705)") {
  for (uint16_t version : {wire::kTls13, wire::kTls12}) {
    CAPTURE(version);
    Pair p = make(KeyType::kEcdsaP256);
    p.cctx->set_max_version(version);
    Connection c = Connection::client(p.cctx, "localhost"), s = Connection::server(p.sctx);
    std::vector<uint8_t> early(32);
    CHECK(c.export_keying_material("EXPERIMENTAL test", std::nullopt, early).status == Status::kError);
    REQUIRE(test::handshake(c, s));
    CHECK(c.negotiated().version == version);
    const std::vector<uint8_t> context = {1, 2, 3};
    std::vector<uint8_t> a(40), b(40), other(40), no_context(40), empty_context(40);
    REQUIRE(c.export_keying_material("EXPERIMENTAL test", context, a).status == Status::kOk);
    REQUIRE(s.export_keying_material("EXPERIMENTAL test", context, b).status == Status::kOk);
    CHECK(a == b);
    REQUIRE(c.export_keying_material("EXPERIMENTAL other", context, other).status == Status::kOk);
    CHECK(other != a);
    REQUIRE(c.export_keying_material("EXPERIMENTAL test", std::nullopt, no_context).status == Status::kOk);
    REQUIRE(c.export_keying_material("EXPERIMENTAL test", std::vector<uint8_t>{}, empty_context).status == Status::kOk);
    CHECK(no_context != a);
    // TLS 1.2 tells no context from an empty one; TLS 1.3 hashes both alike.
    CHECK((no_context == empty_context) == (version == wire::kTls13));
  }
}

TEST_CASE("TLS 1.2 renegotiation: data arriving meanwhile is kept in order, and a writing client is not stuck") {
  Pair p = make(KeyType::kEcdsaP256);
  p.cctx->set_renegotiation(Renegotiation::kOnce);
  Connection client = Connection::client(p.cctx, "localhost"), server = Connection::server(p.sctx);
  REQUIRE(test::handshake(client, server));
  REQUIRE(server.renegotiate().status == Status::kOk);
  const auto first = test::pattern(3000, 20), second = test::pattern(3000, 21);
  REQUIRE(server.write(first).status == Status::kOk);
  REQUIRE(server.write(second).status == Status::kOk);
  const auto mine = test::pattern(500, 22);
  // The client only writes: its write() drives the renegotiation while the
  // server's data waits, set aside, for a read().
  Progress w{};
  std::vector<uint8_t> buf(10);
  for (int i = 0; i < 20; ++i) {
    test::transfer(server, client);
    w = client.write(mine);
    test::transfer(client, server);
    (void)server.read(buf);
    if (w.status == Status::kOk) break;
  }
  CHECK(w.status == Status::kOk);
  CHECK(client.handshake_done());
  std::vector<uint8_t> want = first;
  want.insert(want.end(), second.begin(), second.end());
  CHECK(read_all(client) == want);
}

TEST_CASE("TLS 1.2 client: a server that acknowledged session_ticket but sends no NewSessionTicket is refused") {
  // RFC 5077 §3.3: the ticket (empty if the server changed its mind) comes
  // before the server's ChangeCipherSpec.
  Pair p = make(KeyType::kEcdsaP256);
  REQUIRE(p.client.handshake().status == Status::kWantRead);
  feed_all(p.server, drain(p.client));
  REQUIRE(p.server.handshake().status == Status::kWantRead);
  feed_all(p.client, drain(p.server));
  REQUIRE(p.client.handshake().status == Status::kWantRead);
  feed_all(p.server, drain(p.client));
  REQUIRE(p.server.handshake().status == Status::kOk);
  auto records = split_records(drain(p.server));  // NewSessionTicket, ChangeCipherSpec, Finished
  REQUIRE(records.size() == 3);
  REQUIRE(records[0][5] == static_cast<uint8_t>(wire::HandshakeType::kNewSessionTicket));
  records.erase(records.begin());
  for (const auto& r : records) feed_all(p.client, r);
  CHECK(p.client.handshake().status == Status::kError);
  check_error(p.client.error(), Alert::kUnexpectedMessage, Reason::kUnexpectedMessage);
}

TEST_CASE("TLS 1.2 client: a ServerHello echoing the random session ID of compatibility mode is illegal_parameter") {
  // A TLS 1.3 client in middlebox compatibility mode sends a random
  // legacy_session_id; a TLS 1.2 server echoing it claims to resume a
  // session the client never had (RFC 5246 §7.4.1.3).
  const auto& cert = test::test_cert(KeyType::kEcdsaP256);
  auto cctx = test::client_context(test::sodium_first(), cert);
  auto sctx = test::server_context(test::sodium_first(), cert);
  cctx->set_middlebox_compat(true);
  sctx->set_max_version(wire::kTls12);
  sctx->set_ticket_count(0);  // the server names the session with an ID of its own
  Connection client = Connection::client(cctx, "localhost"), server = Connection::server(sctx);
  const auto hello = client_hello_bytes(client);
  // Record header (5), handshake header (4), version (2), random (32).
  REQUIRE(hello[43] == 32);
  const std::vector<uint8_t> session_id(hello.begin() + 44, hello.begin() + 76);
  feed_all(server, hello);
  REQUIRE(server.handshake().status == Status::kWantRead);
  auto flight = drain(server);
  REQUIRE(flight[5] == static_cast<uint8_t>(wire::HandshakeType::kServerHello));
  REQUIRE(flight[43] == 32);  // the server's own session ID, for its cache
  std::copy(session_id.begin(), session_id.end(), flight.begin() + 44);
  feed_all(client, flight);
  CHECK(client.handshake().status == Status::kError);
  check_error(client.error(), Alert::kIllegalParameter, Reason::kIllegalParameter);
}

TEST_CASE("TLS 1.2: a ClientHello or ServerHelloDone must end its record; the next flight answers it") {
  // A partial NewSessionTicket header after the message, in the same record.
  const std::vector<uint8_t> partial = {static_cast<uint8_t>(wire::HandshakeType::kNewSessionTicket), 0, 0};
  auto with_tail = [&](const std::vector<uint8_t>& rec) {
    std::vector<uint8_t> payload(rec.begin() + 5, rec.end());
    payload.insert(payload.end(), partial.begin(), partial.end());
    return record(static_cast<wire::ContentType>(rec[0]), payload);
  };
  SUBCASE("server") {
    Pair p = make(KeyType::kEcdsaP256);
    auto records = split_records(client_hello_bytes(p.client));
    REQUIRE(records.size() == 1);
    feed_all(p.server, with_tail(records[0]));
    CHECK(p.server.handshake().status == Status::kError);
    check_error(p.server.error(), Alert::kUnexpectedMessage, Reason::kUnexpectedMessage);
  }
  SUBCASE("client") {
    Pair p = make(KeyType::kEcdsaP256);
    p.sctx->set_ticket_count(0);
    feed_all(p.server, client_hello_bytes(p.client));
    REQUIRE(p.server.handshake().status == Status::kWantRead);
    auto records = split_records(drain(p.server));
    REQUIRE(!records.empty());
    records.back() = with_tail(records.back());
    for (const auto& r : records) feed_all(p.client, r);
    CHECK(p.client.handshake().status == Status::kError);
    check_error(p.client.error(), Alert::kUnexpectedMessage, Reason::kUnexpectedMessage);
  }
}

TEST_CASE("TLS 1.2 client: a server certificate that does not fit the suite's authentication is unsupported_certificate") {
  // RFC 5246 §7.4.2: an ECDSA certificate under an ECDHE_RSA suite is
  // refused at the Certificate, before any signature is looked at.
  Pair p = make(KeyType::kEcdsaP256);
  feed_all(p.server, client_hello_bytes(p.client));
  REQUIRE(p.server.handshake().status == Status::kWantRead);
  auto flight = drain(p.server);
  REQUIRE(flight[5] == static_cast<uint8_t>(wire::HandshakeType::kServerHello));
  const size_t suite_at = 44 + flight[43];  // after the session ID
  REQUIRE(flight[suite_at] == 0xc0);
  REQUIRE(flight[suite_at + 1] == 0x2b);  // ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
  flight[suite_at + 1] = 0x2f;            // ECDHE_RSA_WITH_AES_128_GCM_SHA256, also offered
  feed_all(p.client, flight);
  CHECK(p.client.handshake().status == Status::kError);
  check_error(p.client.error(), Alert::kUnsupportedCertificate, Reason::kUnsupportedCertificate);
}

TEST_CASE("TLS 1.2: a Finished must end its record; a HelloRequest packed behind it is refused") {
  // The handshake of established_mitm12, flight by flight, with each
  // side's Finished record resealed with a HelloRequest behind it.
  for (const bool server_finished : {true, false}) {
    CAPTURE(server_finished);
    const auto& cert = test::test_cert(KeyType::kEcdsaP256);
    auto cctx = test::client_context(test::sodium_first(), cert);
    auto sctx = test::server_context(test::sodium_first(), cert);
    cctx->set_max_version(wire::kTls12);
    cctx->set_cipher_suites({CipherSuite::kEcdheEcdsaAes128GcmSha256});
    std::vector<uint8_t> client_random, master;
    sctx->set_key_log([&](std::string_view line) {
      const size_t sp = line.rfind(' ');
      client_random = *from_hex(line.substr(14, sp - 14));
      master = *from_hex(line.substr(sp + 1));
    });
    Connection client = Connection::client(cctx, "localhost"), server = Connection::server(sctx);
    feed_all(server, client_hello_bytes(client));
    REQUIRE(server.handshake().status == Status::kWantRead);
    const auto server_flight = drain(server);
    const std::vector<uint8_t> server_random(server_flight.begin() + 11, server_flight.begin() + 43);
    feed_all(client, server_flight);
    REQUIRE(client.handshake().status == Status::kWantRead);
    auto client_finish = split_records(drain(client));  // ClientKeyExchange, ChangeCipherSpec, Finished
    REQUIRE(client_finish.size() == 3);
    // The ClientKeyExchange gives the server its master secret (and us, by
    // its key log, the keys); the Finished waits.
    feed_all(server, client_finish[0]);
    feed_all(server, client_finish[1]);
    REQUIRE(server.handshake().status == Status::kWantRead);
    REQUIRE(master.size() == 48);
    auto keys = key_block12(*test::sodium_first(), crypto::HashAlg::kSha256, crypto::AeadAlg::kAes128Gcm, master,
                            client_random, server_random);
    REQUIRE(keys);
    auto protection = [&](bool of_server) {
      auto rp = Protection::tls12(*test::sodium_first(), crypto::AeadAlg::kAes128Gcm,
                                  of_server ? keys->server_key : keys->client_key,
                                  of_server ? keys->server_iv : keys->client_iv);
      REQUIRE(rp);
      return std::move(*rp);
    };
    auto packed = [&](std::vector<uint8_t>& finished_record, bool of_server) {
      Protection reader = protection(of_server), writer = protection(of_server);
      auto [type, body] = opened(reader, finished_record);
      REQUIRE(type == wire::ContentType::kHandshake);
      REQUIRE(body[0] == static_cast<uint8_t>(wire::HandshakeType::kFinished));
      const std::vector<uint8_t> hello_request = {static_cast<uint8_t>(wire::HandshakeType::kHelloRequest), 0, 0, 0};
      body.insert(body.end(), hello_request.begin(), hello_request.end());
      finished_record = sealed(writer, wire::ContentType::kHandshake, body);
    };
    if (!server_finished) {
      packed(client_finish.back(), false);
      feed_all(server, client_finish.back());
      CHECK(server.handshake().status == Status::kError);
      check_error(server.error(), Alert::kUnexpectedMessage, Reason::kUnexpectedMessage);
      continue;
    }
    feed_all(server, client_finish.back());
    REQUIRE(server.handshake().status == Status::kOk);
    auto server_finish = split_records(drain(server));  // NewSessionTicket, ChangeCipherSpec, Finished
    packed(server_finish.back(), true);
    for (const auto& r : server_finish) feed_all(client, r);
    CHECK(client.handshake().status == Status::kError);
    check_error(client.error(), Alert::kUnexpectedMessage, Reason::kUnexpectedMessage);
  }
}

TEST_CASE("TLS 1.2 client: after its close_notify a HelloRequest is left unanswered, whatever the policy") {
  // RFC 5246 §7.2.1: nothing follows our close_notify, not even the
  // no_renegotiation warning that refuses.
  for (Renegotiation policy : {Renegotiation::kNever, Renegotiation::kFreely}) {
    CAPTURE(static_cast<int>(policy));
    Pair p = make(KeyType::kEcdsaP256);
    p.cctx->set_renegotiation(policy);
    Connection client = Connection::client(p.cctx, "localhost"), server = Connection::server(p.sctx);
    REQUIRE(test::handshake(client, server));
    REQUIRE(client.shutdown().status == Status::kWantRead);
    const auto close = split_records(drain(client));
    REQUIRE(close.size() == 1);
    REQUIRE(server.renegotiate().status == Status::kOk);
    test::transfer(server, client);
    CHECK(client.shutdown().status == Status::kWantRead);
    CHECK(client.error().ok());
    CHECK(!client.wants_write());
    CHECK(client.renegotiations() == 0);
  }
}

TEST_CASE("TLS 1.2 RFC 5746: a server answers renegotiation_info only to a client that signalled it") {
  for (const bool signalled : {true, false}) {
    CAPTURE(signalled);
    Pair p = make(KeyType::kEcdsaP256);
    auto ch = sent_client_hello(p.client);
    // A client from before RFC 5746 sends neither the extension nor the SCSV.
    if (!signalled) {
      ch.renegotiation_info = false;
      std::erase(ch.cipher_suites, wire::kEmptyRenegotiationInfoScsv);
    }
    feed_client_hello(p.server, ch);
    REQUIRE(p.server.handshake().status == Status::kWantRead);
    const auto flight = drain(p.server);
    const auto server_msgs = split_messages(Bytes(split_records(flight)[0]).subspan(5));
    REQUIRE(server_msgs[0].type == static_cast<uint8_t>(wire::HandshakeType::kServerHello));
    auto sh = wire::ServerHello::parse(server_msgs[0].body);
    REQUIRE(sh);
    CHECK(sh->renegotiation_info == signalled);
  }
}

TEST_CASE("TLS 1.2 client: no renegotiation with a server that did not signal RFC 5746 in the first handshake") {
  Pair p = make(KeyType::kEcdsaP256);
  p.cctx->set_renegotiation(Renegotiation::kFreely);
  DangerTestHelloShape legacy;
  legacy.omit_server_renegotiation_info = true;
  p.sctx->set_danger_test_hello_shape(legacy);
  Connection client = Connection::client(p.cctx, "localhost"), server = Connection::server(p.sctx);
  REQUIRE(test::handshake(client, server));
  REQUIRE(server.renegotiate().status == Status::kOk);
  std::vector<uint8_t> buf(10);
  for (int i = 0; i < 10 && client.error().ok(); ++i) {
    test::transfer(server, client);
    (void)client.read(buf);
    test::transfer(client, server);
    (void)server.read(buf);
  }
  CHECK(client.renegotiations() == 0);
  CHECK(client.error().reason == Reason::kInsecureRenegotiation);
}

}  // namespace sluice
