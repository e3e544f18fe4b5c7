// BlockingStream: a Connection over a connected, blocking stream socket
// (BearSSL's br_sslio shape). Each call is one run_until loop: call the
// engine, send what it produced, and on kWantRead receive from the socket
// straight into the engine's inbound buffer; on kWantAsync wait in poll() for
// async_fd(). The stream holds no TLS logic and no buffer of its own.
//
// Reads loop on the socket instead of returning kWantRead to the caller, as
// DESIGN.md's AUTO_RETRY section asks: with kModeAutoRetry off, a read that
// stops on a post-handshake record while more records are buffered loops
// again without touching the socket (wants_read() is false then).
//
// Timeouts: set_timeout bounds every public operation as a whole (one
// deadline per call, however many records and syscalls it takes). Waits
// then go through poll() with the time left, and sends use MSG_DONTWAIT so
// a peer that stops reading cannot block a send past the deadline.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>

#include "adapters/blocking/stream_error.h"
#include "adapters/net/fd.h"
#include "core/connection.h"

namespace sluice::adapters {

class BlockingStream {
 public:
  // BlockingStream takes ownership of `fd`, a connected blocking socket (or
  // any stream fd, e.g. one end of a socketpair).
  BlockingStream(net::Fd fd, Connection conn) : fd_(std::move(fd)), conn_(std::move(conn)) {}

  // handshake runs the handshake to completion.
  [[nodiscard]] StreamResult<void> handshake();
  // read returns at least one byte of application data, or 0 once the peer
  // has sent close_notify. The transport ending without close_notify is a
  // kTls error with Reason::kTruncated.
  [[nodiscard]] StreamResult<size_t> read(std::span<uint8_t> out);
  // read_exact fills `out` completely; a clean close before that is
  // reported as Reason::kTruncated.
  [[nodiscard]] StreamResult<void> read_exact(std::span<uint8_t> out);
  // write seals and sends all of `in` (looping over partial writes when
  // kModeEnablePartialWrite is set).
  [[nodiscard]] StreamResult<void> write(std::span<const uint8_t> in);
  // shutdown sends close_notify; when `wait_for_peer`, it then waits for the
  // peer's close_notify (discarding application data that arrives first).
  [[nodiscard]] StreamResult<void> shutdown(bool wait_for_peer = true);
  // flush sends everything in outbound().
  [[nodiscard]] StreamResult<void> flush();

  // set_timeout bounds each operation above (handshake, read, read_exact,
  // write, shutdown, flush): when it runs out the call fails with
  // StreamError::Kind::kTimeout. The connection may then be mid-record:
  // close the stream rather than retry. Zero (the default) waits forever.
  void set_timeout(std::chrono::milliseconds t) { timeout_ = t; }
  std::chrono::milliseconds timeout() const { return timeout_; }

  Connection& connection() { return conn_; }
  const Connection& connection() const { return conn_; }
  int fd() const { return fd_.get(); }
  // Byte counters of the transport (ciphertext), for tests and the CLI.
  uint64_t bytes_sent() const { return sent_; }
  uint64_t bytes_received() const { return received_; }

 private:
  // run_until calls `op` until it returns kOk or kZeroReturn, doing the I/O
  // each kWant* asks for.
  template <class Op>
  StreamResult<Progress> run_until(Op&& op);
  StreamResult<void> receive();
  StreamResult<void> wait_async();
  StreamResult<void> send_all();
  // wait_for polls `fd` for `events` until the operation's deadline (or
  // forever without one); a timeout is reported as Kind::kTimeout naming `what`.
  StreamResult<void> wait_for(int fd, short events, const char* what);
  StreamError tls_error() const;

  // OpScope: the outermost public call sets the deadline; nested calls
  // (read_exact -> read, shutdown -> flush) share it.
  struct OpScope {
    explicit OpScope(BlockingStream& s);
    ~OpScope() { --s.depth_; }
    BlockingStream& s;
  };

  net::Fd fd_;
  Connection conn_;
  uint64_t sent_ = 0;
  uint64_t received_ = 0;
  std::chrono::milliseconds timeout_{0};
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  int depth_ = 0;
};

}  // namespace sluice::adapters
