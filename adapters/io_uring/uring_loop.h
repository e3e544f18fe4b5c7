// UringLoop: the EpollLoop contract (handlers returning Want) over io_uring.
//
// Receives are zero-copy: the kernel writes straight into the engine's
// inbound_space(), committed with inbound_commit() on completion. Sends come
// straight from outbound(). While the kernel holds those spans, the engine
// must not move them, so:
//   - a connection's handler runs only when none of its operations is in
//     flight (an engine call may compact or consume its buffers);
//   - a receive is posted only while the handler waits to read (kRead), so
//     each connection is half-duplex at the application level: a handler
//     waiting to write is not also reading (fine for request/response and
//     for the tests' send-then-receive; a full-duplex app wants EpollLoop);
//   - with kModeReleaseBuffers the engine may hand its inbound buffer back to
//     the pool from outbound_consumed(), so such connections receive into
//     the loop's own buffer and feed() it (one copy) instead.
// io_uring may be refused (seccomp, sysctl kernel.io_uring_disabled):
// create() then fails with call "io_uring_queue_init" and the errno.
#pragma once

#include <liburing.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "adapters/net/fd.h"
#include "adapters/net/sys_error.h"
#include "adapters/want.h"
#include "core/connection.h"

namespace sluice::adapters {

class UringLoop {
 public:
  using Handler = std::function<Want(Connection&)>;

  [[nodiscard]] static net::SysResult<std::unique_ptr<UringLoop>> create(unsigned entries = 256);
  ~UringLoop();

  // add registers a connected stream socket with its connection and handler
  // and starts it. Returns the connection's id.
  [[nodiscard]] net::SysResult<size_t> add(net::Fd fd, Connection conn, Handler handler);
  // run processes completions until every connection is closed (true) or
  // `timeout` passes (false).
  [[nodiscard]] net::SysResult<bool> run(std::chrono::milliseconds timeout);

  const Connection& connection(size_t id) const { return entries_[id]->conn; }
  bool closed(size_t id) const { return entries_[id]->closed; }
  const std::optional<net::SysError>& transport_error(size_t id) const { return entries_[id]->sys_error; }
  // zero_copy_receives counts receives that went straight into the engine.
  uint64_t zero_copy_receives() const { return zero_copy_; }

 private:
  enum Op : uint64_t { kRecv = 0, kSend = 1, kAsyncPoll = 2 };
  struct Entry {
    Entry(size_t i, net::Fd f, Connection c, Handler h)
        : id(i), fd(std::move(f)), conn(std::move(c)), handler(std::move(h)) {}
    size_t id = 0;
    net::Fd fd;
    Connection conn;
    Handler handler;
    Want want = Want::kAgain;
    bool recv_inflight = false;
    bool send_inflight = false;
    bool async_inflight = false;
    bool fed = false;      // bytes or EOF arrived since the handler last ran
    bool drained = false;  // outbound shrank since the handler last ran
    bool async_done = false;
    bool closing = false;
    bool closed = false;
    bool copy_receive = false;     // RELEASE_BUFFERS: receive into `staging`
    size_t posted_space = 0;       // size of the span lent to the kernel
    std::vector<uint8_t> staging;  // only for copy receives
    std::optional<net::SysError> sys_error = std::nullopt;

    bool inflight() const { return recv_inflight || send_inflight || async_inflight; }
  };

  explicit UringLoop(io_uring ring) : ring_(ring) {}
  void drive(Entry& e);
  void post(Entry& e);
  void complete(Entry& e, Op op, int res);
  io_uring_sqe* sqe();
  void finish(Entry& e, std::optional<net::SysError> why);

  io_uring ring_;
  std::vector<std::unique_ptr<Entry>> entries_;
  size_t open_ = 0;
  uint64_t zero_copy_ = 0;
};

}  // namespace sluice::adapters
