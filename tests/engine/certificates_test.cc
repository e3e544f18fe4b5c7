// A server holding several certified keys: chosen by the client's
// signature_algorithms, by SNI when chains are named, or by the
// application's selector (issue: certificates a real server serves).
#include <doctest/doctest.h>

#include "pki/keys.h"
#include "pki/pinned_verifier.h"
#include "tests/engine/test_env.h"

namespace sluice {
namespace {

using crypto::KeyType;
using crypto::SignatureScheme;

CertifiedKey certified(KeyType type, std::vector<std::string> names = {}) {
  const auto& cert = test::test_cert(type);
  auto key = pki::parse_private_key_pem(cert.key_pem);
  REQUIRE(key);
  auto signer = test::sodium_first()->new_signer(*key);
  REQUIRE(signer);
  return CertifiedKey{{cert.der}, std::shared_ptr<crypto::Signer>(std::move(*signer)), std::move(names)};
}

std::shared_ptr<Context> multi_server() {
  auto sctx = std::make_shared<Context>(Role::kServer, test::sodium_first());
  sctx->set_certificate(certified(KeyType::kRsa));
  sctx->add_certificate(certified(KeyType::kEcdsaP256));
  sctx->add_certificate(certified(KeyType::kEd25519));
  return sctx;
}

// connect runs a handshake from a client that offers `schemes` and expects
// the certificate of `expected`.
Connection connect(std::shared_ptr<const Context> sctx, std::vector<SignatureScheme> schemes, KeyType expected,
                   std::string name = "localhost") {
  auto cctx = std::make_shared<Context>(Role::kClient, test::sodium_first());
  cctx->set_verifier(std::make_shared<pki::PinnedVerifier>(test::test_cert(expected).der));
  cctx->set_signature_schemes(std::move(schemes));
  Connection client = Connection::client(cctx, name);
  Connection server = Connection::server(sctx);
  INFO("client: ", test::describe(client), " server: ", test::describe(server));
  CHECK(test::handshake(client, server));
  if (client.handshake_done()) {
    REQUIRE(client.negotiated().peer_chain.size() == 1);
    CHECK(client.negotiated().peer_chain.front() == test::test_cert(expected).der);
  }
  return client;
}

}  // namespace

TEST_CASE("several certificates: the client's signature_algorithms pick the key") {
  auto sctx = multi_server();
  CHECK(connect(sctx, {SignatureScheme::kEcdsaSecp256r1Sha256}, KeyType::kEcdsaP256).negotiated().signature_scheme ==
        SignatureScheme::kEcdsaSecp256r1Sha256);
  CHECK(connect(sctx, {SignatureScheme::kEd25519}, KeyType::kEd25519).negotiated().signature_scheme ==
        SignatureScheme::kEd25519);
  CHECK(connect(sctx, {SignatureScheme::kRsaPssRsaeSha256}, KeyType::kRsa).negotiated().signature_scheme ==
        SignatureScheme::kRsaPssRsaeSha256);
  // The client's order decides when several fit.
  CHECK(connect(sctx, {SignatureScheme::kEd25519, SignatureScheme::kEcdsaSecp256r1Sha256}, KeyType::kEd25519)
            .negotiated()
            .signature_scheme == SignatureScheme::kEd25519);
  CHECK(connect(sctx, {SignatureScheme::kEcdsaSecp256r1Sha256, SignatureScheme::kEd25519}, KeyType::kEcdsaP256)
            .negotiated()
            .signature_scheme == SignatureScheme::kEcdsaSecp256r1Sha256);
}

TEST_CASE("several certificates, TLS 1.2: an ECDSA key must lie on a curve of the client's supported_groups") {
  auto sctx = std::make_shared<Context>(Role::kServer, test::sodium_first());
  sctx->set_certificate(certified(KeyType::kEcdsaP256));
  sctx->add_certificate(certified(KeyType::kEcdsaP384));
  // In TLS 1.2 an ECDSA scheme names only the hash (RFC 8422 §5.1.3), so
  // the P-256 key would do for every client here but for RFC 8422 §5.3.
  struct Case {
    std::vector<crypto::Group> groups;
    KeyType expected;
  };
  for (const Case& c : {Case{{crypto::Group::kX25519, crypto::Group::kSecp256r1}, KeyType::kEcdsaP256},
                        Case{{crypto::Group::kX25519, crypto::Group::kSecp384r1}, KeyType::kEcdsaP384}}) {
    CAPTURE(static_cast<int>(c.expected));
    auto cctx = std::make_shared<Context>(Role::kClient, test::sodium_first());
    cctx->set_verifier(std::make_shared<pki::PinnedVerifier>(test::test_cert(c.expected).der));
    cctx->set_max_version(wire::kTls12);
    cctx->set_groups(c.groups);
    Connection client = Connection::client(cctx, "localhost"), server = Connection::server(sctx);
    INFO("client: ", test::describe(client), " server: ", test::describe(server));
    REQUIRE(test::handshake(client, server));
    CHECK(client.negotiated().peer_chain.front() == test::test_cert(c.expected).der);
    CHECK(client.negotiated().group == crypto::Group::kX25519);
  }
  // No key on an offered curve: no ECDSA suite fits.
  auto cctx = std::make_shared<Context>(Role::kClient, test::sodium_first());
  cctx->set_verifier(std::make_shared<pki::PinnedVerifier>(test::test_cert(KeyType::kEcdsaP256).der));
  cctx->set_max_version(wire::kTls12);
  cctx->set_groups({crypto::Group::kX25519});
  Connection client = Connection::client(cctx, "localhost"), server = Connection::server(sctx);
  CHECK(!test::handshake(client, server));
  CHECK(server.error().reason == Reason::kNoSharedCipherSuite);
}

TEST_CASE("several certificates: SNI names pick the chain, unnamed ones serve the rest") {
  auto sctx = std::make_shared<Context>(Role::kServer, test::sodium_first());
  sctx->set_certificate(certified(KeyType::kRsa));
  sctx->add_certificate(certified(KeyType::kEcdsaP256, {"b.test"}));
  sctx->add_certificate(certified(KeyType::kEd25519, {"*.a.test"}));
  const std::vector<SignatureScheme> all = {SignatureScheme::kEd25519, SignatureScheme::kEcdsaSecp256r1Sha256,
                                            SignatureScheme::kRsaPssRsaeSha256};
  connect(sctx, all, KeyType::kEcdsaP256, "b.test");
  connect(sctx, all, KeyType::kEcdsaP256, "B.TEST");
  connect(sctx, all, KeyType::kEd25519, "www.a.test");
  connect(sctx, all, KeyType::kRsa, "a.test");  // a wildcard covers one label, not the bare name
  connect(sctx, all, KeyType::kRsa, "other.test");
}

TEST_CASE("several certificates: no key fits the client's schemes is handshake_failure") {
  auto sctx = std::make_shared<Context>(Role::kServer, test::sodium_first());
  sctx->set_certificate(certified(KeyType::kRsa));
  auto cctx = std::make_shared<Context>(Role::kClient, test::sodium_first());
  cctx->set_verifier(std::make_shared<pki::PinnedVerifier>(test::test_cert(KeyType::kRsa).der));
  cctx->set_signature_schemes({SignatureScheme::kEcdsaSecp256r1Sha256});
  Connection client = Connection::client(cctx, "localhost"), server = Connection::server(sctx);
  CHECK(!test::handshake(client, server));
  CHECK(server.error().alert == Alert::kHandshakeFailure);
  CHECK(server.error().reason == Reason::kNoSharedSignatureScheme);
}

TEST_CASE("several certificates: the application's selector decides") {
  auto sctx = multi_server();
  std::string seen_name;
  size_t seen_schemes = 0;
  sctx->set_certificate_selector([&](const CertificateQuery& q, std::span<const CertifiedKey> certs) {
    seen_name = std::string(q.server_name);
    seen_schemes = q.signature_schemes.size();
    return &certs[2];  // Ed25519, whatever the client prefers
  });
  connect(sctx, {SignatureScheme::kEcdsaSecp256r1Sha256, SignatureScheme::kEd25519}, KeyType::kEd25519, "pick.test");
  CHECK(seen_name == "pick.test");
  CHECK(seen_schemes == 2);
}

TEST_CASE("P-521 and RSASSA-PSS keys, and the secp521r1 group, in both roles") {
  for (KeyType type : {KeyType::kEcdsaP521, KeyType::kRsaPss}) {
    CAPTURE(name(type));
    auto sctx = std::make_shared<Context>(Role::kServer, test::sodium_first());
    sctx->set_certificate(certified(type));
    sctx->set_groups({crypto::Group::kSecp521r1});
    const auto scheme = type == KeyType::kEcdsaP521 ? SignatureScheme::kEcdsaSecp521r1Sha512 : SignatureScheme::kRsaPssPssSha256;
    auto cctx = std::make_shared<Context>(Role::kClient, test::sodium_first());
    cctx->set_verifier(std::make_shared<pki::PinnedVerifier>(test::test_cert(type).der));
    // The client's certificate is of the same type: the server asks for it.
    cctx->set_certificate(certified(type));
    sctx->set_client_auth(ClientAuth::kRequire);
    sctx->set_verifier(std::make_shared<pki::PinnedVerifier>(test::test_cert(type).der));
    Connection client = Connection::client(cctx, "localhost"), server = Connection::server(sctx);
    INFO("client: ", test::describe(client), " server: ", test::describe(server));
    REQUIRE(test::handshake(client, server));
    CHECK(client.negotiated().group == crypto::Group::kSecp521r1);
    CHECK(client.negotiated().signature_scheme == scheme);
    REQUIRE(server.negotiated().peer_chain.size() == 1);
    CHECK(server.negotiated().peer_chain.front() == test::test_cert(type).der);
  }
}

}  // namespace sluice
