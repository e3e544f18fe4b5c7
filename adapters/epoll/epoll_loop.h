// EpollLoop: one thread driving many Connections over non-blocking sockets.
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
#pragma once

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

class EpollLoop {
 public:
  enum class Trigger : uint8_t { kLevel, kEdge };
  using Handler = std::function<Want(Connection&)>;

  [[nodiscard]] static net::SysResult<std::unique_ptr<EpollLoop>> create(Trigger trigger);

  // add registers a connected stream socket (made non-blocking here) with
  // its connection and handler, and calls the handler once to start.
  // Returns the connection's id.
  [[nodiscard]] net::SysResult<size_t> add(net::Fd fd, Connection conn, Handler handler);
  // run dispatches events until every connection is closed (true) or
  // `timeout` passes (false).
  [[nodiscard]] net::SysResult<bool> run(std::chrono::milliseconds timeout);

  const Connection& connection(size_t id) const { return entries_[id]->conn; }
  bool closed(size_t id) const { return entries_[id]->closed; }
  // transport_error is the socket failure that closed a connection, if any.
  const std::optional<net::SysError>& transport_error(size_t id) const { return entries_[id]->sys_error; }

 private:
  struct Entry {
    size_t id;
    net::Fd fd;
    Connection conn;
    Handler handler;
    Want want = Want::kAgain;
    bool can_read = true;   // the socket may have bytes (no EAGAIN since the last event)
    bool can_write = true;  // the socket may take bytes
    bool async_armed = false;
    bool async_ready = false;
    bool closing = false;
    bool closed = false;
    uint32_t events = 0;  // registered interest (level-triggered)
    std::optional<net::SysError> sys_error = std::nullopt;
  };

  EpollLoop(net::Fd ep, Trigger t) : ep_(std::move(ep)), trigger_(t) {}
  void pump(Entry& e);
  bool send_some(Entry& e);     // false on a transport error
  bool receive_some(Entry& e);  // true when bytes (or EOF) were fed
  void update_interest(Entry& e);
  void close(Entry& e, std::optional<net::SysError> why);

  net::Fd ep_;
  Trigger trigger_;
  std::vector<std::unique_ptr<Entry>> entries_;
  size_t open_ = 0;
};

}  // namespace sluice::adapters
