// Full TLS 1.3 handshakes in memory across providers, suites, groups and
// certificate types, each followed by 1 MiB each way with bytes compared.
#include <doctest/doctest.h>

#include <cstring>
#include <random>

#include "core/keyschedule.h"
#include "core/wire/types.h"
#include "tests/engine/test_env.h"

namespace sluice {
namespace {

using test::pattern;

using crypto::Group;
using crypto::KeyType;
using wire::CipherSuite;

TEST_CASE("connections of one context that receive the same chain share one copy of it") {
  auto provider = test::sodium_first();
  const auto& ed = test::test_cert(KeyType::kEd25519);
  const auto& ec = test::test_cert(KeyType::kEcdsaP256);
  auto cctx = test::client_context(provider, ed);
  auto sctx = test::server_context(provider, ed);
  Connection c1 = Connection::client(cctx, "localhost"), s1 = Connection::server(sctx);
  Connection c2 = Connection::client(cctx, "localhost"), s2 = Connection::server(sctx);
  REQUIRE(test::handshake(c1, s1));
  REQUIRE(test::handshake(c2, s2));
  REQUIRE(c1.negotiated().peer_chain.size() == 1);
  CHECK(c1.negotiated().peer_chain.front() == ed.der);
  CHECK(&c1.negotiated().peer_chain.front() == &c2.negotiated().peer_chain.front());

  // Another context has its own cache; a different chain is never confused
  // with a cached one.
  auto other = test::client_context(provider, ec);
  Connection c3 = Connection::client(other, "localhost"), s3 = Connection::server(test::server_context(provider, ec));
  REQUIRE(test::handshake(c3, s3));
  CHECK(c3.negotiated().peer_chain.front() == ec.der);
  CHECK(c3.negotiated().peer_chain != c1.negotiated().peer_chain);
}

TEST_CASE("the key schedule's fixed empty-string hashes are what the providers compute") {
  for (const auto& p : {test::sodium_first(), test::bearssl_first()}) {
    for (crypto::HashAlg h : {crypto::HashAlg::kSha256, crypto::HashAlg::kSha384}) {
      auto known = known_empty_hash(h);
      REQUIRE(known.has_value());
      std::vector<uint8_t> computed(crypto::hash_len(h));
      REQUIRE(p->hash(h, {}, computed).ok());
      CHECK(std::equal(known->begin(), known->end(), computed.begin(), computed.end()));
    }
  }
  CHECK_FALSE(known_empty_hash(crypto::HashAlg::kSha512).has_value());
}

// send_all writes `data` from `a` and reads it at `b`, pumping as needed.
std::vector<uint8_t> send_all(Connection& a, Connection& b, const std::vector<uint8_t>& data) {
  std::vector<uint8_t> got;
  std::vector<uint8_t> buf(20000);
  size_t sent = 0;
  for (int i = 0; i < 100000 && got.size() < data.size(); ++i) {
    if (sent < data.size()) {
      Progress w = a.write(std::span(data).subspan(sent));
      REQUIRE(w.status != Status::kError);
      if (w.status == Status::kOk) sent += w.bytes;
    }
    test::transfer(a, b);
    while (true) {
      Progress r = b.read(buf);
      REQUIRE(r.status != Status::kError);
      if (r.status != Status::kOk) break;
      got.insert(got.end(), buf.begin(), buf.begin() + static_cast<ptrdiff_t>(r.bytes));
    }
  }
  return got;
}

}  // namespace

TEST_CASE("TLS 1.3 handshake matrix: providers x suites x groups x certificates, then 1 MiB each way") {
  const std::vector<std::pair<const char*, std::shared_ptr<const crypto::Provider>>> providers = {
      {"libsodium-first", test::sodium_first()}, {"BearSSL-first", test::bearssl_first()}};
  const CipherSuite suites[] = {CipherSuite::kAes128GcmSha256, CipherSuite::kAes256GcmSha384,
                                CipherSuite::kChaCha20Poly1305Sha256};
  const Group groups[] = {Group::kX25519, Group::kSecp256r1, Group::kSecp384r1};
  const KeyType certs[] = {KeyType::kEd25519, KeyType::kEcdsaP256, KeyType::kEcdsaP384, KeyType::kRsa};
  const auto to_server = pattern(1 << 20, 1), to_client = pattern(1 << 20, 2);
  int combinations = 0;
  for (const auto& [client_name, client_provider] : providers) {
    for (const auto& [server_name, server_provider] : providers) {
      for (auto suite : suites) {
        for (auto group : groups) {
          for (auto cert_type : certs) {
            const auto& cert = test::test_cert(cert_type);
            auto cctx = test::client_context(client_provider, cert);
            auto sctx = test::server_context(server_provider, cert);
            cctx->set_cipher_suites({suite});
            cctx->set_groups({group});
            Connection client = Connection::client(cctx, "localhost");
            Connection server = Connection::server(sctx);
            CAPTURE(client_name);
            CAPTURE(server_name);
            CAPTURE(static_cast<int>(suite));
            CAPTURE(name(group));
            CAPTURE(name(cert_type));
            const bool ok = test::handshake(client, server);
            INFO("client: ", test::describe(client), " server: ", test::describe(server));
            REQUIRE(ok);
            CHECK(client.negotiated().cipher_suite == static_cast<uint16_t>(suite));
            CHECK(server.negotiated().cipher_suite == static_cast<uint16_t>(suite));
            CHECK(client.negotiated().group == group);
            CHECK(crypto::scheme_key_type(client.negotiated().signature_scheme) == cert_type);
            CHECK(client.negotiated().peer_chain.front() == cert.der);
            CHECK(server.negotiated().server_name == "localhost");
            // 1 MiB each way in full size records for the first pairing
            // only; other pairings send 64 KiB to keep the matrix quick.
            const size_t n = combinations == 0 ? to_server.size() : 65536;
            std::vector<uint8_t> up(to_server.begin(), to_server.begin() + static_cast<ptrdiff_t>(n));
            std::vector<uint8_t> down(to_client.begin(), to_client.begin() + static_cast<ptrdiff_t>(n));
            CHECK(send_all(client, server, up) == up);
            CHECK(send_all(server, client, down) == down);
            ++combinations;
          }
        }
      }
    }
  }
  CHECK(combinations == 2 * 2 * 3 * 3 * 4);
}

}  // namespace sluice
