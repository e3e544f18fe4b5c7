// A man in the middle for engine tests: a client/server pair whose server
// key log is kept, so a test can open, rewrite and reseal protected records,
// and helpers to frame records and messages by hand.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/hex.h"
#include "core/bytes.h"
#include "core/keyschedule12.h"
#include "core/record_protection.h"
#include "core/wire/types.h"
#include "tests/engine/test_env.h"

namespace sluice {

using test::drain;
using test::feed_all;

struct Msg {
  uint8_t type;
  std::vector<uint8_t> body;
};



inline std::vector<uint8_t> record(wire::ContentType type, const std::vector<uint8_t>& payload, uint16_t len_override = 0) {
  std::vector<uint8_t> r = {static_cast<uint8_t>(type), 3, 3};
  const uint16_t len = len_override ? len_override : static_cast<uint16_t>(payload.size());
  r.push_back(static_cast<uint8_t>(len >> 8));
  r.push_back(static_cast<uint8_t>(len));
  r.insert(r.end(), payload.begin(), payload.end());
  return r;
}

inline std::vector<Msg> split_messages(Bytes stream) {
  std::vector<Msg> out;
  ByteReader r(stream);
  uint8_t type;
  ByteReader body;
  while (r.u8(type) && r.prefixed24(body)) out.push_back({type, {body.rest().begin(), body.rest().end()}});
  return out;
}

inline std::vector<uint8_t> join_messages(const std::vector<Msg>& msgs) {
  std::vector<uint8_t> out;
  for (const auto& m : msgs) {
    out.push_back(m.type);
    const size_t n = m.body.size();
    out.push_back(static_cast<uint8_t>(n >> 16));
    out.push_back(static_cast<uint8_t>(n >> 8));
    out.push_back(static_cast<uint8_t>(n));
    out.insert(out.end(), m.body.begin(), m.body.end());
  }
  return out;
}

// A client/server pair on TLS_AES_128_GCM_SHA256 whose key logs are kept.
struct Mitm {
  std::shared_ptr<Context> cctx, sctx;
  std::map<std::string, std::vector<uint8_t>> secrets;
  Connection client, server;

  static Mitm make(crypto::KeyType cert = crypto::KeyType::kEd25519) {
    auto cctx = test::client_context(test::sodium_first(), test::test_cert(cert));
    auto sctx = test::server_context(test::sodium_first(), test::test_cert(cert));
    cctx->set_cipher_suites({wire::CipherSuite::kAes128GcmSha256});
    Mitm m{cctx, sctx, {}, Connection::client(cctx, "localhost"), Connection::server(sctx)};
    return m;
  }
  void log_secrets() {
    sctx->set_key_log([this](std::string_view line) {
      auto sp = line.find(' ');
      secrets[std::string(line.substr(0, sp))] = *from_hex(line.substr(line.rfind(' ') + 1));
    });
  }

  Protection protection(const char* label) {
    auto rp = Protection::tls13(*test::sodium_first(), crypto::HashAlg::kSha256, crypto::AeadAlg::kAes128Gcm,
                                      secrets.at(label));
    REQUIRE(rp);
    return std::move(*rp);
  }

  // server_flight runs the client's hello into the server and returns the
  // server's ServerHello record and its decrypted encrypted handshake
  // messages.
  std::pair<std::vector<uint8_t>, std::vector<Msg>> server_flight() {
    REQUIRE(client.handshake().status == Status::kWantRead);
    feed_all(server, drain(client));
    REQUIRE(server.handshake().status == Status::kWantRead);
    auto out = drain(server);
    ByteReader r(out);
    uint8_t t;
    uint16_t v, len;
    Bytes sh_body, enc_body;
    REQUIRE((r.u8(t) && r.u16(v) && r.u16(len) && r.bytes(len, sh_body)));
    std::vector<uint8_t> sh(out.begin(), out.begin() + 5 + len);
    Protection rp = protection("SERVER_HANDSHAKE_TRAFFIC_SECRET");
    std::vector<uint8_t> plain;
    while (!r.empty()) {
      REQUIRE((r.u8(t) && r.u16(v) && r.u16(len) && r.bytes(len, enc_body)));
      std::vector<uint8_t> rec = record(static_cast<wire::ContentType>(t), {enc_body.begin(), enc_body.end()});
      auto opened = rp.open(rec);
      REQUIRE(opened);
      plain.insert(plain.end(), opened->plaintext.begin(), opened->plaintext.end());
    }
    return {sh, split_messages(plain)};
  }

