// Clients and probes for the server-loop tests (issue 16): a blocking echo
// client, a flooding peer, stallers, and the process's resident set size.
// Everything connects to 127.0.0.1 or ::1 only.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "adapters/net/address.h"
#include "adapters/net/fd.h"
#include "core/context.h"

namespace sluice::interop {

// echo_once connects, handshakes, sends `msg`, reads it back, and closes
// with close_notify both ways, each step bounded by `timeout`. Returns ""
// on success, else what failed.
std::string echo_once(const net::SocketAddress& addr, std::shared_ptr<const Context> cctx, const std::string& msg,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

// CanaryStats: how a small echo fared while something else ran.
struct CanaryStats {
  std::string error;
  std::chrono::steady_clock::duration worst{};
};
// run_canary pings 32 bytes through the echo server until `stop`, counting
// each completed round trip in `round_trips` as it happens (so another
// thread can see when the canary was served).
CanaryStats run_canary(const net::SocketAddress& addr, std::shared_ptr<const Context> cctx,
                       const std::atomic<bool>& stop, std::atomic<int>& round_trips);

// FloodStats: what the flooding peer did.
struct FloodStats {
  std::string error;
  size_t records = 0;
  size_t bytes = 0;
};
// run_flood handshakes, then prepares `records` records off the clock
// (groups of 16 KeyUpdates and one byte of data, within the engine's
// kMaxKeyUpdatesWithoutData), and sends them as fast as the socket takes
// them. The echoes are discarded unread (ciphertext drained by a thread).
FloodStats run_flood(const net::SocketAddress& addr, std::shared_ptr<const Context> cctx, size_t records,
                     std::atomic<bool>& flood_started);

// client_hello_bytes is a real ClientHello (the first flight of a client).
std::vector<uint8_t> client_hello_bytes(std::shared_ptr<const Context> cctx);

// peer_closed waits up to `limit` for the peer to close `fd` (EOF or reset
// after any bytes it sends); true if it did.
bool peer_closed(int fd, std::chrono::milliseconds limit);

// rss_bytes is the process's resident set size, from /proc/self/statm.
size_t rss_bytes();

}  // namespace sluice::interop
