// Every TLS 1.3 handshake shape (core/handshake_shapes.h) run through both
// machines: what each side sends, in wire order, is the table's sequence,
// and what each side receives is what the other sent. The table itself is
// checked for the properties RFC 8446 §2 and §4 give every shape.
#include <doctest/doctest.h>

#include <algorithm>

#include "core/handshake_shapes.h"
#include "pki/keys.h"
#include "pki/pinned_verifier.h"
#include "tests/engine/test_env.h"

namespace sluice {
namespace {

using wire::HandshakeType;

struct Log {
  std::vector<ShapeStep> sent;  // both sides, in call order
  std::vector<ShapeStep> received_by_client, received_by_server;
};

void watch(Context& ctx, bool is_client, Log& log) {
  ctx.set_message_callback([&log, is_client](const MessageInfo& m) {
    if (m.content_type != wire::ContentType::kHandshake) return;
    const auto type = static_cast<HandshakeType>(m.type);
    if (type == HandshakeType::kNewSessionTicket) return;  // post-handshake
    if (m.sent) {
      log.sent.push_back({is_client, type});
    } else {
      (is_client ? log.received_by_client : log.received_by_server).push_back({!is_client, type});
    }
  });
}

bool same(std::span<const ShapeStep> a, std::span<const ShapeStep> b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const ShapeStep& x, const ShapeStep& y) { return x.from_client == y.from_client && x.type == y.type; });
}

std::string show(std::span<const ShapeStep> steps) {
  std::string out;
  for (const auto& s : steps) out += std::string(s.from_client ? "C:" : "S:") + std::to_string(static_cast<int>(s.type)) + " ";
  return out;
}

struct Setup {
  std::shared_ptr<Context> cctx, sctx;
};

Setup contexts() {
  const auto& cert = test::test_cert(crypto::KeyType::kEd25519);
  return {test::client_context(test::sodium_first(), cert), test::server_context(test::sodium_first(), cert)};
}

// run_shape makes `name` happen and returns what was logged.
Log run_shape(std::string_view name) {
  Setup s = contexts();
  Log warmup, log;
  const bool psk = name.starts_with("psk");
  if (name.starts_with("client-auth")) {
    const auto& client_cert = test::test_cert(crypto::KeyType::kEcdsaP256);
    s.sctx->set_client_auth(ClientAuth::kRequest);
    s.sctx->set_verifier(std::make_shared<pki::PinnedVerifier>(client_cert.der));
    if (name == "client-auth") {
      auto key = pki::parse_private_key_pem(client_cert.key_pem);
      REQUIRE(key);
      auto signer = test::sodium_first()->new_signer(*key);
      REQUIRE(signer);
      s.cctx->set_certificate({{client_cert.der}, std::shared_ptr<crypto::Signer>(std::move(*signer)), {}});
    }
  }
  if (name == "hello-retry") {
    s.cctx->set_groups({crypto::Group::kX25519, crypto::Group::kSecp256r1});
    s.sctx->set_groups({crypto::Group::kSecp256r1});
    s.sctx->set_strict_group_preference(true);
  }
  if (name == "psk, early data") {
    s.sctx->set_max_early_data(1000);
    s.cctx->set_enable_early_data(true);
  }
  if (psk) {
    // A first connection leaves a ticket in the client's store.
    Connection c = Connection::client(s.cctx, "localhost"), v = Connection::server(s.sctx);
    REQUIRE(test::handshake(c, v));
    test::transfer(v, c);
    std::vector<uint8_t> buf(10);
    for (int i = 0; i < 5; ++i) (void)c.read(buf);
  }
  watch(*s.cctx, true, log);
  watch(*s.sctx, false, log);
  Connection client = Connection::client(s.cctx, "localhost"), server = Connection::server(s.sctx);
  if (name == "psk, early data") {
    const uint8_t early[] = {'h', 'i'};
    REQUIRE(client.write_early(early).status == Status::kOk);
    // The server's application takes the 0-RTT data before the handshake
    // goes on (handshake() waits for it to be read).
    REQUIRE(client.handshake().status == Status::kWantRead);
    test::transfer(client, server);
    std::vector<uint8_t> buf(10);
    Progress r = server.read(buf);
    REQUIRE(r.status == Status::kOk);
    CHECK(r.bytes == 2);
  }
  REQUIRE(test::handshake(client, server));
  CHECK(client.negotiated().resumed == psk);
  if (name == "psk, early data") CHECK(server.negotiated().early_data_accepted);
  return log;
}

}  // namespace

