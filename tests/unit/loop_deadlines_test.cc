// The deadline rules both server loops share (adapters/server.h,
// detail::expired), driven with explicit times: each deadline fires exactly
// when its time is up and not a tick before, for the reason it names. The
// loop tests (tests/interop/*_server_test) show the loops apply these rules;
// the exact minimum waits are asserted here, on a clock the test owns,
// rather than on wall time there.
#include <doctest/doctest.h>

#include "adapters/server.h"

namespace sluice::adapters {
namespace {

using std::chrono::milliseconds;
constexpr Clock::duration kTick{1};
const Clock::time_point kStart{std::chrono::seconds(1000)};

LoopOptions deadlines(milliseconds handshake, milliseconds idle) {
  LoopOptions o;
  o.handshake_timeout = handshake;
  o.idle_timeout = idle;
  return o;
}

detail::Deadlines added_at(Clock::time_point t) {
  detail::Deadlines d;
  d.added = d.last_activity = t;
  return d;
}

TEST_CASE("expired: the handshake deadline fires at handshake_timeout, only before the handshake is done") {
  const auto o = deadlines(milliseconds(300), milliseconds(0));
  const auto d = added_at(kStart);
  const auto due = kStart + milliseconds(300);
  CHECK(!detail::expired(o, d, false, false, due - kTick));
  CHECK(detail::expired(o, d, false, false, due) == CloseReason::kHandshakeTimeout);
  CHECK(!detail::expired(o, d, true, false, due + std::chrono::hours(1)));
}

TEST_CASE("expired: the idle deadline counts from the last byte moved") {
  const auto o = deadlines(milliseconds(0), milliseconds(600));
  auto d = added_at(kStart);
  d.last_activity = kStart + milliseconds(500);
  const auto due = d.last_activity + milliseconds(600);
  CHECK(!detail::expired(o, d, true, false, due - kTick));
  CHECK(detail::expired(o, d, true, false, due) == CloseReason::kIdleTimeout);
}

TEST_CASE("expired: a zero duration turns a deadline off") {
  const auto o = deadlines(milliseconds(0), milliseconds(0));
  CHECK(!detail::expired(o, added_at(kStart), false, false, kStart + std::chrono::hours(24)));
}

TEST_CASE("expired: a closing connection waits for close_by only, then gets its late reason") {
  // Shutting down with a 300 ms drain: the handshake and idle deadlines no
  // longer apply, and nothing fires before the drain is over.
  const auto o = deadlines(milliseconds(1), milliseconds(1));
  auto d = added_at(kStart);
  d.close_by = kStart + milliseconds(300);
  d.late_reason = CloseReason::kShutdownForced;
  CHECK(!detail::expired(o, d, false, true, *d.close_by - kTick));
  CHECK(detail::expired(o, d, false, true, *d.close_by) == CloseReason::kShutdownForced);
  d.late_reason = CloseReason::kEvicted;  // close() whose close_notify never left
  CHECK(detail::expired(o, d, true, true, *d.close_by) == CloseReason::kEvicted);
}

}  // namespace
}  // namespace sluice::adapters
