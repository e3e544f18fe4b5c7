// Record-level options: record_size_limit (RFC 8449) honoured and enforced,
// record padding (RFC 8446 §5.4), and the automatic KeyUpdate before an
// AEAD's record limit (RFC 8446 §5.5).
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <utility>

#include "base/hex.h"
#include "core/bytes.h"
#include "core/record_protection.h"
#include "core/wire/types.h"
#include "tests/engine/test_env.h"

namespace sluice {
namespace {

using test::pattern;

struct Pair {
  std::shared_ptr<Context> cctx, sctx;
  Connection client, server;
  std::map<std::string, std::vector<uint8_t>> secrets;
};

std::unique_ptr<Pair> make() {
  const auto& cert = test::test_cert(crypto::KeyType::kEd25519);
  auto cctx = test::client_context(test::sodium_first(), cert);
  auto sctx = test::server_context(test::sodium_first(), cert);
  cctx->set_cipher_suites({wire::CipherSuite::kAes128GcmSha256});
  auto p = std::unique_ptr<Pair>(new Pair{cctx, sctx, Connection::client(cctx, "localhost"), Connection::server(sctx), {}});
  sctx->set_key_log([q = p.get()](std::string_view line) {
    q->secrets[std::string(line.substr(0, line.find(' ')))] = *from_hex(line.substr(line.rfind(' ') + 1));
  });
  return p;
}

// record_lengths lists the length field of each record in `wire`.
std::vector<size_t> record_lengths(std::span<const uint8_t> wire) {
  std::vector<size_t> out;
  ByteReader r(wire);
  uint8_t type;
  uint16_t version;
  ByteReader body;
  while (r.u8(type) && r.u16(version) && r.prefixed16(body)) out.push_back(body.remaining());
  return out;
}

std::vector<uint8_t> deliver(Connection& from, Connection& to, size_t expect) {
  std::vector<uint8_t> got, buf(20000);
  for (int i = 0; i < 1000 && got.size() < expect; ++i) {
    test::transfer(from, to);
    Progress r = to.read(buf);
    if (r.status == Status::kOk) got.insert(got.end(), buf.begin(), buf.begin() + static_cast<ptrdiff_t>(r.bytes));
    REQUIRE(r.status != Status::kError);
  }
  return got;
}

}  // namespace

TEST_CASE("record_size_limit: each side's records fit the limit the other advertised") {
  auto p = make();
  p->cctx->set_record_size_limit(512);
  p->sctx->set_record_size_limit(1024);
  Connection client = Connection::client(p->cctx, "localhost");
  Connection server = Connection::server(p->sctx);
  REQUIRE(test::handshake(client, server));
  const auto data = pattern(5000, 4);
  REQUIRE(server.write(data).status == Status::kOk);
  for (size_t len : record_lengths(server.outbound())) CHECK(len <= 512 + crypto::kAeadTagLen);
  CHECK(deliver(server, client, data.size()) == data);
  REQUIRE(client.write(data).status == Status::kOk);
  auto lens = record_lengths(client.outbound());
  for (size_t len : lens) CHECK(len <= 1024 + crypto::kAeadTagLen);
  CHECK(lens.size() >= 5);
  CHECK(deliver(client, server, data.size()) == data);
}

TEST_CASE("record_size_limit counts by version (RFC 8449 §4): TLS 1.2 data alone, TLS 1.3 data and content type") {
  constexpr uint16_t kLimit = 256;
  struct Case {
    uint16_t version;
    wire::CipherSuite suite;
    size_t before, after;  // record body = before + data + after
    size_t most;           // the most data a record may carry
  };
  using S = wire::CipherSuite;
  for (const Case& c : {// TLS 1.3: tag, and the inner content type the limit counts.
                        Case{wire::kTls13, S::kAes128GcmSha256, 0, 16 + 1, kLimit - 1},
                        // TLS 1.2 GCM: the 8-byte explicit nonce first, the tag after.
                        Case{wire::kTls12, S::kEcdheEcdsaAes128GcmSha256, 8, 16, kLimit},
                        Case{wire::kTls12, S::kEcdheEcdsaChaCha20Poly1305Sha256, 0, 16, kLimit}}) {
    CAPTURE(c.version);
    CAPTURE(static_cast<int>(c.suite));
    auto p = make();
    p->cctx->set_max_version(c.version);
    p->cctx->set_cipher_suites({c.suite});
    p->cctx->set_record_size_limit(kLimit);
    p->sctx->set_record_size_limit(kLimit);
    Connection client = Connection::client(p->cctx, "localhost");
    Connection server = Connection::server(p->sctx);
    INFO("client: ", test::describe(client), " server: ", test::describe(server));
    REQUIRE(test::handshake(client, server));
    REQUIRE(client.negotiated().version == c.version);
    const auto data = pattern(10 * 1024, 5);
    for (auto [from, to] : {std::pair{&client, &server}, std::pair{&server, &client}}) {
      REQUIRE(from->write(data).status == Status::kOk);
      size_t largest = 0;
      for (size_t len : record_lengths(from->outbound())) {
        REQUIRE(len >= c.before + c.after);
        CHECK(len - c.before - c.after <= c.most);
        largest = std::max(largest, len - c.before - c.after);
      }
      CHECK(largest == c.most);  // the limit is used, not undershot
      CHECK(deliver(*from, *to, data.size()) == data);
    }
  }
}

TEST_CASE("record_size_limit: a record above the advertised limit is record_overflow") {
  auto p = make();
  p->cctx->set_record_size_limit(512);
  Connection client = Connection::client(p->cctx, "localhost");
  REQUIRE(test::handshake(client, p->server));
  // A server that ignores the limit: seal a 2000-byte record by hand.
  auto rp = Protection::tls13(*test::sodium_first(), crypto::HashAlg::kSha256, crypto::AeadAlg::kAes128Gcm,
                                    p->secrets.at("SERVER_TRAFFIC_SECRET_0"));
  REQUIRE(rp);
  // Skip past the tickets the server sealed first under the same key.
  auto pending = test::drain(p->server);
  test::feed_all(client, pending);
  for (size_t i = 0; i < record_lengths(pending).size(); ++i) {
    std::vector<uint8_t> scratch(5 + 17);
    REQUIRE(rp->seal(wire::ContentType::kApplicationData, scratch, 0));
  }
  std::vector<uint8_t> big(5 + 2000 + 17);
  REQUIRE(rp->seal(wire::ContentType::kApplicationData, big, 2000));
  test::feed_all(client, big);
  std::vector<uint8_t> buf(4000);
  Progress r{};
  for (int i = 0; i < 5; ++i) {
    r = client.read(buf);
    if (r.status == Status::kError) break;
  }
  CHECK(r.status == Status::kError);
  CHECK(client.error().alert == Alert::kRecordOverflow);
}

TEST_CASE("max_send_fragment caps every record's data, in both versions") {
  for (uint16_t version : {uint16_t{0x0303}, uint16_t{0x0304}}) {
    CAPTURE(version);
    auto p = make();
    p->cctx->set_max_version(version);
    for (auto& ctx : {p->cctx, p->sctx}) {
      ctx->set_cipher_suites({wire::CipherSuite::kAes128GcmSha256, wire::CipherSuite::kEcdheEcdsaAes128GcmSha256});
    }
    p->sctx->set_max_send_fragment(1000);
    p->client = Connection::client(p->cctx, "localhost");
    p->server = Connection::server(p->sctx);
    REQUIRE(test::handshake(p->client, p->server));
    const auto data = pattern(10000, 3);
    REQUIRE(p->server.write(data).status == Status::kOk);
    auto wire = test::drain(p->server);
    // TLS 1.3: data + content type + 16-byte tag; TLS 1.2 GCM: 8-byte nonce + data + tag.
    const size_t overhead = version == 0x0304 ? 17 : 24;
    size_t full = 0;
    for (size_t len : record_lengths(wire)) {
      CHECK(len <= 1000 + overhead);
      full += len == 1000 + overhead;
    }
    CHECK(full == 10);
    test::feed_all(p->client, wire);
    CHECK(test::read_available(p->client) == data);
  }
  // Below OpenSSL's floor of 512 it is 512.
  auto p = make();
  p->sctx->set_max_send_fragment(1);
  CHECK(p->sctx->policy().max_send_fragment == 512);
}

TEST_CASE("record padding rounds every protected record up to the block") {
  auto p = make();
  p->sctx->set_record_padding(256);
  Connection server = Connection::server(p->sctx);
  REQUIRE(test::handshake(p->client, server));
  for (size_t n : {1, 100, 255, 256, 1000}) {
    CAPTURE(n);
    const auto data = pattern(n, static_cast<uint32_t>(n));
    REQUIRE(server.write(data).status == Status::kOk);
    for (size_t len : record_lengths(server.outbound())) CHECK((len - crypto::kAeadTagLen) % 256 == 0);
    CHECK(deliver(server, p->client, n) == data);
  }
}

TEST_CASE("a KeyUpdate is sent by itself after the configured number of records") {
  auto p = make();
  p->sctx->set_key_update_interval(10);
  Connection server = Connection::server(p->sctx);
  REQUIRE(test::handshake(p->client, server));
  std::vector<uint8_t> received, buf(200);
  int non_data_reads = 0;
  for (int i = 0; i < 60; ++i) {
    const auto data = pattern(100, static_cast<uint32_t>(i));
    REQUIRE(server.write(data).status == Status::kOk);
    test::transfer(server, p->client);
    for (int j = 0; j < 10; ++j) {
      Progress r = p->client.read(buf);
      REQUIRE(r.status != Status::kError);
      if (r.status == Status::kOk) {
        received.insert(received.end(), buf.begin(), buf.begin() + static_cast<ptrdiff_t>(r.bytes));
      } else if (p->client.has_pending()) {
        ++non_data_reads;  // a KeyUpdate or ticket ended the read (no AUTO_RETRY)
      } else {
        break;
      }
    }
  }
  CHECK(received.size() == 6000);
  // Two tickets, then a KeyUpdate every ten records: at least five updates.
  CHECK(non_data_reads >= 5);
}

}  // namespace sluice
