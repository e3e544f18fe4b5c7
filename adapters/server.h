// What the epoll and io_uring loops share as servers: options (budgets and
// deadlines), why a connection closed, counters, and the Service a listener
// serves. Both loops take and report exactly these types, so a server
// written for one runs on the other by changing one line.
#pragma once

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "adapters/net/sys_error.h"
#include "adapters/want.h"
#include "core/connection.h"

namespace sluice::adapters {

using Clock = std::chrono::steady_clock;
// ConnId names one connection for the loop's lifetime; ids are never reused,
// so a stale id is simply unknown, never someone else's connection.
using ConnId = uint64_t;
// Handler holds a connection's application protocol: it makes engine calls
// and returns the Want of the call it stopped on (see want.h).
using Handler = std::function<Want(Connection&)>;

// LoopOptions: per-loop limits. A zero duration turns that deadline off.
struct LoopOptions {
  // handshake_timeout: a connection whose handshake has not finished this
  // long after it was added is evicted (a client that sends a ClientHello
  // and stops, or connects and sends nothing, would otherwise hold its slot
  // forever).
  std::chrono::milliseconds handshake_timeout{10'000};
  // idle_timeout: evict once no byte has moved either way for this long.
  std::chrono::milliseconds idle_timeout{120'000};
  // close_linger bounds how long a closing connection may take to flush its
  // last records (close_notify or an alert) to a peer that does not read.
  std::chrono::milliseconds close_linger{2'000};
  // read_budget: bytes received for one connection per turn of the loop,
  // and handler_budget: handler calls per turn. Past either, the connection
  // goes to the back of the ready queue, so one busy peer cannot starve the
  // others (a flood of tiny records costs a handler call each).
  size_t read_budget = 64 * 1024;
  int handler_budget = 64;
  // accept_budget: connections accepted per listener per turn, so a connect
  // storm cannot starve connections already being served.
  int accept_budget = 64;
  // accept_pause: after accept() fails for want of a resource (EMFILE,
  // ENFILE, ENOBUFS, ENOMEM) the listener rests this long. The pending
  // connection stays in the backlog, so a level-triggered listener would
  // otherwise report it again at once and the loop would spin on it.
  std::chrono::milliseconds accept_pause{100};
};

namespace detail {
// out_of_resources: accept() failed for a reason that retrying at once
// cannot fix.
constexpr bool out_of_resources(int err) { return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM; }
}  // namespace detail

// CloseReason: why a connection ended. kClean and kShutdown are successes.
enum class CloseReason : uint8_t {
  kClean,             // the handler returned kClose (or close() was called) with no TLS error
  kTlsError,          // the engine failed: Connection::error() says why
  kTransportError,    // a socket call failed, or the peer vanished without close_notify
  kHandshakeTimeout,  // LoopOptions::handshake_timeout passed
  kIdleTimeout,       // LoopOptions::idle_timeout passed
  kEvicted,           // evict() was called, or a closing peer never took its last bytes
  kShutdown,          // closed with close_notify by begin_shutdown()
  kShutdownForced,    // begin_shutdown()'s drain time ran out first
};
inline constexpr size_t kNumCloseReasons = 8;
std::string_view name(CloseReason r);

// CloseInfo: handed to the on_close callback once a connection is gone.
struct CloseInfo {
  CloseReason reason = CloseReason::kClean;
  bool handshake_done = false;
  Error tls;                              // Connection::error() at close
  std::optional<net::SysError> transport; // the socket failure, if any
  Clock::duration lifetime{};
};
using OnClose = std::function<void(ConnId, const CloseInfo&)>;

// LoopCounters: cumulative since the loop was created, except `open`.
struct LoopCounters {
  uint64_t accepted = 0;      // connections taken from listeners
  uint64_t added = 0;         // connections added (accepted ones included)
  uint64_t open = 0;          // connections not yet closed
  uint64_t handshakes = 0;    // handshakes completed
  uint64_t accept_errors = 0; // accept() failures other than "try again"
  std::array<uint64_t, kNumCloseReasons> closed{};  // by CloseReason
  uint64_t closed_by(CloseReason r) const { return closed[static_cast<size_t>(r)]; }
  // failures: every close that was not kClean or kShutdown.
  uint64_t failures() const;
};

// Service: what a listener serves. `make_handler` is called once per
// accepted connection and returns the handler that speaks the application
// protocol on it (per-connection state lives in what the handler captures).
struct Service {
  std::shared_ptr<const Context> ctx;
  std::function<Handler(ConnId)> make_handler;
};

namespace detail {

// Deadlines: the shared timing rules of both loops.
struct Deadlines {
  Clock::time_point added;
  Clock::time_point last_activity;
  std::optional<Clock::time_point> close_by;  // set while closing
  CloseReason late_reason = CloseReason::kEvicted;
};

// expired says whether an entry is past one of its deadlines, and which.
std::optional<CloseReason> expired(const LoopOptions& o, const Deadlines& d, bool handshake_done,
                                   bool closing, Clock::time_point now);
// sweep_interval is how often the loops look for expired entries: a quarter
// of the shortest deadline, between 1 ms and 250 ms.
Clock::duration sweep_interval(const LoopOptions& o);
// classify is the reason of a close the loop did not decide itself.
CloseReason classify(const Connection& c, const std::optional<net::SysError>& sys);

}  // namespace detail
}  // namespace sluice::adapters
