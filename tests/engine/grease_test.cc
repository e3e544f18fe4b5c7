// GREASE (RFC 8701): a client that sends reserved values in its hello's
// suites, groups, key shares, versions and extensions completes with
// sluice's server (which ignores them), and a TLS 1.3 server puts one in
// every NewSessionTicket, which the client ignores.
#include <doctest/doctest.h>

#include <algorithm>

#include "core/bytes.h"
#include "core/wire/extensions.h"
#include "core/wire/hello.h"
#include "tests/engine/test_env.h"

namespace sluice {
namespace {

bool has_grease(const std::vector<uint16_t>& values) {
  return std::any_of(values.begin(), values.end(), [](uint16_t v) { return wire::is_grease(v); });
}

// grease_extensions counts the GREASE extension types in a message's
// extension block starting at `at`.
int grease_extensions(Bytes block) {
  ByteReader r(block);
  int n = 0;
  auto ok = wire::parse_extensions(r, [&](uint16_t type, ByteReader& body) -> Result<void, Error> {
    if (wire::is_grease(type)) ++n;
    (void)body.skip(body.remaining());
    return {};
  });
  return ok.ok() ? n : -1;
}

}  // namespace

TEST_CASE("GREASE values: the reserved ones and only those") {
  for (unsigned k = 0; k < 16; ++k) CHECK(wire::is_grease(wire::grease_value(k)));
  CHECK(wire::grease_value(0) == 0x0A0A);
  CHECK(wire::grease_value(15) == 0xFAFA);
  for (uint16_t v : {0x0304, 0x1301, 0x001d, 0x0A1A, 0x1A0A, 0xFAFB, 0x0000}) CHECK(!wire::is_grease(v));
}

TEST_CASE("GREASE: the client's hello carries reserved values; sluice's server ignores them") {
  for (uint16_t max_version : {uint16_t{0x0304}, uint16_t{0x0303}}) {
    CAPTURE(max_version);
    const auto& cert = test::test_cert(crypto::KeyType::kEcdsaP256);
    auto cctx = test::client_context(test::sodium_first(), cert);
    auto sctx = test::server_context(test::sodium_first(), cert);
    cctx->set_grease(true);
    cctx->set_max_version(max_version);
    std::vector<uint8_t> ticket;
    cctx->set_message_callback([&](const MessageInfo& m) {
      if (!m.sent && m.content_type == wire::ContentType::kHandshake && m.type == 4) {
        ticket.assign(m.body.begin(), m.body.end());
      }
    });
    Connection probe = Connection::client(cctx, "localhost");
    (void)probe.handshake();
    const auto out = probe.outbound();
    auto ch = wire::ClientHello::parse(Bytes(out).subspan(9));
    REQUIRE(ch.ok());
    CHECK(has_grease(ch->cipher_suites));
    CHECK(has_grease(ch->supported_groups));
    if (max_version == 0x0304) {
      CHECK(has_grease(ch->supported_versions));
      REQUIRE(ch->key_shares.size() == 2);
      CHECK(wire::is_grease(ch->key_shares[0].group));
      CHECK(ch->key_shares[0].group == ch->supported_groups[0]);
    }
    CHECK(ch->grease_extension_first != 0);
    CHECK(ch->grease_extension_last != 0);
    CHECK(ch->grease_extension_first != ch->grease_extension_last);

    Connection client = Connection::client(cctx, "localhost");
    Connection server = Connection::server(sctx);
    REQUIRE(test::handshake(client, server));
    CHECK(client.negotiated().version == max_version);
    CHECK(!wire::is_grease(client.negotiated().cipher_suite));
    if (max_version == 0x0304) {
      // A ticket arrives with data; its extensions hold one GREASE type.
      const auto data = test::pattern(10, 1);
      REQUIRE(server.write(data).status == Status::kOk);
      test::transfer(server, client);
      CHECK(test::read_available(client) == data);
      REQUIRE(ticket.size() > 13);
      ByteReader r(ticket), nonce, body;
      uint32_t lifetime, age_add;
      REQUIRE(r.u32(lifetime));
      REQUIRE(r.u32(age_add));
      REQUIRE(r.prefixed8(nonce));
      REQUIRE(r.prefixed16(body));
      CHECK(grease_extensions(r.rest()) == 1);
    }
  }
}

}  // namespace sluice
