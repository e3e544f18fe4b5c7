// Client certificate authentication (RFC 8446 §4.3.2, §4.4.2): requested
// or required, answered with a certificate or an empty one, and every
// failure ending in its alert.
#include <doctest/doctest.h>
#include <poll.h>

#include "crypto/async/async_provider.h"
#include "pki/keys.h"
#include "pki/pinned_verifier.h"
#include "tests/engine/test_env.h"

namespace sluice {
namespace {

using crypto::KeyType;

using test::signer_for;

struct Pair {
  std::shared_ptr<Context> cctx, sctx;
  Connection client, server;
};

// The server presents an Ed25519 certificate and checks client certificates
// against `expected_client` (pinned).
Pair make(ClientAuth mode, const test::TestCert* client_cert, const test::TestCert& expected_client,
          std::shared_ptr<const crypto::Provider> client_provider = test::sodium_first()) {
  const auto& server_cert = test::test_cert(KeyType::kEd25519);
  auto cctx = test::client_context(client_provider, server_cert);
  auto sctx = test::server_context(test::sodium_first(), server_cert);
  sctx->set_client_auth(mode);
  sctx->set_verifier(std::make_shared<pki::PinnedVerifier>(expected_client.der));
  if (client_cert) cctx->set_certificate({{client_cert->der}, signer_for(*client_provider, *client_cert)});
  return Pair{cctx, sctx, Connection::client(cctx, "localhost"), Connection::server(sctx)};
}

// A signer whose signatures are corrupted after signing.
class ForgingSigner final : public crypto::Signer {
 public:
  explicit ForgingSigner(std::shared_ptr<crypto::Signer> real) : real_(std::move(real)) {}
  crypto::KeyType key_type() const override { return real_->key_type(); }
  const crypto::PublicKey& public_key() const override { return real_->public_key(); }
  bool supports(crypto::SignatureScheme s) const override { return real_->supports(s); }
  crypto::CResult<crypto::SignOutcome> sign(crypto::SignatureScheme s, crypto::Bytes m,
                                            std::vector<uint8_t>& out) override {
    auto r = real_->sign(s, m, out);
    if (r.ok() && !out.empty()) out[out.size() / 2] ^= 0x10;
    return r;
  }

 private:
  std::shared_ptr<crypto::Signer> real_;
};

}  // namespace

TEST_CASE("a required client certificate of every key type is sent, verified and reported") {
  for (KeyType type : {KeyType::kEd25519, KeyType::kEcdsaP256, KeyType::kEcdsaP384, KeyType::kRsa}) {
    CAPTURE(name(type));
    const auto& client_cert = test::test_cert(type);
    Pair p = make(ClientAuth::kRequire, &client_cert, client_cert);
    INFO("client: ", test::describe(p.client), " server: ", test::describe(p.server));
    REQUIRE(test::handshake(p.client, p.server));
    REQUIRE(p.server.negotiated().peer_chain.size() == 1);
    CHECK(p.server.negotiated().peer_chain.front() == client_cert.der);
  }
}

TEST_CASE("a requested certificate may be absent; a required one may not") {
  const auto& client_cert = test::test_cert(KeyType::kEcdsaP256);
  SUBCASE("requested, none configured: an empty Certificate and success") {
    Pair p = make(ClientAuth::kRequest, nullptr, client_cert);
    REQUIRE(test::handshake(p.client, p.server));
    CHECK(p.server.negotiated().peer_chain.empty());
  }
  SUBCASE("required, none configured: certificate_required") {
    Pair p = make(ClientAuth::kRequire, nullptr, client_cert);
    CHECK(!test::handshake(p.client, p.server));
    CHECK(p.server.error().reason == Reason::kCertificateRequired);
    CHECK(p.server.error().alert == Alert::kCertificateRequired);
    // The client learns why from the alert.
    std::vector<uint8_t> buf(10);
    test::transfer(p.server, p.client);
    CHECK(p.client.read(buf).status == Status::kError);
    CHECK(p.client.error().origin == Origin::kReceived);
    CHECK(p.client.error().alert == Alert::kCertificateRequired);
  }
  SUBCASE("no scheme the server asked for fits the client key: an empty Certificate") {
    Pair p = make(ClientAuth::kRequest, &client_cert, client_cert);
    p.sctx->set_signature_schemes({crypto::SignatureScheme::kEd25519});
    Connection server = Connection::server(p.sctx);
    REQUIRE(test::handshake(p.client, server));
    CHECK(server.negotiated().peer_chain.empty());
  }
}

TEST_CASE("a client certificate the server does not accept is bad_certificate") {
  const auto& offered = test::test_cert(KeyType::kEcdsaP256);
  const auto& expected = test::test_cert(KeyType::kEcdsaP384);
  Pair p = make(ClientAuth::kRequire, &offered, expected);
  CHECK(!test::handshake(p.client, p.server));
  CHECK(p.server.error().alert == Alert::kBadCertificate);
}

TEST_CASE("a forged client CertificateVerify is decrypt_error") {
  const auto& client_cert = test::test_cert(KeyType::kEcdsaP256);
  Pair p = make(ClientAuth::kRequire, &client_cert, client_cert);
  p.cctx->set_certificate({{client_cert.der}, std::make_shared<ForgingSigner>(signer_for(*test::sodium_first(), client_cert))});
  Connection client = Connection::client(p.cctx, "localhost");
  CHECK(!test::handshake(client, p.server));
  CHECK(p.server.error().alert == Alert::kDecryptError);
  CHECK(p.server.error().reason == Reason::kBadSignature);
}

TEST_CASE("an asynchronous client signer gives kWantAsync on the client") {
  const auto& client_cert = test::test_cert(KeyType::kEd25519);
  std::shared_ptr<const crypto::Provider> async = crypto::make_async_provider(test::sodium_first());
  Pair p = make(ClientAuth::kRequire, &client_cert, client_cert, async);
  p.cctx->set_mode(kModeAsync);
  Connection client = Connection::client(p.cctx, "localhost");
  int want_async = 0;
  for (int i = 0; i < 100 && !(client.handshake_done() && p.server.handshake_done()); ++i) {
    Progress c = client.handshake();
    REQUIRE(c.status != Status::kError);
    if (c.status == Status::kWantAsync) {
      ++want_async;
      pollfd pfd{client.async_fd(), POLLIN, 0};
      CHECK(::poll(&pfd, 1, 5000) == 1);
    }
    REQUIRE(p.server.handshake().status != Status::kError);
    test::transfer(client, p.server);
    test::transfer(p.server, client);
  }
  CHECK(want_async >= 1);
  CHECK(client.handshake_done());
  CHECK(p.server.handshake_done());
  CHECK(p.server.negotiated().peer_chain.front() == client_cert.der);
}

}  // namespace sluice

