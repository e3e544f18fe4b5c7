// OCSP stapling (RFC 6066 §8, RFC 8446 §4.4.2.1) and signed certificate
// timestamps (RFC 6962 §3.3) in both versions: sent only when asked for,
// handed to the verifier with the chain, kept by the session.
#include <doctest/doctest.h>

#include "core/session.h"
#include "tests/engine/test_env.h"

namespace sluice {
namespace {

const std::vector<uint8_t> kOcsp = {0x30, 0x03, 0x0a, 0x01, 0x00};  // stands in for an OCSPResponse
const std::vector<uint8_t> kScts = {0x00, 0x05, 0x00, 0x03, 0xaa, 0xbb, 0xcc};  // one SCT of 3 bytes

// Remembers what the verifier was shown.
struct SeeingVerifier final : CertificateVerifier {
  std::shared_ptr<const CertificateVerifier> real;
  mutable std::vector<uint8_t> ocsp, scts;
  mutable int calls = 0;
  TlsResult<CertVerified> verify(const CertificateRequest& req) const override {
    ++calls;
    ocsp.assign(req.ocsp_response.begin(), req.ocsp_response.end());
    scts.assign(req.sct_list.begin(), req.sct_list.end());
    return real->verify(req);
  }
};

struct Setup {
  std::shared_ptr<Context> cctx, sctx;
  std::shared_ptr<SeeingVerifier> seen = std::make_shared<SeeingVerifier>();
  std::shared_ptr<InMemorySessionStore> store = std::make_shared<InMemorySessionStore>();

  explicit Setup(uint16_t version) {
    const auto& cert = test::test_cert(crypto::KeyType::kEcdsaP256);
    cctx = test::client_context(test::sodium_first(), cert);
    sctx = test::server_context(test::sodium_first(), cert);
    CertifiedKey ck = sctx->certificate();
    ck.ocsp_response = kOcsp;
    ck.sct_list = kScts;
    sctx->set_certificate(std::move(ck));
    seen->real = cctx->credentials().verifier;
    cctx->set_verifier(seen);
    cctx->set_session_store(store);
    cctx->set_max_version(version);
  }
  Negotiated connect() {
    Connection client = Connection::client(cctx, "localhost");
    Connection server = Connection::server(sctx);
    REQUIRE(test::handshake(client, server));
    test::transfer(server, client);  // tickets
    (void)test::read_available(client);
    return client.negotiated();
  }
};

}  // namespace

TEST_CASE("a stapled OCSP response and SCT list reach a client that asked, and its verifier") {
  for (uint16_t version : {uint16_t{0x0303}, uint16_t{0x0304}}) {
    CAPTURE(version);
    Setup s(version);
    SUBCASE("not asked: nothing is sent") {
      Negotiated n = s.connect();
      CHECK(n.version == version);
      CHECK(n.peer_ocsp_response.empty());
      CHECK(n.peer_sct_list.empty());
      CHECK(s.seen->ocsp.empty());
    }
    SUBCASE("asked: both arrive, the verifier sees them, a resumption keeps them") {
      s.cctx->set_request_ocsp(true);
      s.cctx->set_request_sct(true);
      Negotiated n = s.connect();
      CHECK(n.version == version);
      CHECK(n.peer_ocsp_response == kOcsp);
      CHECK(n.peer_sct_list == kScts);
      CHECK(s.seen->ocsp == kOcsp);
      CHECK(s.seen->scts == kScts);
      Negotiated resumed = s.connect();
      CHECK(resumed.resumed);
      CHECK(s.seen->calls == 1);
      CHECK(resumed.peer_ocsp_response == kOcsp);
      CHECK(resumed.peer_sct_list == kScts);
    }
    SUBCASE("asked for OCSP only: no SCTs") {
      s.cctx->set_request_ocsp(true);
      Negotiated n = s.connect();
      CHECK(n.peer_ocsp_response == kOcsp);
      CHECK(n.peer_sct_list.empty());
    }
  }
}

TEST_CASE("a server whose SCT list is malformed fails the handshake instead of sending it") {
  Setup s(0x0304);
  CertifiedKey ck = s.sctx->certificate();
  ck.sct_list = {0x00, 0x00};  // an empty list
  s.sctx->set_certificate(std::move(ck));
  s.cctx->set_request_sct(true);
  Connection client = Connection::client(s.cctx, "localhost");
  Connection server = Connection::server(s.sctx);
  CHECK(!test::handshake(client, server));
  CHECK(server.error().reason == Reason::kConfiguration);
}

}  // namespace sluice
