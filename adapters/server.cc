#include "adapters/server.h"

#include <algorithm>

namespace sluice::adapters {

std::string_view name(CloseReason r) {
  switch (r) {
    case CloseReason::kClean: return "clean";
    case CloseReason::kTlsError: return "tls_error";
    case CloseReason::kTransportError: return "transport_error";
    case CloseReason::kHandshakeTimeout: return "handshake_timeout";
    case CloseReason::kIdleTimeout: return "idle_timeout";
    case CloseReason::kEvicted: return "evicted";
    case CloseReason::kShutdown: return "shutdown";
    case CloseReason::kShutdownForced: return "shutdown_forced";
  }
  return "unknown";
}

uint64_t LoopCounters::failures() const {
  uint64_t n = 0;
  for (size_t i = 0; i < kNumCloseReasons; ++i) n += closed[i];
  return n - closed_by(CloseReason::kClean) - closed_by(CloseReason::kShutdown);
}

namespace detail {

std::optional<CloseReason> expired(const LoopOptions& o, const Deadlines& d, bool handshake_done, bool closing,
                                   Clock::time_point now) {
  if (closing) {
    if (d.close_by && now >= *d.close_by) return d.late_reason;
    return std::nullopt;
  }
  if (!handshake_done && o.handshake_timeout.count() > 0 && now - d.added >= o.handshake_timeout) {
    return CloseReason::kHandshakeTimeout;
  }
  if (o.idle_timeout.count() > 0 && now - d.last_activity >= o.idle_timeout) return CloseReason::kIdleTimeout;
  return std::nullopt;
}

Clock::duration sweep_interval(const LoopOptions& o) {
  Clock::duration shortest = std::chrono::milliseconds(1000);
  for (auto t : {o.handshake_timeout, o.idle_timeout, o.close_linger}) {
    if (t.count() > 0) shortest = std::min<Clock::duration>(shortest, t);
  }
  return std::clamp<Clock::duration>(shortest / 4, std::chrono::milliseconds(1), std::chrono::milliseconds(250));
}

CloseReason classify(const Connection& c, const std::optional<net::SysError>& sys) {
  const Error& e = c.error();
  // A peer's close_notify is how a clean close is reported, not a failure.
  if (!e.ok() && e.reason != Reason::kCloseNotify) {
    return e.reason == Reason::kTruncated ? CloseReason::kTransportError : CloseReason::kTlsError;
  }
  if (sys) return CloseReason::kTransportError;
  return CloseReason::kClean;
}

}  // namespace detail
}  // namespace sluice::adapters
