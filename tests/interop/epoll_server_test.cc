// EpollLoop as a server (issue 16): every scenario of server_scenarios.h,
// level-triggered, and the flood also edge-triggered (where a socket that
// never hits EAGAIN used to keep the loop to itself).
#include <doctest/doctest.h>

#include "adapters/epoll/epoll_loop.h"
#include "tests/interop/server_scenarios.h"

namespace sluice::interop {
namespace {

using adapters::EpollLoop;
using std::chrono::milliseconds;

std::unique_ptr<EpollLoop> make(adapters::LoopOptions o = {}, EpollLoop::Trigger t = EpollLoop::Trigger::kLevel) {
  auto loop = EpollLoop::create(t, o);
  REQUIRE(loop);
  return std::move(*loop);
}

adapters::LoopOptions timeouts(milliseconds handshake, milliseconds idle) {
  adapters::LoopOptions o;
  o.handshake_timeout = handshake;
  o.idle_timeout = idle;
  return o;
}

TEST_CASE("EpollLoop server: listeners on 127.0.0.1 and ::1") { scenarios::listeners_ipv4_and_ipv6(*make()); }
TEST_CASE("EpollLoop server: a flooding peer does not starve a canary (level)") {
  scenarios::flood_beside_canary(*make());
}
TEST_CASE("EpollLoop server: a flooding peer does not starve a canary (edge)") {
  scenarios::flood_beside_canary(*make({}, EpollLoop::Trigger::kEdge));
}
TEST_CASE("EpollLoop server: run(1ms) waits about 1 ms") { scenarios::run_1ms_waits(*make()); }
TEST_CASE("EpollLoop server: stallers and idlers are evicted by deadline") {
  scenarios::stallers_evicted_by_deadline(*make(timeouts(milliseconds(300), milliseconds(600))));
}
TEST_CASE("EpollLoop server: deadlines off, then evict()") {
  scenarios::deadlines_off_then_evict(*make(timeouts(milliseconds(0), milliseconds(0))));
}
TEST_CASE("EpollLoop server: close() sends close_notify") { scenarios::close_sends_close_notify(*make()); }
TEST_CASE("EpollLoop server: graceful shutdown") { scenarios::graceful_shutdown(*make()); }
TEST_CASE("EpollLoop server: shutdown evicts a peer that does not read after the drain time") {
  scenarios::shutdown_forced_when_peer_does_not_read(*make());
}
TEST_CASE("EpollLoop server: a connect burst past the old backlog") {
  adapters::LoopOptions o;
  o.accept_budget = 8;
  scenarios::connect_burst(*make(o));
}
TEST_CASE("EpollLoop server: out of fds, the listener rests instead of spinning") {
  scenarios::out_of_fds_rests(*make());
}
TEST_CASE("EpollLoop server: 1,000 sequential connections leave nothing behind") {
  scenarios::sequential_leaves_nothing(*make(), 1000);
}

}  // namespace
}  // namespace sluice::interop