  // seal_flight encrypts handshake bytes as the server would (sequence 0).
  std::vector<uint8_t> seal_flight(const std::vector<uint8_t>& plain, wire::ContentType type = wire::ContentType::kHandshake) {
    Protection rp = protection("SERVER_HANDSHAKE_TRAFFIC_SECRET");
    std::vector<uint8_t> rec(5 + plain.size() + 17);
    std::copy(plain.begin(), plain.end(), rec.begin() + 5);
    auto n = rp.seal(type, rec, plain.size());
    REQUIRE(n);
    rec.resize(*n);
    return rec;
  }

  // client_result feeds `bytes` to the client and returns its error.
  Error client_result(const std::vector<uint8_t>& bytes) {
    feed_all(client, bytes);
    Progress p = client.handshake();
    CHECK(p.status == Status::kError);
    if (client.error().origin == Origin::kLocal && client.error().reason != Reason::kTruncated) {
      CHECK(client.wants_write());  // the alert is in outbound()
    }
    return client.error();
  }
};

inline void check_error(const Error& e, Alert alert, Reason reason) {
  INFO("got reason '", describe(e.reason), "' alert ", name(e.alert), " detail '", std::string(e.detail), "'");
  CHECK(e.alert == alert);
  CHECK(e.reason == reason);
  CHECK(std::string(e.detail).size() > 0);
}

// established_mitm is a Mitm past its handshake, secrets logged.
inline Mitm established_mitm() {
  Mitm m = Mitm::make();
  m.log_secrets();
  REQUIRE(test::handshake(m.client, m.server));
  return m;
}

// sealed is one record of `type` carrying `content` and `padding` zeros
// (TLS 1.3 only), sealed with the peer's keys in `rp` (whose sequence moves
// on), TLS 1.3 or TLS 1.2.
inline std::vector<uint8_t> sealed(Protection& rp, wire::ContentType type, const std::vector<uint8_t>& content,
                                   size_t padding = 0) {
  // Room for TLS 1.2's explicit nonce before the content and the tag (and
  // TLS 1.3's inner content type) after it.
  const size_t prefix = rp->prefix();
  std::vector<uint8_t> rec(5 + prefix + content.size() + rp.overhead() + 1 + padding);
  std::copy(content.begin(), content.end(), rec.begin() + 5 + static_cast<ptrdiff_t>(prefix));
  auto n = rp.seal(type, rec, content.size(), padding);
  REQUIRE(n);
  rec.resize(*n);
  return rec;
}

// read_buffered calls read() until it returns something other than
// kWantRead or no record is left buffered, and returns the last result.
inline Progress read_buffered(Connection& c) {
  std::vector<uint8_t> buf(100);
  Progress p{};
  for (int i = 0; i < 100; ++i) {
    p = c.read(buf);
    if (p.status != Status::kWantRead || !c.has_pending()) break;
  }
  return p;
}

// split_records cuts a stream of whole records into its records.
inline std::vector<std::vector<uint8_t>> split_records(Bytes stream) {
  std::vector<std::vector<uint8_t>> out;
  while (stream.size() >= 5) {
    const size_t len = 5 + (size_t{stream[3]} << 8 | stream[4]);
    REQUIRE(stream.size() >= len);
    out.emplace_back(stream.begin(), stream.begin() + static_cast<ptrdiff_t>(len));
    stream = stream.subspan(len);
  }
  REQUIRE(stream.empty());
  return out;
}

// opened is the type and plaintext of a copy of `rec` opened with `rp`
// (whose sequence moves on).
inline std::pair<wire::ContentType, std::vector<uint8_t>> opened(Protection& rp, std::vector<uint8_t> rec) {
  auto o = rp.open(rec);
  REQUIRE(o);
  return {o->type, {o->plaintext.begin(), o->plaintext.end()}};
}

// Mitm12 is a TLS 1.2 pair on ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 past its
// handshake, with each direction's record keys rebuilt from the server's
// CLIENT_RANDOM key-log line and the ServerHello's random, and their
// sequence numbers where the engines' are: a test can seal records as the
// client would (`from_client`) and open what the server sends
// (`from_server`). Once a test seals with from_client, the real client's
// next record would repeat a sequence number: from then on the test speaks
// for the client.
struct Mitm12 {
  std::shared_ptr<Context> cctx, sctx;
  Connection client, server;
  Protection from_client, from_server;
};

// established_mitm12 runs the handshake flight by flight. `configure` may
// change the contexts first (both are TLS 1.2 only).
template <class Configure>
inline Mitm12 established_mitm12(Configure&& configure) {
  const auto& cert = test::test_cert(crypto::KeyType::kEcdsaP256);
  auto cctx = test::client_context(test::sodium_first(), cert);
  auto sctx = test::server_context(test::sodium_first(), cert);
  cctx->set_max_version(wire::kTls12);
  sctx->set_max_version(wire::kTls12);
  cctx->set_cipher_suites({wire::CipherSuite::kEcdheEcdsaAes128GcmSha256});
  std::vector<uint8_t> client_random, master;
  sctx->set_key_log([&](std::string_view line) {
    REQUIRE(line.starts_with("CLIENT_RANDOM "));
    const size_t sp = line.rfind(' ');
    client_random = *from_hex(line.substr(14, sp - 14));
    master = *from_hex(line.substr(sp + 1));
  });
  configure(*cctx, *sctx);
  Mitm12 m{cctx, sctx, Connection::client(cctx, "localhost"), Connection::server(sctx), {}, {}};
  REQUIRE(m.client.handshake().status == Status::kWantRead);
  feed_all(m.server, drain(m.client));
  REQUIRE(m.server.handshake().status == Status::kWantRead);
  const auto server_flight = drain(m.server);
  // Record header (5), handshake header (4), server_version (2), random.
  REQUIRE(server_flight.size() > 43);
  REQUIRE(server_flight[5] == static_cast<uint8_t>(wire::HandshakeType::kServerHello));
  const std::vector<uint8_t> server_random(server_flight.begin() + 11, server_flight.begin() + 43);
  feed_all(m.client, server_flight);
  (void)m.client.handshake();
  const auto client_finish = drain(m.client);  // ClientKeyExchange, ChangeCipherSpec, Finished
  feed_all(m.server, client_finish);
  REQUIRE(m.server.handshake().status == Status::kOk);
  const auto server_finish = drain(m.server);  // NewSessionTicket, ChangeCipherSpec, Finished
  feed_all(m.client, server_finish);
  REQUIRE(m.client.handshake().status == Status::kOk);
  m.sctx->set_key_log({});  // the callback refers to this frame's locals
  REQUIRE(master.size() == 48);
  auto keys = key_block12(*test::sodium_first(), crypto::HashAlg::kSha256, crypto::AeadAlg::kAes128Gcm, master,
                          client_random, server_random);
  REQUIRE(keys);
  auto c = Protection::tls12(*test::sodium_first(), crypto::AeadAlg::kAes128Gcm, keys->client_key, keys->client_iv);
  auto s = Protection::tls12(*test::sodium_first(), crypto::AeadAlg::kAes128Gcm, keys->server_key, keys->server_iv);
  REQUIRE(c);
  REQUIRE(s);
  m.from_client = std::move(*c);
  m.from_server = std::move(*s);
  // Each side's Finished is its first protected record: opening them checks
  // the rebuilt keys and moves both sequence numbers past them.
  for (auto [flight, rp] : {std::pair{&client_finish, &m.from_client}, std::pair{&server_finish, &m.from_server}}) {
    const auto records = split_records(*flight);
    REQUIRE(!records.empty());
    CHECK(opened(*rp, records.back()).first == wire::ContentType::kHandshake);
  }
  return m;
}
inline Mitm12 established_mitm12() {
  return established_mitm12([](Context&, Context&) {});
}

// Plaintext alert record as sent before keys exist.
inline std::vector<uint8_t> plain_alert(Alert a) { return {21, 3, 3, 0, 2, 2, static_cast<uint8_t>(a)}; }

std::vector<uint8_t> client_hello_bytes(Connection& client) {
  REQUIRE(client.handshake().status == Status::kWantRead);
  return drain(client);
}

}  // namespace sluice
