// EpollLoop: both ends of a connection in one loop, level- and
// edge-triggered, over a socketpair and over TCP on 127.0.0.1: handshake,
// 1 MiB each way, close_notify both ways.
#include <doctest/doctest.h>

#include "adapters/epoll/epoll_loop.h"
#include "core/modes.h"
#include "tests/interop/bulk_peer.h"
#include "tests/interop/test_pki.h"
#include "tests/interop/transport_pair.h"

namespace sluice::interop {
namespace {

constexpr size_t kMiB = 1 << 20;

void run_pair(adapters::EpollLoop::Trigger trigger, Transport t, long mode) {
  const std::string transport = name(t);
  CAPTURE(transport);
  const std::string trig = trigger == adapters::EpollLoop::Trigger::kEdge ? "edge" : "level";
  CAPTURE(trig);
  CAPTURE(mode);
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  auto [cfd, sfd] = connected_pair(t);
  REQUIRE(cfd.valid());
  auto loop = adapters::EpollLoop::create(trigger);
  REQUIRE(loop);
  auto cctx = client_context(leaf.ca_pem);
  auto sctx = server_context(leaf);
  cctx->set_mode(mode);
  sctx->set_mode(mode);
  const auto c_out = pattern(kMiB, 3), s_out = pattern(kMiB, 4);
  BulkPeer client(c_out, kMiB, /*send_first=*/true);
  BulkPeer server(s_out, kMiB, /*send_first=*/false);
  std::optional<adapters::CloseInfo> client_close;
  (*loop)->set_on_close([&](adapters::ConnId id, const adapters::CloseInfo& info) {
    if (id == 0) client_close = info;
  });
  auto cid = (*loop)->add(std::move(cfd), Connection::client(cctx, "localhost"),
                          [&](Connection& c) { return client.step(c); });
  auto sid = (*loop)->add(std::move(sfd), Connection::server(sctx), [&](Connection& c) { return server.step(c); });
  REQUIRE(cid);
  REQUIRE(sid);
  auto finished = (*loop)->run(std::chrono::seconds(30));
  REQUIRE(finished);
  CHECK_MESSAGE(*finished, "the loop timed out");
  CHECK_MESSAGE(client.failure().empty(), client.failure());
  CHECK_MESSAGE(server.failure().empty(), server.failure());
  CHECK(client.done());
  CHECK(server.done());
  CHECK(server.received() == c_out);
  CHECK(client.received() == s_out);
  CHECK((*loop)->closed(*cid));
  REQUIRE(client_close.has_value());
  CHECK(!client_close->transport.has_value());
  CHECK(client_close->reason == adapters::CloseReason::kClean);
  // Both entries were freed once closed (issue 16: nothing kept after close).
  CHECK((*loop)->entries() == 0);
  CHECK((*loop)->counters().handshakes == 2);
}

TEST_CASE("EpollLoop level-triggered, socketpair") {
  run_pair(adapters::EpollLoop::Trigger::kLevel, Transport::kSocketpair, 0);
}
TEST_CASE("EpollLoop level-triggered, TCP") { run_pair(adapters::EpollLoop::Trigger::kLevel, Transport::kTcp, 0); }
TEST_CASE("EpollLoop edge-triggered, socketpair") {
  run_pair(adapters::EpollLoop::Trigger::kEdge, Transport::kSocketpair, 0);
}
TEST_CASE("EpollLoop edge-triggered, TCP, AUTO_RETRY + RELEASE_BUFFERS + partial writes") {
  run_pair(adapters::EpollLoop::Trigger::kEdge, Transport::kTcp,
           kModeAutoRetry | kModeReleaseBuffers | kModeEnablePartialWrite);
}

}  // namespace
}  // namespace sluice::interop
