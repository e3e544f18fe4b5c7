// UringLoop: the EpollLoop contract (handlers returning Want, listeners,
// deadlines, close/evict, graceful shutdown, counters) over io_uring.
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
//     the loop's own buffer and feed() it (one copy) instead;
//   - close() queues close_notify only once no send is in flight, and
//     cancels a pending receive so a silent peer cannot hold the close.
// Closing waits until the kernel has handed back every operation of the
// connection; then its entry is freed at the end of that turn.
// Fairness: each completion runs the handler at most handler_budget times;
// a connection with work left waits in a ready queue behind the next batch
// of completions. Accepts are posted one at a time per listener, at most
// accept_budget per turn.
// io_uring may be refused (seccomp, sysctl kernel.io_uring_disabled):
// create() then fails with call "io_uring_queue_init" and the errno.
#pragma once

#include <liburing.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "adapters/net/fd.h"
#include "adapters/net/sys_error.h"
#include "adapters/server.h"
#include "adapters/want.h"
#include "core/connection.h"

namespace sluice::adapters {

class UringLoop {
 public:
  using Handler = adapters::Handler;

  // create sets up a ring of `entries` submission slots (a full queue is
  // submitted and retried, so this bounds batching, not connections).
  [[nodiscard]] static net::SysResult<std::unique_ptr<UringLoop>> create(unsigned entries = 256,
                                                                       LoopOptions options = {});
  ~UringLoop();

  // add registers a connected stream socket with its connection and handler
  // and starts it. Returns the connection's id.
  [[nodiscard]] net::SysResult<ConnId> add(net::Fd fd, Connection conn, Handler handler);
  // listen serves `service` on a listening socket (net::listen_on); see
  // EpollLoop::listen.
  [[nodiscard]] net::SysResult<size_t> listen(net::Fd listener, Service service);
  // run processes completions until nothing is registered (no connection,
  // no listener: true) or `timeout` passes (false).
  [[nodiscard]] net::SysResult<bool> run(std::chrono::milliseconds timeout);

  // close, evict, begin_shutdown: as EpollLoop's. An evicted connection
  // stays (evict() then returns false, find() still finds it) until the
  // kernel has handed back its operations, usually within the turn.
  bool close(ConnId id);
  bool evict(ConnId id);
  void begin_shutdown(std::chrono::milliseconds drain);

  const Connection* find(ConnId id) const;
  bool closed(ConnId id) const { return find(id) == nullptr; }
  void set_on_close(OnClose cb) { on_close_ = std::move(cb); }
  const LoopCounters& counters() const { return counters_; }
  size_t entries() const { return entries_.size(); }
  const LoopOptions& options() const { return options_; }
  // zero_copy_receives counts receives that went straight into the engine.
  uint64_t zero_copy_receives() const { return zero_copy_; }

 private:
  enum Op : uint64_t { kRecv = 0, kSend = 1, kAsyncPoll = 2, kAccept = 3, kCancel = 4 };
  struct Entry {
    Entry(ConnId i, net::Fd f, Connection c, Handler h)
        : id(i), fd(std::move(f)), conn(std::move(c)), handler(std::move(h)) {}
    ConnId id = 0;
    net::Fd fd;
    Connection conn;
    Handler handler;
    Want want = Want::kAgain;
    detail::Deadlines times;
    bool recv_inflight = false;
    bool send_inflight = false;
    bool async_inflight = false;
    bool fed = false;      // bytes or EOF arrived since the handler last ran
    bool drained = false;  // outbound shrank since the handler last ran
    bool async_done = false;
    bool closing = false;
    bool aborting = false;          // closing without sending anything more
    bool need_close_notify = false; // close(): call shutdown() once no send is in flight
    bool cancels_posted = false;
    bool closed = false;
    bool queued = false;
    bool handshake_counted = false;
    bool copy_receive = false;     // RELEASE_BUFFERS: receive into `staging`
    std::vector<uint8_t> staging;  // only for copy receives
    std::optional<CloseReason> closing_reason;
    std::optional<net::SysError> sys_error = std::nullopt;

    bool inflight() const { return recv_inflight || send_inflight || async_inflight; }
  };
  struct Listener {
    net::Fd fd;
    Service service;
    bool accept_inflight = false;
    bool stopping = false;  // begin_shutdown: closed once the accept is back
    int accepted_this_turn = 0;
    std::optional<Clock::time_point> paused_until;  // out of fds: no accept posted until then
  };

  UringLoop(io_uring ring, LoopOptions o) : ring_(ring), options_(o) {}
  Entry* entry(ConnId id);
  void drive(Entry& e);
  void post(Entry& e);
  void complete(Entry& e, Op op, int res);
  io_uring_sqe* sqe();
  void cancel_inflight(Entry& e);
  void abort(Entry& e, std::optional<CloseReason> reason, std::optional<net::SysError> why);
  void try_close(Entry& e);
  void start_closing(Entry& e, std::optional<CloseReason> reason, Clock::duration linger);
  void queue(Entry& e);
  void post_accept(size_t listener_id);
  void accepted(size_t listener_id, int res);
  void sweep(Clock::time_point now);
  void serve_ready();
  void reap();

  io_uring ring_;
  LoopOptions options_;
  std::unordered_map<ConnId, std::unique_ptr<Entry>> entries_;
  std::unordered_map<size_t, Listener> listeners_;
  std::vector<ConnId> ready_;
  std::vector<ConnId> dead_;
  ConnId next_id_ = 0;
  size_t next_listener_ = 0;
  Clock::time_point next_sweep_{};
  OnClose on_close_;
  LoopCounters counters_;
  uint64_t zero_copy_ = 0;
};

}  // namespace sluice::adapters
