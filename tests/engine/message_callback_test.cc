// The message callback (Context::set_message_callback) as tracing tools use
// it: each handshake message's body as the other side received it, each
// alert's level, and a message that failed its checks seen before the
// alert it caused.
#include <doctest/doctest.h>

#include <algorithm>

#include "core/wire/hello.h"
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
