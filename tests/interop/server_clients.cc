#include "tests/interop/server_clients.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <thread>
#include <vector>

#include "adapters/blocking/blocking_stream.h"
#include "core/connection.h"

namespace sluice::interop {

namespace {

using Clock = std::chrono::steady_clock;

std::string failed(const char* what, const adapters::StreamError& e) { return std::string(what) + ": " + e.describe(); }

}  // namespace

std::string echo_once(const net::SocketAddress& addr, std::shared_ptr<const Context> cctx, const std::string& msg,
                      std::chrono::milliseconds timeout) {
  auto fd = net::connect_to(addr);
  if (!fd) return "connect: " + fd.error().describe();
  adapters::BlockingStream s(std::move(*fd), Connection::client(std::move(cctx), "localhost"));
  s.set_timeout(timeout);
  if (auto r = s.handshake(); !r) return failed("handshake", r.error());
  if (auto r = s.write(std::span(reinterpret_cast<const uint8_t*>(msg.data()), msg.size())); !r) {
    return failed("write", r.error());
  }
  std::string back(msg.size(), '\0');
  if (auto r = s.read_exact(std::span(reinterpret_cast<uint8_t*>(back.data()), back.size())); !r) {
    return failed("read", r.error());
  }
  if (back != msg) return "echo differs";
  if (auto r = s.shutdown(); !r) return failed("shutdown", r.error());
  return "";
}

CanaryStats run_canary(const net::SocketAddress& addr, std::shared_ptr<const Context> cctx,
                       const std::atomic<bool>& stop, std::atomic<int>& round_trips) {
  CanaryStats st;
  auto fd = net::connect_to(addr);
  if (!fd) return st.error = "connect: " + fd.error().describe(), st;
  adapters::BlockingStream s(std::move(*fd), Connection::client(std::move(cctx), "localhost"));
  // A hang guard only: a starved canary shows up as round trips missing
  // while the flood runs, not as this timeout.
  s.set_timeout(std::chrono::seconds(60));
  if (auto r = s.handshake(); !r) return st.error = failed("handshake", r.error()), st;
  std::vector<uint8_t> ping(32, 'c'), pong(32);
  while (!stop.load()) {
    const auto t0 = Clock::now();
    if (auto r = s.write(ping); !r) return st.error = failed("write", r.error()), st;
    if (auto r = s.read_exact(pong); !r) return st.error = failed("read", r.error()), st;
    st.worst = std::max(st.worst, Clock::now() - t0);
    ++round_trips;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (auto r = s.shutdown(); !r) st.error = failed("shutdown", r.error());
  return st;
}

FloodStats run_flood(const net::SocketAddress& addr, std::shared_ptr<const Context> cctx, size_t records,
                     std::atomic<bool>& flood_started) {
  FloodStats st;
  auto fd = net::connect_to(addr);
  if (!fd) return st.error = "connect: " + fd.error().describe(), st;
  const int raw = fd->get();
  adapters::BlockingStream s(std::move(*fd), Connection::client(std::move(cctx), "localhost"));
  s.set_timeout(std::chrono::seconds(30));
  if (auto r = s.handshake(); !r) return st.error = failed("handshake", r.error()), st;
  // Prepared before sending, so the flood is limited by the server alone.
  std::vector<uint8_t> wire;
  Connection& c = s.connection();
  // KeyUpdates between small writes: a peer earns KeyUpdates by the bytes
  // it sends (core/post_handshake13.h), so this flood is one the server
  // must carry, not one it may cut off.
  const std::vector<uint8_t> chunk(64, 'f');
  auto take = [&] {
    auto out = c.outbound();
    wire.insert(wire.end(), out.begin(), out.end());
    c.outbound_consumed(out.size());
  };
  for (size_t i = 0; i < records; ++i) {
    const Progress p = (i % 17 == 16) ? c.key_update(false) : c.write(chunk);
    take();
    if (p.status == Status::kWantWrite) {
      --i;  // outbound was full; drained by take(), so call again
      continue;
    }
    if (p.status != Status::kOk) return st.error = "preparing the flood failed", st;
  }
  // Discard whatever the server sends back (echoes, tickets) unread.
  std::thread drain([raw] {
    uint8_t junk[65536];
    while (::recv(raw, junk, sizeof junk, 0) > 0) {
    }
  });
  flood_started = true;
  size_t off = 0;
  while (off < wire.size()) {
    const ssize_t n = ::send(raw, wire.data() + off, wire.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  st.records = records;
  st.bytes = off;
  if (off < wire.size()) st.error = "send failed after " + std::to_string(off) + " bytes";
  (void)c.shutdown();
  if (auto r = s.flush(); !r && st.error.empty()) st.error = failed("close_notify", r.error());
  ::shutdown(raw, SHUT_WR);
  drain.join();  // ends when the server closes its side
  return st;
}

std::vector<uint8_t> client_hello_bytes(std::shared_ptr<const Context> cctx) {
  Connection c = Connection::client(std::move(cctx), "localhost");
  (void)c.handshake();
  auto out = c.outbound();
  return {out.begin(), out.end()};
}

bool peer_closed(int fd, std::chrono::milliseconds limit) {
  const auto end = Clock::now() + limit;
  uint8_t buf[4096];
  while (Clock::now() < end) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()).count();
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left) + 1) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return true;
  }
  return false;
}

size_t rss_bytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long size = 0, resident = 0;
  const int got = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  return got == 2 ? resident * static_cast<size_t>(::sysconf(_SC_PAGESIZE)) : 0;
}

}  // namespace sluice::interop
