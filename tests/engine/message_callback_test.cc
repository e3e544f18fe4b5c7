// The message callback (Context::set_message_callback) as tracing tools use
// it: each handshake message's body as the other side received it, each
// alert's level, a message that failed its checks seen before the alert it
// caused, a post-handshake message seen before what answers it, and every
// alert received (warnings, close_notify mid-handshake) as well as sent.
#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "core/wire/hello.h"
#include "pki/pinned_verifier.h"
#include "tests/engine/mitm.h"
#include "tests/engine/test_env.h"

namespace sluice {
namespace {

using wire::ContentType;
using wire::HandshakeType;

struct Seen {
  bool sent;
  ContentType content_type;
  uint8_t type;
  std::vector<uint8_t> body;
  uint8_t alert_level;
};

void record(Context& ctx, std::vector<Seen>& log) {
  ctx.set_message_callback([&log](const MessageInfo& m) {
    CHECK(m.length == (m.content_type == ContentType::kAlert ? 2 : m.body.size()));
    log.push_back({m.sent, m.content_type, m.type, {m.body.begin(), m.body.end()}, m.alert_level});
  });
}

const Seen* find(const std::vector<Seen>& log, bool sent, HandshakeType type) {
  auto it = std::find_if(log.begin(), log.end(), [&](const Seen& s) {
    return s.sent == sent && s.content_type == ContentType::kHandshake && s.type == static_cast<uint8_t>(type);
  });
  return it == log.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("the message callback gives each message's body, the same on both sides, and alert levels") {
  const auto& cert = test::test_cert(crypto::KeyType::kEd25519);
  auto cctx = test::client_context(test::sodium_first(), cert);
  auto sctx = test::server_context(test::sodium_first(), cert);
  std::vector<Seen> client_log, server_log;
  record(*cctx, client_log);
  record(*sctx, server_log);
  auto client = Connection::client(cctx, "localhost");
  auto server = Connection::server(sctx);
  REQUIRE(test::handshake(client, server));
  for (auto type : {HandshakeType::kClientHello, HandshakeType::kServerHello, HandshakeType::kCertificate,
                    HandshakeType::kFinished}) {
    CAPTURE(static_cast<int>(type));
    const bool from_client = type == HandshakeType::kClientHello;
    const Seen* sent = find(from_client ? client_log : server_log, true, type);
    const Seen* received = find(from_client ? server_log : client_log, false, type);
    REQUIRE(sent);
    REQUIRE(received);
    CHECK_FALSE(sent->body.empty());
    CHECK(sent->body == received->body);  // encrypted on the wire, decrypted here
  }
  auto hello = wire::ClientHello::parse(find(server_log, false, HandshakeType::kClientHello)->body);
  REQUIRE(hello.ok());
  CHECK(hello->server_name == "localhost");

  REQUIRE(client.shutdown().status != Status::kError);
  test::transfer(client, server);
  uint8_t buf[16];
  CHECK(server.read(buf).status == Status::kZeroReturn);
  // (The server's tickets may go out after it has seen the close.)
  auto last_alert = [](const std::vector<Seen>& log, bool sent) {
    auto it = std::find_if(log.rbegin(), log.rend(),
                           [&](const Seen& s) { return s.sent == sent && s.content_type == ContentType::kAlert; });
    return it == log.rend() ? nullptr : &*it;
  };
  const Seen* sent_close = last_alert(client_log, true);
  const Seen* received_close = last_alert(server_log, false);
  for (const Seen* s : {sent_close, received_close}) {
    REQUIRE(s);
    CHECK(s->type == static_cast<uint8_t>(Alert::kCloseNotify));
    CHECK(s->alert_level == 1);
    CHECK(s->body.empty());
  }
}

TEST_CASE("a message the receiver refuses is seen by the callback before the fatal alert it causes") {
  // The client pins another certificate than the one served.
  auto cctx = test::client_context(test::sodium_first(), test::test_cert(crypto::KeyType::kEcdsaP256));
  auto sctx = test::server_context(test::sodium_first(), test::test_cert(crypto::KeyType::kEd25519));
  std::vector<Seen> client_log;
  record(*cctx, client_log);
  auto client = Connection::client(cctx, "localhost");
  auto server = Connection::server(sctx);
  REQUIRE_FALSE(test::handshake(client, server));
  REQUIRE(client_log.size() >= 2);
  const Seen& refused = client_log[client_log.size() - 2];
  const Seen& alert = client_log.back();
  CHECK_FALSE(refused.sent);
  CHECK(refused.content_type == ContentType::kHandshake);
  CHECK(refused.type == static_cast<uint8_t>(HandshakeType::kCertificate));
  CHECK(alert.sent);
  CHECK(alert.content_type == ContentType::kAlert);
  CHECK(alert.type == static_cast<uint8_t>(client.error().alert));
  CHECK(alert.alert_level == 2);
}

}  // namespace sluice

// ---------------------------------------------------------------------------
// The order of events. A trace is read as a conversation: what a side
// received comes before what it sent in answer, and every alert shows up
// in both directions with the level its record carried.

namespace sluice {
namespace {

// Trace records each callback as one short line ("< hs 24", "> alert 1 100":
// direction, handshake type or alert level and description), joined, so a
// failed comparison shows both sequences whole.
struct Trace {
  std::string lines;
  void attach(Context& ctx) {
    ctx.set_message_callback([this](const MessageInfo& m) {
      lines += m.sent ? "> " : "< ";
      if (m.content_type == ContentType::kAlert) {
        lines += "alert " + std::to_string(m.alert_level) + " " + std::to_string(m.type);
      } else {
        lines += "hs " + std::to_string(m.type);
      }
      lines += "; ";
    });
  }
  // take returns what was seen since the last take.
  std::string take() { return std::exchange(lines, std::string()); }
};

constexpr const char* kNoRenegotiation = "alert 1 100";

// Traced is a client and a server whose contexts trace, after a handshake
// (and the client's reading of any tickets) whose lines are dropped.
struct Traced {
  std::shared_ptr<Context> cctx, sctx;
  Trace client_trace, server_trace;
  std::optional<Connection> client, server;
};

// traced builds one: `configure` adjusts both contexts first.
std::unique_ptr<Traced> traced(crypto::KeyType type, const std::function<void(Context&, Context&)>& configure) {
  const auto& cert = test::test_cert(type);
  auto t = std::make_unique<Traced>();
  t->cctx = test::client_context(test::sodium_first(), cert);
  t->sctx = test::server_context(test::sodium_first(), cert);
  configure(*t->cctx, *t->sctx);
  t->client_trace.attach(*t->cctx);
  t->server_trace.attach(*t->sctx);
  t->client.emplace(Connection::client(t->cctx, "localhost"));
  t->server.emplace(Connection::server(t->sctx));
  REQUIRE(test::handshake(*t->client, *t->server));
  (void)test::read_available(*t->client);
  t->client_trace.take();
  t->server_trace.take();
  return t;
}

}  // namespace

TEST_CASE("trace order: a TLS 1.2 HelloRequest is seen before the no_renegotiation warning that answers it") {
  auto t = traced(crypto::KeyType::kEcdsaP256, [](Context& c, Context&) { c.set_max_version(wire::kTls12); });
  Connection &client = *t->client, &server = *t->server;
  Trace &client_trace = t->client_trace, &server_trace = t->server_trace;

  REQUIRE(server.renegotiate().status == Status::kOk);  // HelloRequest (0)
  test::transfer(server, client);
  uint8_t buf[16];
  CHECK(client.read(buf).status == Status::kWantRead);  // refused by default
  test::transfer(client, server);
  CHECK(server.read(buf).status == Status::kWantRead);
  CHECK(server.error().ok());
  CHECK(client_trace.take() == std::string("< hs 0; > ") + kNoRenegotiation + "; ");
  // The warning the server received is traced too, at its level.
  CHECK(server_trace.take() == std::string("> hs 0; < ") + kNoRenegotiation + "; ");
}

TEST_CASE("trace order: a KeyUpdate asking for an update is seen before the KeyUpdate that answers it") {
  auto t = traced(crypto::KeyType::kEd25519, [](Context&, Context&) {});
  Connection &client = *t->client, &server = *t->server;
  Trace &client_trace = t->client_trace, &server_trace = t->server_trace;

  REQUIRE(client.key_update(true).status == Status::kOk);
  test::transfer(client, server);
  (void)test::read_available(server);
  const uint8_t one = 1;
  REQUIRE(server.write(std::span(&one, 1)).status == Status::kOk);
  test::transfer(server, client);
  CHECK(test::read_available(client).size() == 1);
  // KeyUpdate is 24; update_requested asks the peer for one back.
  CHECK(client_trace.take() == "> hs 24; < hs 24; ");
  CHECK(server_trace.take() == "< hs 24; > hs 24; ");
}

TEST_CASE("trace order: a post-handshake CertificateRequest is seen before the client's answer") {
  auto t = traced(crypto::KeyType::kEd25519, [](Context& c, Context& s) {
    c.set_post_handshake_auth(true);
    s.set_verifier(std::make_shared<pki::PinnedVerifier>(test::test_cert(crypto::KeyType::kEd25519).der));
  });
  Connection &client = *t->client, &server = *t->server;
  Trace &client_trace = t->client_trace, &server_trace = t->server_trace;

  REQUIRE(server.request_client_certificate().status == Status::kOk);
  test::transfer(server, client);
  (void)test::read_available(client);
  test::transfer(client, server);
  (void)test::read_available(server);
  CHECK(server.error().ok());
  CHECK(server.client_certificate_requests() == 0);
  // CertificateRequest 13, then the client's empty Certificate 11 and its
  // Finished 20.
  CHECK(client_trace.take() == "< hs 13; > hs 11; > hs 20; ");
  CHECK(server_trace.take() == "> hs 13; < hs 11; < hs 20; ");
}

TEST_CASE("trace: every alert received is seen with its level, tolerated, closing or refused") {
  constexpr uint8_t kWarning = 1, kFatal = 2;
  // TLS 1.3: user_canceled is the one warning tolerated; another warning is
  // refused with decode_error; a fatal alert ends the connection.
  struct Case {
    uint8_t level;
    Alert alert;
    Status status;
    const char* trace;
  };
  for (const Case& c : {Case{kWarning, Alert::kUserCanceled, Status::kWantRead, "< alert 1 90; "},
                        Case{kWarning, Alert::kUnrecognizedName, Status::kError, "< alert 1 112; > alert 2 50; "},
                        Case{kFatal, Alert::kHandshakeFailure, Status::kError, "< alert 2 40; "}}) {
    CAPTURE(c.trace);
    Mitm m = established_mitm();
    Trace trace;
    trace.attach(*m.sctx);
    Protection rp = m.protection("CLIENT_TRAFFIC_SECRET_0");
    feed_all(m.server, sealed(rp, ContentType::kAlert, {c.level, static_cast<uint8_t>(c.alert)}));
    CHECK(read_buffered(m.server).status == c.status);
    CHECK(m.server.error().ok() == (c.status != Status::kError));
    CHECK(trace.take() == c.trace);
  }
  SUBCASE("TLS 1.2 warnings before the server's first flight") {
    const auto& cert = test::test_cert(crypto::KeyType::kEcdsaP256);
    auto cctx = test::client_context(test::sodium_first(), cert);
    auto sctx = test::server_context(test::sodium_first(), cert);
    cctx->set_max_version(wire::kTls12);
    Trace trace;
    trace.attach(*cctx);
    auto client = Connection::client(cctx, "localhost");
    auto server = Connection::server(sctx);
    REQUIRE(client.handshake().status == Status::kWantRead);
    feed_all(server, drain(client));
    REQUIRE(server.handshake().status == Status::kWantRead);
    feed_all(client, std::vector<uint8_t>{21, 3, 3, 0, 2, kWarning, static_cast<uint8_t>(Alert::kUnrecognizedName)});
    feed_all(client, drain(server));
    REQUIRE(test::handshake(client, server));
    // ClientHello 1; the warning; ServerHello 2, Certificate 11,
    // ServerKeyExchange 12, ServerHelloDone 14 ...
    CHECK(trace.take().starts_with("> hs 1; < alert 1 112; < hs 2; < hs 11; < hs 12; < hs 14; "));
  }
}

TEST_CASE("trace: a close_notify during the handshake is seen before the alert that ends the handshake") {
  const auto& cert = test::test_cert(crypto::KeyType::kEd25519);
  auto cctx = test::client_context(test::sodium_first(), cert);
  Trace trace;
  trace.attach(*cctx);
  auto client = Connection::client(cctx, "localhost");
  REQUIRE(client.handshake().status == Status::kWantRead);
  feed_all(client, std::vector<uint8_t>{21, 3, 3, 0, 2, 1, static_cast<uint8_t>(Alert::kCloseNotify)});
  CHECK(client.handshake().status == Status::kError);
  CHECK(client.error().reason == Reason::kUnexpectedMessage);
  CHECK(trace.take() == "> hs 1; < alert 1 0; > alert 2 10; ");
}

}  // namespace sluice