namespace sluice {
namespace {

// pump moves bytes both ways and lets each side read (the answers to a
// post-handshake request are written while reading).
void pump(Connection& a, Connection& b) {
  std::vector<uint8_t> buf(100);
  for (int i = 0; i < 10; ++i) {
    test::transfer(a, b);
    test::transfer(b, a);
    (void)a.read(buf);
    (void)b.read(buf);
  }
}

}  // namespace

TEST_CASE("post-handshake authentication: requested after the handshake, answered, verified") {
  const auto& client_cert = test::test_cert(KeyType::kEcdsaP384);
  SUBCASE("with a certificate") {
    Pair p = make(ClientAuth::kNone, &client_cert, client_cert);
    p.cctx->set_post_handshake_auth(true);
    Connection client = Connection::client(p.cctx, "localhost");
    REQUIRE(test::handshake(client, p.server));
    CHECK(p.server.negotiated().peer_chain.empty());
    REQUIRE(p.server.request_client_certificate().status == Status::kOk);
    CHECK(p.server.client_certificate_requests() == 1);
    pump(client, p.server);
    CHECK(client.error().ok());
    INFO("server: ", test::describe(p.server));
    CHECK(p.server.error().ok());
    CHECK(p.server.client_certificate_requests() == 0);
    REQUIRE(p.server.negotiated().peer_chain.size() == 1);
    CHECK(p.server.negotiated().peer_chain.front() == client_cert.der);
    // The connection goes on afterwards.
    REQUIRE(client.write(std::vector<uint8_t>(10, 1)).status == Status::kOk);
    test::transfer(client, p.server);
    std::vector<uint8_t> buf(20);
    CHECK(p.server.read(buf).bytes == 10);
  }
  SUBCASE("without a certificate: an empty answer") {
    Pair p = make(ClientAuth::kNone, nullptr, client_cert);
    p.cctx->set_post_handshake_auth(true);
    Connection client = Connection::client(p.cctx, "localhost");
    REQUIRE(test::handshake(client, p.server));
    REQUIRE(p.server.request_client_certificate().status == Status::kOk);
    pump(client, p.server);
    CHECK(p.server.error().ok());
    CHECK(p.server.client_certificate_requests() == 0);
    CHECK(p.server.negotiated().peer_chain.empty());
  }
  SUBCASE("a forged CertificateVerify is decrypt_error") {
    Pair p = make(ClientAuth::kNone, &client_cert, client_cert);
    p.cctx->set_post_handshake_auth(true);
    p.cctx->set_certificate({{client_cert.der}, std::make_shared<ForgingSigner>(signer_for(*test::sodium_first(), client_cert))});
    Connection client = Connection::client(p.cctx, "localhost");
    REQUIRE(test::handshake(client, p.server));
    REQUIRE(p.server.request_client_certificate().status == Status::kOk);
    pump(client, p.server);
    CHECK(p.server.error().alert == Alert::kDecryptError);
  }
  SUBCASE("a client that did not offer it cannot be asked") {
    Pair p = make(ClientAuth::kNone, &client_cert, client_cert);
    REQUIRE(test::handshake(p.client, p.server));
    CHECK(p.server.request_client_certificate().status == Status::kError);
    CHECK(p.server.error().reason == Reason::kApiMisuse);
  }
}

}  // namespace sluice
