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

// sealed is one record of `type` carrying `content` and `padding` zeros,
// sealed with the peer's keys in `rp` (whose sequence moves on).
inline std::vector<uint8_t> sealed(Protection& rp, wire::ContentType type, const std::vector<uint8_t>& content,
                                   size_t padding = 0) {
  std::vector<uint8_t> rec(5 + content.size() + 17 + padding);
  std::copy(content.begin(), content.end(), rec.begin() + 5);
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

// Plaintext alert record as sent before keys exist.
inline std::vector<uint8_t> plain_alert(Alert a) { return {21, 3, 3, 0, 2, 2, static_cast<uint8_t>(a)}; }

std::vector<uint8_t> client_hello_bytes(Connection& client) {
  REQUIRE(client.handshake().status == Status::kWantRead);
  return drain(client);
}

}  // namespace sluice
