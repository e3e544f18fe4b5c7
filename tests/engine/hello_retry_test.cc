// HelloRetryRequest in memory: the retry itself on every group pair, and
// each way a peer can get it wrong.
#include <doctest/doctest.h>

#include "core/wire/types.h"
#include "tests/engine/test_env.h"

namespace sluice {
namespace {

using test::drain;
using test::feed_all;

using crypto::Group;



struct Pair {
  std::shared_ptr<Context> cctx, sctx;
  Connection client, server;
};

// The client offers a share for client_groups[0]; the server insists on
// server_groups[0].
Pair make(std::vector<Group> client_groups, std::vector<Group> server_groups, bool strict = true) {
  const auto& cert = test::test_cert(crypto::KeyType::kEcdsaP256);
  auto cctx = test::client_context(test::sodium_first(), cert);
  auto sctx = test::server_context(test::sodium_first(), cert);
  cctx->set_groups(std::move(client_groups));
  sctx->set_groups(std::move(server_groups));
  sctx->set_strict_group_preference(strict);
  return Pair{cctx, sctx, Connection::client(cctx, "localhost"), Connection::server(sctx)};
}

// hrr_record runs the first flight and returns the server's HelloRetryRequest.
std::vector<uint8_t> hrr_record(Pair& p) {
  REQUIRE(p.client.handshake().status == Status::kWantRead);
  feed_all(p.server, drain(p.client));
  REQUIRE(p.server.handshake().status == Status::kWantRead);
  auto hrr = drain(p.server);
  REQUIRE(hrr.size() > 5 + 38);
  const uint8_t magic[] = {0xcf, 0x21, 0xad, 0x74};
  REQUIRE(std::equal(magic, magic + 4, hrr.begin() + 5 + 4 + 2));
  return hrr;
}

}  // namespace

TEST_CASE("HelloRetryRequest completes for every pair of distinct groups") {
  const Group groups[] = {Group::kX25519, Group::kSecp256r1, Group::kSecp384r1};
  for (Group offered : groups) {
    for (Group wanted : groups) {
      if (offered == wanted) continue;
      CAPTURE(name(offered));
      CAPTURE(name(wanted));
      Pair p = make({offered, wanted}, {wanted, offered});
      REQUIRE(test::handshake(p.client, p.server));
      CHECK(p.client.negotiated().group == wanted);
      CHECK(p.server.negotiated().group == wanted);
    }
  }
  // Without strict preference the server takes the share it was given.
  Pair p = make({Group::kX25519, Group::kSecp256r1}, {Group::kSecp256r1, Group::kX25519}, false);
  REQUIRE(test::handshake(p.client, p.server));
  CHECK(p.client.negotiated().group == Group::kX25519);
  // With a share for no server group, even the default retries.
  Pair q = make({Group::kX25519, Group::kSecp384r1}, {Group::kSecp384r1}, false);
  REQUIRE(test::handshake(q.client, q.server));
  CHECK(q.client.negotiated().group == Group::kSecp384r1);
}

TEST_CASE("Negotiated says on both sides whether a HelloRetryRequest happened") {
  Pair retried = make({Group::kX25519, Group::kSecp256r1}, {Group::kSecp256r1});
  REQUIRE(test::handshake(retried.client, retried.server));
  CHECK(retried.client.negotiated().hello_retry_request);
  CHECK(retried.server.negotiated().hello_retry_request);
  Pair first_try = make({Group::kSecp256r1, Group::kX25519}, {Group::kSecp256r1});
  REQUIRE(test::handshake(first_try.client, first_try.server));
  CHECK_FALSE(first_try.client.negotiated().hello_retry_request);
  CHECK_FALSE(first_try.server.negotiated().hello_retry_request);
}

TEST_CASE("a client refuses a second HelloRetryRequest") {
  Pair p = make({Group::kX25519, Group::kSecp256r1}, {Group::kSecp256r1});
  auto hrr = hrr_record(p);
  feed_all(p.client, hrr);
  REQUIRE(p.client.handshake().status == Status::kWantRead);
  drain(p.client);
  feed_all(p.client, hrr);
  CHECK(p.client.handshake().status == Status::kError);
  CHECK(p.client.error().alert == Alert::kUnexpectedMessage);
  CHECK(std::string(p.client.error().detail) == "second HelloRetryRequest");
}

TEST_CASE("a client refuses a HelloRetryRequest that changes nothing or asks for an unoffered group") {
  // The HRR's key_share extension is its first: 00 33 00 02 <group>.
  auto with_group = [](std::vector<uint8_t> hrr, uint16_t group) {
    const uint8_t ks[] = {0x00, 0x33, 0x00, 0x02};
    auto it = std::search(hrr.begin(), hrr.end(), std::begin(ks), std::end(ks));
    REQUIRE(it != hrr.end());
    it[4] = static_cast<uint8_t>(group >> 8);
    it[5] = static_cast<uint8_t>(group);
    return hrr;
  };
  SUBCASE("the group the client already sent") {
    Pair p = make({Group::kX25519, Group::kSecp256r1}, {Group::kSecp256r1});
    feed_all(p.client, with_group(hrr_record(p), 0x001d));
    CHECK(p.client.handshake().status == Status::kError);
    CHECK(p.client.error().alert == Alert::kIllegalParameter);
  }
  SUBCASE("a group the client did not offer") {
    Pair p = make({Group::kX25519, Group::kSecp256r1}, {Group::kSecp256r1});
    feed_all(p.client, with_group(hrr_record(p), 0x0018));
    CHECK(p.client.handshake().status == Status::kError);
    CHECK(p.client.error().alert == Alert::kIllegalParameter);
  }
}

TEST_CASE("a server refuses a second ClientHello that does not answer the retry") {
  Pair p = make({Group::kX25519, Group::kSecp256r1}, {Group::kSecp256r1});
  REQUIRE(p.client.handshake().status == Status::kWantRead);
  auto first = drain(p.client);
  feed_all(p.server, first);
  REQUIRE(p.server.handshake().status == Status::kWantRead);
  drain(p.server);
  feed_all(p.server, first);  // the same hello again: still the x25519 share
  CHECK(p.server.handshake().status == Status::kError);
  CHECK(p.server.error().alert == Alert::kIllegalParameter);
  CHECK(p.server.error().reason == Reason::kIllegalParameter);
}

TEST_CASE("no group in common is handshake_failure, not a retry") {
  Pair p = make({Group::kX25519}, {Group::kSecp384r1});
  REQUIRE(p.client.handshake().status == Status::kWantRead);
  feed_all(p.server, drain(p.client));
  CHECK(p.server.handshake().status == Status::kError);
  CHECK(p.server.error().alert == Alert::kHandshakeFailure);
  CHECK(p.server.error().reason == Reason::kNoSharedGroup);
}

TEST_CASE("a HelloRetryRequest with an empty cookie is decode_error (RFC 8446 §4.2.2: cookie<1..2^16-1>)") {
  Pair p = make({Group::kX25519, Group::kSecp256r1}, {Group::kSecp256r1});
  std::vector<uint8_t> hrr = hrr_record(p);
  // Append cookie (0x002c) with an empty value, fixing the record, message
  // and extension block lengths.
  const size_t sid_len = hrr[5 + 4 + 34];
  const size_t ext_len_at = 5 + 4 + 34 + 1 + sid_len + 2 + 1;
  const uint8_t empty_cookie[] = {0x00, 0x2c, 0x00, 0x02, 0x00, 0x00};
  hrr.insert(hrr.end(), std::begin(empty_cookie), std::end(empty_cookie));
  auto grow16 = [&](size_t at) {
    const size_t v = (size_t{hrr[at]} << 8 | hrr[at + 1]) + sizeof empty_cookie;
    hrr[at] = static_cast<uint8_t>(v >> 8);
    hrr[at + 1] = static_cast<uint8_t>(v);
  };
  grow16(3);      // record length
  grow16(5 + 2);  // the low two bytes of the message's u24 length
  grow16(ext_len_at);
  feed_all(p.client, hrr);
  CHECK(p.client.handshake().status == Status::kError);
  CHECK(p.client.error().alert == Alert::kDecodeError);
  CHECK(p.client.error().reason == Reason::kDecodeError);
}

}  // namespace sluice
