// Encrypted Client Hello (draft-ietf-tls-esni-18) between sluice's client
// and server: accepted (the server answers the inner hello, the outer one
// carries only the public name), declined (the public name is
// authenticated, then ech_required, with retry configs), across a
// HelloRetryRequest, with resumption and 0-RTT, and the API's refusals.
#include <doctest/doctest.h>

#include <string>

#include "core/wire/ech.h"
#include "core/wire/hello.h"
#include "crypto/hpke.h"
#include "pki/pinned_verifier.h"
#include "tests/engine/test_env.h"

namespace sluice {
namespace {

struct EchKeyPair {
  std::vector<uint8_t> config;  // one ECHConfig
  std::vector<uint8_t> private_key;
};

void put16(std::vector<uint8_t>& out, size_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

// make_ech_key writes an ECHConfig (version 0xfe0d, DHKEM(X25519)) by hand,
// as a deployment publishes it, for a fresh key.
EchKeyPair make_ech_key(const crypto::Provider& p, uint8_t config_id, const std::string& public_name,
                        std::vector<std::pair<uint16_t, uint16_t>> suites = {{1, 1}, {1, 3}}, uint8_t max_name = 32) {
  EchKeyPair k;
  k.private_key.resize(32);
  REQUIRE(p.random(k.private_key).ok());
  const auto pub = *crypto::hpke_public_key(p, crypto::kHpkeKemX25519Sha256, k.private_key);
  std::vector<uint8_t> contents;
  contents.push_back(config_id);
  put16(contents, crypto::kHpkeKemX25519Sha256);
  put16(contents, pub.size());
  contents.insert(contents.end(), pub.begin(), pub.end());
  put16(contents, suites.size() * 4);
  for (auto [kdf, aead] : suites) put16(contents, kdf), put16(contents, aead);
  contents.push_back(max_name);
  contents.push_back(static_cast<uint8_t>(public_name.size()));
  contents.insert(contents.end(), public_name.begin(), public_name.end());
  put16(contents, 0);  // no extensions
  put16(k.config, wire::kEchConfigVersion);
  put16(k.config, contents.size());
  k.config.insert(k.config.end(), contents.begin(), contents.end());
  return k;
}

std::vector<uint8_t> config_list(std::initializer_list<const EchKeyPair*> keys) {
  std::vector<uint8_t> body;
  for (const EchKeyPair* k : keys) body.insert(body.end(), k->config.begin(), k->config.end());
  std::vector<uint8_t> list;
  put16(list, body.size());
  list.insert(list.end(), body.begin(), body.end());
  return list;
}

// NameRecorder pins the certificate like the test contexts do, and keeps
// the server name each verification was for.
class NameRecorder final : public CertificateVerifier {
 public:
  explicit NameRecorder(std::vector<uint8_t> der) : pinned_(std::move(der)) {}
  TlsResult<CertVerified> verify(const CertificateRequest& req) const override {
    names.emplace_back(req.server_name);
    return pinned_.verify(req);
  }
  mutable std::vector<std::string> names;

 private:
  pki::PinnedVerifier pinned_;
};

struct World {
  std::shared_ptr<const crypto::Provider> provider = test::sodium_first();
  const test::TestCert& cert = test::test_cert(crypto::KeyType::kEcdsaP256);
  std::shared_ptr<Context> cctx = test::client_context(provider, cert);
  std::shared_ptr<Context> sctx = test::server_context(provider, cert);
  std::shared_ptr<NameRecorder> names = std::make_shared<NameRecorder>(cert.der);
  EchKeyPair key = make_ech_key(*provider, 7, "public.example");

  World() { cctx->set_verifier(names); }

  // ech_session runs a handshake with ECH to "secret.example" that leaves
  // the client a session (its tickets come with the first data read), and
  // returns the client's view of it; the server's is checked to agree.
  Negotiated ech_session() {
    Connection client = Connection::client(cctx, "secret.example");
    Connection server = Connection::server(sctx);
    REQUIRE(client.set_ech_config_list(config_list({&key})).status == Status::kOk);
    REQUIRE(test::handshake(client, server));
    CHECK(server.negotiated().ech_accepted == client.negotiated().ech_accepted);
    CHECK(server.negotiated().server_name == "secret.example");
    const auto data = test::pattern(16, 5);
    CHECK(server.write(data).status == Status::kOk);
    test::transfer(server, client);
    CHECK(test::read_available(client) == data);
    return client.negotiated();
  }
};

// The ClientHello the client sends first, as the network sees it.
wire::ClientHello first_hello(Connection& client) {
  (void)client.handshake();
  const auto out = client.outbound();
  std::vector<uint8_t> bytes(out.begin(), out.end());
  REQUIRE(bytes.size() > 9);
  auto ch = wire::ClientHello::parse(Bytes(bytes).subspan(9));  // record and handshake headers
  REQUIRE(ch.ok());
  return std::move(*ch);
}

// deliver_alert hands the failed client's alert to the server.
void deliver_alert(Connection& client, Connection& server) {
  test::transfer(client, server);
  if (server.handshake().status == Status::kOk) {
    uint8_t buf[16];
    (void)server.read(buf);  // a TLS 1.2 server finished first
  }
}

}  // namespace

TEST_CASE("ECH accepted: the server answers the inner hello; the network sees only the public name") {
  World w;
  REQUIRE(w.sctx->add_ech_key(w.key.config, w.key.private_key, true).ok());
  for (uint16_t max_version : {uint16_t{0x0304}, uint16_t{0x0303}}) {
    // A client that also offers TLS 1.2 does so in the outer hello only.
    CAPTURE(max_version);
    w.cctx->set_min_version(0x0303);
    Connection client = Connection::client(w.cctx, "secret.example");
    Connection server = Connection::server(w.sctx);
    REQUIRE(client.set_ech_config_list(config_list({&w.key})).status == Status::kOk);
    Connection probe = Connection::client(w.cctx, "secret.example");
    REQUIRE(probe.set_ech_config_list(config_list({&w.key})).status == Status::kOk);
    const wire::ClientHello outer = first_hello(probe);
    CHECK(outer.server_name == "public.example");
    REQUIRE(outer.ech.has_value());
    CHECK(!outer.ech->inner);
    CHECK(outer.ech->config_id == 7);
    CHECK(outer.ech->enc.size() == 32);
    // The padded inner hello is a multiple of 32 bytes, plus the tag.
    CHECK((outer.ech->payload.size() - 16) % 32 == 0);

    w.names->names.clear();
    const bool ok = test::handshake(client, server);
    INFO(test::describe(client), " | ", test::describe(server));
    REQUIRE(ok);
    CHECK(client.negotiated().ech_accepted);
    CHECK(server.negotiated().ech_accepted);
    CHECK(server.negotiated().server_name == "secret.example");
    CHECK(client.negotiated().version == 0x0304);
    CHECK(w.names->names == std::vector<std::string>{"secret.example"});
    CHECK(client.ech_retry_configs().empty());
  }
}

TEST_CASE("ECH across a HelloRetryRequest, and with resumption and 0-RTT in the inner hello") {
  World w;
  REQUIRE(w.sctx->add_ech_key(w.key.config, w.key.private_key, true).ok());
  w.sctx->set_groups({crypto::Group::kSecp256r1});  // the client's X25519 share forces a retry
  w.sctx->set_max_early_data(1024);
  w.cctx->set_enable_early_data(true);
  {
    const Negotiated first = w.ech_session();
    CHECK(first.hello_retry_request);
    CHECK(first.ech_accepted);
  }
  w.sctx->set_groups({crypto::Group::kX25519});
  Connection client = Connection::client(w.cctx, "secret.example");
  Connection server = Connection::server(w.sctx);
  REQUIRE(client.set_ech_config_list(config_list({&w.key})).status == Status::kOk);
  const std::vector<uint8_t> early = test::pattern(100, 3);
  REQUIRE(client.write_early(early).status == Status::kOk);
  REQUIRE(test::handshake(client, server));
  CHECK(client.negotiated().resumed);
  CHECK(client.negotiated().ech_accepted);
  CHECK(server.negotiated().early_data_accepted);
  CHECK(test::read_available(server) == early);
}

TEST_CASE("ECH and the message callback: each inner hello is reported, marked, beside the outer one") {
  // The inner hello is what the server answers, so a trace must show it;
  // marked, it is not mistaken for a message on the wire. A retry makes
  // two of each.
  World w;
  REQUIRE(w.sctx->add_ech_key(w.key.config, w.key.private_key, true).ok());
  w.sctx->set_groups({crypto::Group::kSecp256r1});
  struct Hello {
    bool sent, inner;
    std::vector<uint8_t> body;
  };
  auto record = [](Context& ctx, std::vector<Hello>& hellos, std::string& order) {
    ctx.set_message_callback([&hellos, &order](const MessageInfo& m) {
      if (m.content_type != wire::ContentType::kHandshake) return;
      order += m.ech_inner ? "inner " : std::to_string(m.type) + " ";
      if (m.type == static_cast<uint8_t>(wire::HandshakeType::kClientHello)) {
        hellos.push_back({m.sent, m.ech_inner, {m.body.begin(), m.body.end()}});
      } else {
        CHECK_FALSE(m.ech_inner);
      }
    });
  };
  std::vector<Hello> client_hellos, server_hellos;
  std::string client_order, server_order;
  record(*w.cctx, client_hellos, client_order);
  record(*w.sctx, server_hellos, server_order);
  Connection client = Connection::client(w.cctx, "secret.example");
  Connection server = Connection::server(w.sctx);
  REQUIRE(client.set_ech_config_list(config_list({&w.key})).status == Status::kOk);
  REQUIRE(test::handshake(client, server));
  REQUIRE(client.negotiated().ech_accepted);
  REQUIRE(client.negotiated().hello_retry_request);
  // The client seals the inner hello, then sends the outer one; the server
  // reads the outer hello, then opens the inner one. (2 is ServerHello,
  // here the HelloRetryRequest first.)
  CHECK(client_order.starts_with("inner 1 2 inner 1 2 "));
  CHECK(server_order.starts_with("1 inner 2 1 inner 2 "));
  REQUIRE(client_hellos.size() == 4);
  REQUIRE(server_hellos.size() == 4);
  for (size_t i = 0; i < 4; ++i) {
    CAPTURE(i);
    const Hello& sent = client_hellos[i];
    const bool inner = i % 2 == 0;
    CHECK(sent.sent);
    CHECK(sent.inner == inner);
    // The server's order puts the outer first.
    const Hello& received = server_hellos[inner ? i + 1 : i - 1];
    CHECK_FALSE(received.sent);
    CHECK(received.inner == inner);
    CHECK(received.body == sent.body);  // the inner hello rebuilt as the client had it
    auto parsed = wire::ClientHello::parse(sent.body);
    REQUIRE(parsed.ok());
    CHECK(parsed->server_name == (inner ? "secret.example" : "public.example"));
    REQUIRE(parsed->ech.has_value());
    CHECK(parsed->ech->inner == inner);
  }
}

TEST_CASE("ECH declined: the public name is authenticated, then ech_required, with the retry configs") {
  World w;
  const EchKeyPair other = make_ech_key(*w.provider, 9, "public.example");
  const EchKeyPair kept = make_ech_key(*w.provider, 8, "public.example");
  // The server holds keys, but not the one the client uses; only `kept` is
  // offered for retries.
  REQUIRE(w.sctx->add_ech_key(other.config, other.private_key, false).ok());
  REQUIRE(w.sctx->add_ech_key(kept.config, kept.private_key, true).ok());
  for (bool client_auth : {false, true}) {
    CAPTURE(client_auth);
    w.sctx->set_client_auth(client_auth ? ClientAuth::kRequest : ClientAuth::kNone);
    w.sctx->set_verifier(std::make_shared<pki::PinnedVerifier>(w.cert.der));
    w.names->names.clear();
    Connection client = Connection::client(w.cctx, "secret.example");
    Connection server = Connection::server(w.sctx);
    REQUIRE(client.set_ech_config_list(config_list({&w.key})).status == Status::kOk);
    CHECK(!test::handshake(client, server));
    deliver_alert(client, server);
    INFO(test::describe(client), " | ", test::describe(server));
    CHECK(client.error().reason == Reason::kEchRejected);
    CHECK(client.error().alert == Alert::kEchRequired);
    CHECK(server.error().alert == Alert::kEchRequired);
    CHECK(server.error().origin == Origin::kReceived);
    CHECK(!client.negotiated().ech_accepted);
    // The outer hello's name, never the secret one, was checked.
    CHECK(w.names->names == std::vector<std::string>{"public.example"});
    const auto retry = client.ech_retry_configs();
    CHECK(std::vector<uint8_t>(retry.begin(), retry.end()) == config_list({&kept}));
    // A client asked for a certificate after a decline shows none.
    CHECK(server.negotiated().peer_chain.empty());
  }
}

TEST_CASE("ECH declined by a TLS 1.2 server: the public name, then ech_required") {
  World w;
  w.cctx->set_min_version(0x0303);
  w.sctx->set_max_version(0x0303);
  Connection client = Connection::client(w.cctx, "secret.example");
  Connection server = Connection::server(w.sctx);
  REQUIRE(client.set_ech_config_list(config_list({&w.key})).status == Status::kOk);
  CHECK(!test::handshake(client, server));
  deliver_alert(client, server);
  CHECK(client.error().reason == Reason::kEchRejected);
  CHECK(server.error().alert == Alert::kEchRequired);
  CHECK(w.names->names == std::vector<std::string>{"public.example"});
  CHECK(client.ech_retry_configs().empty());
}

TEST_CASE("ECH: configs the client cannot use are skipped; a list that does not parse is refused") {
  World w;
  REQUIRE(w.sctx->add_ech_key(w.key.config, w.key.private_key, true).ok());
  const EchKeyPair bad_name = make_ech_key(*w.provider, 1, "under_score.example");
  const EchKeyPair ip_name = make_ech_key(*w.provider, 2, "public.10");
  const EchKeyPair bad_suite = make_ech_key(*w.provider, 3, "public.example", {{0x1111, 1}, {1, 0x2222}});
  {
    Connection client = Connection::client(w.cctx, "secret.example");
    Connection server = Connection::server(w.sctx);
    REQUIRE(client.set_ech_config_list(config_list({&bad_name, &ip_name, &bad_suite, &w.key})).status ==
            Status::kOk);
    REQUIRE(test::handshake(client, server));
    CHECK(client.negotiated().ech_accepted);
  }
  {
    // Nothing usable: no ECH at all, the real name in the clear.
    Connection client = Connection::client(w.cctx, "secret.example");
    REQUIRE(client.set_ech_config_list(config_list({&bad_name, &bad_suite})).status == Status::kOk);
    const wire::ClientHello ch = first_hello(client);
    CHECK(!ch.ech.has_value());
    CHECK(ch.server_name == "secret.example");
  }
  Connection client = Connection::client(w.cctx, "secret.example");
  auto broken = config_list({&w.key});
  broken.pop_back();
  CHECK(client.set_ech_config_list(broken).status == Status::kError);
  CHECK(client.error().origin == Origin::kApi);
  Connection server = Connection::server(w.sctx);
  CHECK(server.set_ech_config_list(config_list({&w.key})).status == Status::kError);
  CHECK(w.sctx->add_ech_key(w.key.config, bad_name.private_key, true).error().reason == Reason::kConfiguration);
  CHECK(!w.sctx->add_ech_key(broken, w.key.private_key, true).ok());
}

TEST_CASE("ECH declined across a HelloRetryRequest: the second outer hello repeats the first's ECH") {
  World w;
  const EchKeyPair kept = make_ech_key(*w.provider, 8, "public.example");
  REQUIRE(w.sctx->add_ech_key(kept.config, kept.private_key, true).ok());
  w.sctx->set_groups({crypto::Group::kSecp256r1});
  Connection client = Connection::client(w.cctx, "secret.example");
  Connection server = Connection::server(w.sctx);
  REQUIRE(client.set_ech_config_list(config_list({&w.key})).status == Status::kOk);
  // The first flight: ClientHelloOuter; the server's HelloRetryRequest.
  (void)client.handshake();
  const auto first = test::drain(client);
  const auto ch1 = wire::ClientHello::parse(Bytes(first).subspan(9));
  REQUIRE(ch1.ok());
  test::feed_all(server, first);
  (void)server.handshake();
  test::transfer(server, client);
  (void)client.handshake();
  const auto second = test::drain(client);
  // A compatibility change_cipher_spec may come first.
  const size_t at = second[0] == 20 ? 6 : 0;
  const auto ch2 = wire::ClientHello::parse(Bytes(second).subspan(at + 9));
  REQUIRE(ch2.ok());
  REQUIRE(ch2->ech.has_value());
  CHECK(ch2->ech->enc == ch1->ech->enc);
  CHECK(ch2->ech->payload == ch1->ech->payload);
  CHECK(ch2->server_name == "public.example");
  test::feed_all(server, second);
  CHECK(!test::handshake(client, server));
  deliver_alert(client, server);
  CHECK(client.error().reason == Reason::kEchRejected);
  CHECK(server.error().alert == Alert::kEchRequired);
  CHECK(client.negotiated().hello_retry_request);
  const auto retry = client.ech_retry_configs();
  CHECK(std::vector<uint8_t>(retry.begin(), retry.end()) == config_list({&kept}));
}

TEST_CASE("ECH declined with 0-RTT in the inner hello: the outer one says early_data, so the server skips it") {
  World w;
  REQUIRE(w.sctx->add_ech_key(w.key.config, w.key.private_key, true).ok());
  w.sctx->set_max_early_data(1024);
  w.cctx->set_enable_early_data(true);
  CHECK(w.ech_session().ech_accepted);
  // The server has lost its key: it answers ClientHelloOuter.
  auto sctx2 = test::server_context(w.provider, w.cert);
  sctx2->set_max_early_data(1024);
  Connection client = Connection::client(w.cctx, "secret.example");
  Connection server = Connection::server(sctx2);
  REQUIRE(client.set_ech_config_list(config_list({&w.key})).status == Status::kOk);
  REQUIRE(client.write_early(test::pattern(100, 4)).status == Status::kOk);
  CHECK(!test::handshake(client, server));
  deliver_alert(client, server);
  INFO(test::describe(client), " | ", test::describe(server));
  CHECK(client.error().reason == Reason::kEchRejected);
  CHECK(server.error().alert == Alert::kEchRequired);
  CHECK(!server.negotiated().early_data_accepted);
  CHECK(w.names->names.back() == "public.example");
}

TEST_CASE("ECH GREASE: random bytes shaped like ECH; a server without keys ignores them") {
  World w;
  w.cctx->set_ech_grease(true);
  Connection probe = Connection::client(w.cctx, "secret.example");
  const wire::ClientHello ch = first_hello(probe);
  REQUIRE(ch.ech.has_value());
  CHECK(!ch.ech->inner);
  CHECK(ch.ech->enc.size() == 32);
  CHECK((ch.ech->payload.size() - 16) % 32 == 0);
  CHECK(ch.server_name == "secret.example");  // GREASE hides nothing
  Connection client = Connection::client(w.cctx, "secret.example");
  Connection server = Connection::server(w.sctx);
  REQUIRE(test::handshake(client, server));
  CHECK(!client.negotiated().ech_accepted);
  CHECK(!server.negotiated().ech_accepted);
  // A server with keys cannot open it either: it sends retry configs,
  // which a GREASE client checks and keeps nothing of.
  REQUIRE(w.sctx->add_ech_key(w.key.config, w.key.private_key, true).ok());
  Connection client2 = Connection::client(w.cctx, "secret.example");
  Connection server2 = Connection::server(w.sctx);
  REQUIRE(test::handshake(client2, server2));
  CHECK(client2.ech_retry_configs().empty());
  CHECK(!server2.negotiated().ech_accepted);
}

}  // namespace sluice
