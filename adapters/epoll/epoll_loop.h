// EpollLoop: one thread driving many Connections over non-blocking sockets,
// and a server: listeners, deadlines, fairness, graceful shutdown.
//
// Each connection has a handler holding the application's logic: it makes
// engine calls (handshake/read/write/shutdown) and returns the Want of the
// call it stopped on. The loop moves ciphertext and calls the handler again
// once that wait is over. It holds no TLS logic: it sends while
// wants_write(), receives (straight into inbound_space()) while
// wants_read(), and waits on async_fd() for kAsync.
//
// Interest follows the engine: level-triggered registers EPOLLIN only while
// wants_read() and EPOLLOUT only while wants_write(), so a connection whose
// records are already buffered never waits on its socket; edge-triggered
// registers both once and remembers, per socket, whether the last read or
// write stopped on EAGAIN.
//
// Fairness: one readiness event moves at most LoopOptions::read_budget
// bytes and handler_budget handler calls for its connection; a connection
// with work left goes to a ready queue served after the next epoll_wait(0),
// behind every other ready socket. So run(timeout) returns within one turn
// of its timeout however hard a peer pushes.
//
// Lifetime: a closed connection's entry (Connection, record buffers,
// handler) is freed at the end of the turn it closed in; on_close is the
// last word about it. Ids are not reused.
#pragma once

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

class EpollLoop {
 public:
  enum class Trigger : uint8_t { kLevel, kEdge };
  using Handler = adapters::Handler;

  // create makes a loop with its own epoll fd; fails only if epoll_create1
  // does. `options` (budgets, deadlines) apply to every connection.
  [[nodiscard]] static net::SysResult<std::unique_ptr<EpollLoop>> create(Trigger trigger, LoopOptions options = {});

  // add registers a connected stream socket (made non-blocking here) with
  // its connection and handler, and calls the handler once to start.
  // Returns the connection's id.
  [[nodiscard]] net::SysResult<ConnId> add(net::Fd fd, Connection conn, Handler handler);
  // listen serves `service` on a listening socket (net::listen_on): up to
  // accept_budget connections are accepted per turn, each with a server
  // Connection of service.ctx and the handler service.make_handler gives.
  // Returns the listener's id.
  [[nodiscard]] net::SysResult<size_t> listen(net::Fd listener, Service service);

  // run dispatches events until nothing is registered (no connection, no
  // listener: true) or `timeout` passes (false). It waits in epoll_wait for
  // the remaining time rounded up, so run(1ms) does wait about 1 ms.
  [[nodiscard]] net::SysResult<bool> run(std::chrono::milliseconds timeout);

  // close ends a connection gracefully: close_notify is queued, sent, and
  // the socket closed (within close_linger, else it is evicted). false when
  // `id` is unknown or already closing. The handler is not called again.
  bool close(ConnId id);
  // evict closes a connection at once, sending nothing more (also one that
  // is closing gracefully). false when `id` is unknown or already closed.
  bool evict(ConnId id);
  // begin_shutdown stops every listener and closes every connection with
  // close_notify; connections still flushing after `drain` are evicted
  // (kShutdownForced). run() then returns true once all are gone.
  void begin_shutdown(std::chrono::milliseconds drain);

  // find is the live connection `id`, or nullptr once it is closed.
  const Connection* find(ConnId id) const;
  bool closed(ConnId id) const { return find(id) == nullptr; }
  // on_close is called once per connection, as it closes (it may add or
  // close other connections; the entry itself is freed after the turn).
  void set_on_close(OnClose cb) { on_close_ = std::move(cb); }
  const LoopCounters& counters() const { return counters_; }
  // entries is how many connections the loop holds memory for (open ones,
  // plus ones closed in the current turn).
  size_t entries() const { return entries_.size(); }
  const LoopOptions& options() const { return options_; }

 private:
  struct Entry {
    Entry(ConnId i, net::Fd f, Connection c, Handler h)
        : id(i), fd(std::move(f)), conn(std::move(c)), handler(std::move(h)) {}
    ConnId id;
    net::Fd fd;
    Connection conn;
    Handler handler;
    Want want = Want::kAgain;
    detail::Deadlines times;
    bool can_read = true;   // the socket may have bytes (no EAGAIN since the last event)
    bool can_write = true;  // the socket may take bytes
    bool async_armed = false;
    bool async_ready = false;
    bool closing = false;
    bool closed = false;
    bool queued = false;    // in ready_ (budget ran out with work left)
    bool handshake_counted = false;
    uint32_t events = 0;    // registered interest (level-triggered)
    std::optional<CloseReason> closing_reason;  // set when the loop (not the handler) decided to close
    std::optional<net::SysError> sys_error = std::nullopt;
  };
  struct Listener {
    net::Fd fd;
    Service service;
    std::optional<Clock::time_point> paused_until;  // out of fds: not watched until then
  };

  EpollLoop(net::Fd ep, Trigger t, LoopOptions o) : ep_(std::move(ep)), trigger_(t), options_(o) {}
  Entry* entry(ConnId id);
  void pump(Entry& e);
  bool send_some(Entry& e);                   // false on a transport error
  bool receive_some(Entry& e, size_t& budget);  // true when bytes (or EOF) were fed
  void update_interest(Entry& e);
  void finish(Entry& e, std::optional<CloseReason> reason, std::optional<net::SysError> why);
  void start_closing(Entry& e, std::optional<CloseReason> reason, Clock::duration linger);
  void queue(Entry& e);
  void accept_some(size_t listener_id);
  // resume_listeners watches paused listeners again once their pause is
  // over; returns the earliest pause still running.
  std::optional<Clock::time_point> resume_listeners(Clock::time_point now);
  void sweep(Clock::time_point now);
  void serve_ready();
  void reap();

  net::Fd ep_;
  Trigger trigger_;
  LoopOptions options_;
  std::unordered_map<ConnId, std::unique_ptr<Entry>> entries_;
  std::unordered_map<size_t, Listener> listeners_;
  std::vector<ConnId> ready_;  // budget ran out with work left: served next turn
  std::vector<ConnId> dead_;   // closed this turn, freed at its end
  ConnId next_id_ = 0;
  size_t next_listener_ = 0;
  Clock::time_point next_sweep_{};
  OnClose on_close_;
  LoopCounters counters_;
};

}  // namespace sluice::adapters