TEST_CASE("every TLS 1.3 shape goes over the wire as the table says") {
  for (const HandshakeShape& shape : kTls13Shapes) {
    CAPTURE(shape.name);
    Log log = run_shape(shape.name);
    INFO("sent: ", show(log.sent), " table: ", show(shape.steps));
    CHECK(same(log.sent, shape.steps));
    // Each side received exactly what the other sent.
    std::vector<ShapeStep> by_server, by_client;
    for (const auto& st : shape.steps) (st.from_client ? by_client : by_server).push_back(st);
    CHECK(same(log.received_by_server, by_client));
    CHECK(same(log.received_by_client, by_server));
  }
}

TEST_CASE("the shape table has the properties every TLS 1.3 handshake has") {
  for (const HandshakeShape& shape : kTls13Shapes) {
    CAPTURE(shape.name);
    const auto steps = shape.steps;
    REQUIRE(steps.size() >= 5);
    // It opens with the client's hello and the server's answer, and closes
    // with the server's Finished, then the client's.
    CHECK((steps.front().from_client && steps.front().type == HandshakeType::kClientHello));
    CHECK((steps.back().from_client && steps.back().type == HandshakeType::kFinished));
    auto server_fin = std::find_if(steps.begin(), steps.end(),
                                   [](const ShapeStep& s) { return !s.from_client && s.type == HandshakeType::kFinished; });
    REQUIRE(server_fin != steps.end());
    // EncryptedExtensions comes right after the (last) ServerHello.
    auto last_sh = std::find_if(steps.rbegin(), steps.rend(),
                                [](const ShapeStep& s) { return s.type == HandshakeType::kServerHello; });
    REQUIRE(last_sh != steps.rend());
    auto after_sh = last_sh.base();
    REQUIRE(after_sh != steps.end());
    CHECK(after_sh->type == HandshakeType::kEncryptedExtensions);
    // A Certificate with a key is followed by its CertificateVerify, except
    // a client's empty one; a CertificateVerify always follows a Certificate.
    for (size_t i = 0; i < steps.size(); ++i) {
      if (steps[i].type == HandshakeType::kCertificateVerify) {
        REQUIRE(i > 0);
        CHECK(steps[i - 1].type == HandshakeType::kCertificate);
        CHECK(steps[i - 1].from_client == steps[i].from_client);
      }
    }
    // The server sends a certificate exactly when no PSK is used.
    const bool server_cert = std::any_of(steps.begin(), steps.end(), [](const ShapeStep& s) {
      return !s.from_client && s.type == HandshakeType::kCertificate;
    });
    CHECK(server_cert == !shape.name.starts_with("psk"));
    // Nothing but the client's second flight follows the server's Finished.
    for (auto it = server_fin + 1; it != steps.end(); ++it) CHECK(it->from_client);
    // A client Certificate only answers a CertificateRequest.
    const bool asked = std::any_of(steps.begin(), steps.end(),
                                   [](const ShapeStep& s) { return s.type == HandshakeType::kCertificateRequest; });
    const bool client_cert = std::any_of(steps.begin(), steps.end(), [](const ShapeStep& s) {
      return s.from_client && s.type == HandshakeType::kCertificate;
    });
    CHECK(asked == client_cert);
  }
}

}  // namespace sluice
