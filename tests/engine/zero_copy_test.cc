// The zero-copy calls: decrypted bytes read in place, plaintext written
// straight into the next record, and inbound space lent out across other
// calls (as io_uring does) without moving.
#include <doctest/doctest.h>

#include <random>

#include "tests/engine/test_env.h"

namespace sluice {
namespace {

using test::pattern;


struct Pair {
  std::shared_ptr<Context> cctx, sctx;
  Connection client, server;
};

Pair established(long mode = 0) {
  auto cctx = test::client_context(test::sodium_first(), test::test_cert(crypto::KeyType::kEd25519));
  auto sctx = test::server_context(test::sodium_first(), test::test_cert(crypto::KeyType::kEd25519));
  cctx->set_mode(mode);
  sctx->set_mode(mode);
  Pair p{cctx, sctx, Connection::client(cctx, "localhost"), Connection::server(sctx)};
  REQUIRE(test::handshake(p.client, p.server));
  return p;
}

}  // namespace

TEST_CASE("write_space/write_commit seal in place; readable/read_consumed read in place") {
  Pair p = established();
  const auto data = pattern(3000, 1);
  auto space = p.client.write_space();
  REQUIRE(space.size() >= data.size());
  std::copy(data.begin(), data.end(), space.begin());
  Progress w = p.client.write_commit(data.size());
  CHECK(w.status == Status::kOk);
  CHECK(w.bytes == data.size());
  test::transfer(p.client, p.server);
  auto in_place = p.server.readable();
  REQUIRE(in_place.size() == data.size());
  CHECK(std::equal(in_place.begin(), in_place.end(), data.begin()));
  p.server.read_consumed(1000);
  auto rest = p.server.readable();
  CHECK(rest.size() == 2000);
  CHECK(std::equal(rest.begin(), rest.end(), data.begin() + 1000));
  p.server.read_consumed(2000);
  CHECK(!p.server.has_pending());
  // Committing more than write_space offered is refused, not overrun.
  auto small = p.client.write_space();
  CHECK(p.client.write_commit(small.size() + 1000000).status == Status::kError);
  CHECK(p.client.error().reason == Reason::kApiMisuse);
}

TEST_CASE("inbound space lent across other calls stays put, with and without RELEASE_BUFFERS") {
  for (long mode : {0L, kModeReleaseBuffers}) {
    CAPTURE(mode);
    Pair p = established(mode);
    const auto first = pattern(500, 2), second = pattern(700, 3);
    REQUIRE(p.client.write(first).status == Status::kOk);
    test::transfer(p.client, p.server);
    REQUIRE(p.client.write(second).status == Status::kOk);
    auto wire2 = p.client.outbound();
    std::vector<uint8_t> record2(wire2.begin(), wire2.end());
    p.client.outbound_consumed(record2.size());

    // Lend the space (a receive posted to the kernel), then drain what is
    // buffered before the "kernel" completes.
    auto lent = p.server.inbound_space();
    REQUIRE(lent.size() >= record2.size());
    std::vector<uint8_t> buf(2000);
    Progress r = p.server.read(buf);
    REQUIRE(r.status == Status::kOk);
    CHECK(std::vector<uint8_t>(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(r.bytes)) == first);
    std::copy(record2.begin(), record2.end(), lent.begin());  // the kernel writes
    p.server.inbound_commit(record2.size());
    r = p.server.read(buf);
    REQUIRE(r.status == Status::kOk);
    CHECK(std::vector<uint8_t>(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(r.bytes)) == second);
  }
  Pair p = established();
  p.server.inbound_commit(10);  // no space was asked for
  CHECK(p.server.error().reason == Reason::kApiMisuse);
}

}  // namespace sluice
