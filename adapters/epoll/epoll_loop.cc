// EpollLoop, per-connection half: moving bytes within a budget, calling the
// handler, closing. The server half (run, listeners, deadlines, shutdown)
// is in epoll_server.cc.
#include "adapters/epoll/epoll_loop.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "adapters/epoll/epoll_tag.h"
#include "adapters/net/loopback.h"

namespace sluice::adapters {

net::SysResult<std::unique_ptr<EpollLoop>> EpollLoop::create(Trigger trigger, LoopOptions options) {
  net::Fd ep(::epoll_create1(EPOLL_CLOEXEC));
  if (!ep.valid()) return Err(net::SysError::last("epoll_create1"));
  return std::unique_ptr<EpollLoop>(new EpollLoop(std::move(ep), trigger, options));
}

EpollLoop::Entry* EpollLoop::entry(ConnId id) {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : it->second.get();
}

const Connection* EpollLoop::find(ConnId id) const {
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second->closed) return nullptr;
  return &it->second->conn;
}

net::SysResult<ConnId> EpollLoop::add(net::Fd fd, Connection conn, Handler handler) {
  SLUICE_TRY(net::set_nonblocking(fd.get()));
  const ConnId id = next_id_++;
  auto e = std::make_unique<Entry>(id, std::move(fd), std::move(conn), std::move(handler));
  const auto now = Clock::now();
  e->times.added = e->times.last_activity = now;
  epoll_event ev{};
  ev.data.u64 = epoll_tag::make(id, epoll_tag::kSocket);
  // Edge-triggered: register everything once. Level-triggered: start with
  // nothing and let update_interest follow the engine.
  ev.events = trigger_ == Trigger::kEdge ? (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET) : 0;
  e->events = ev.events;
  if (::epoll_ctl(ep_.get(), EPOLL_CTL_ADD, e->fd.get(), &ev) != 0) return Err(net::SysError::last("epoll_ctl(ADD)"));
  Entry& added = *e;
  entries_.emplace(id, std::move(e));
  ++counters_.added;
  ++counters_.open;
  pump(added);
  return id;
}

bool EpollLoop::send_some(Entry& e) {
  while (e.can_write) {
    auto out = e.conn.outbound();
    if (out.empty()) break;
    const ssize_t n = ::send(e.fd.get(), out.data(), out.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        e.can_write = false;
        break;
      }
      finish(e, std::nullopt, net::SysError::last("send"));
      return false;
    }
    e.conn.outbound_consumed(static_cast<size_t>(n));
    e.times.last_activity = Clock::now();
  }
  return true;
}

bool EpollLoop::receive_some(Entry& e, size_t& budget) {
  bool fed = false;
  // Stop as soon as the engine holds a complete record (buffering is the
  // engine's, and bounded by it) or this turn's byte budget is spent.
  while (e.can_read && e.conn.wants_read() && budget > 0) {
    auto space = e.conn.inbound_space();
    if (space.empty()) break;
    const size_t want = std::min(space.size(), budget);
    const ssize_t n = ::recv(e.fd.get(), space.data(), want, 0);
    if (n > 0) {
      e.conn.inbound_commit(static_cast<size_t>(n));
      budget -= static_cast<size_t>(n);
      e.times.last_activity = Clock::now();
      fed = true;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    // The span was offered but nothing arrived: commit nothing, which the
    // engine allows (the span stays valid until the next commit).
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      e.can_read = false;
      break;
    }
    if (n < 0 && errno != ECONNRESET) {
      finish(e, std::nullopt, net::SysError::last("recv"));
      return false;
    }
    // EOF (or reset): the engine decides whether that was a clean end.
    e.conn.inbound_eof();
    e.can_read = false;
    return true;
  }
  return fed;
}

void EpollLoop::update_interest(Entry& e) {
  if (e.closed) return;
  if (trigger_ == Trigger::kLevel) {
    uint32_t want = 0;
    if (!e.closing && e.conn.wants_read()) want |= EPOLLIN;
    if (e.conn.wants_write()) want |= EPOLLOUT;
    if (want != e.events) {
      epoll_event ev{};
      ev.events = want;
      ev.data.u64 = epoll_tag::make(e.id, epoll_tag::kSocket);
      if (::epoll_ctl(ep_.get(), EPOLL_CTL_MOD, e.fd.get(), &ev) != 0) {
        finish(e, std::nullopt, net::SysError::last("epoll_ctl(MOD)"));
        return;
      }
      e.events = want;
    }
  }
  if (e.want == Want::kAsync && !e.async_armed && e.conn.async_fd() >= 0) {
    epoll_event ev{};
    // One-shot: the fd belongs to the engine and may be gone after the
    // operation completes.
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.u64 = epoll_tag::make(e.id, epoll_tag::kAsync);
    if (::epoll_ctl(ep_.get(), EPOLL_CTL_ADD, e.conn.async_fd(), &ev) == 0) e.async_armed = true;
  }
}

void EpollLoop::queue(Entry& e) {
  if (e.queued) return;
  e.queued = true;
  ready_.push_back(e.id);
}

void EpollLoop::finish(Entry& e, std::optional<CloseReason> reason, std::optional<net::SysError> why) {
  if (e.closed) return;
  e.closed = true;
  if (why && !e.sys_error) e.sys_error = std::move(why);
  // The async fd is the engine's and outlives our socket: take it out of
  // the set ourselves (closing the socket only removes the socket).
  if (e.async_armed && e.conn.async_fd() >= 0) (void)::epoll_ctl(ep_.get(), EPOLL_CTL_DEL, e.conn.async_fd(), nullptr);
  e.fd.reset();
  CloseInfo info;
  info.reason = reason ? *reason : (e.closing_reason ? *e.closing_reason : detail::classify(e.conn, e.sys_error));
  info.handshake_done = e.conn.handshake_done();
  info.tls = e.conn.error();
  info.transport = e.sys_error;
  info.lifetime = Clock::now() - e.times.added;
  --counters_.open;
  ++counters_.closed[static_cast<size_t>(info.reason)];
  // Freed at the end of this turn, never under a handler or pump that is
  // still using the entry.
  dead_.push_back(e.id);
  if (on_close_) on_close_(e.id, info);
}

void EpollLoop::start_closing(Entry& e, std::optional<CloseReason> reason, Clock::duration linger) {
  if (e.closed) return;
  if (!e.closing) {
    e.closing = true;
    e.closing_reason = reason;
    // Queue close_notify (or nothing, if the engine already failed and
    // queued its alert); the pump closes once outbound() is drained.
    (void)e.conn.shutdown();
  }
  const auto by = Clock::now() + linger;
  if (!e.times.close_by || by < *e.times.close_by) e.times.close_by = by;
  e.times.late_reason = reason == CloseReason::kShutdown ? CloseReason::kShutdownForced : CloseReason::kEvicted;
  pump(e);
}

bool EpollLoop::close(ConnId id) {
  Entry* e = entry(id);
  if (!e || e->closed || e->closing) return false;
  start_closing(*e, std::nullopt, options_.close_linger);
  return true;
}

bool EpollLoop::evict(ConnId id) {
  Entry* e = entry(id);
  if (!e || e->closed) return false;
  finish(*e, CloseReason::kEvicted, std::nullopt);
  return true;
}

void EpollLoop::pump(Entry& e) {
  size_t bytes_left = options_.read_budget;
  int calls_left = options_.handler_budget;
  while (!e.closed) {
    const size_t before = e.conn.outbound().size();
    if (!send_some(e)) return;
    const bool drained = e.conn.outbound().size() < before;
    if (e.closing) {
      // The handler is done; close once what it left (close_notify or an
      // alert) has gone out.
      if (e.conn.outbound().empty()) finish(e, std::nullopt, std::nullopt);
      break;
    }
    if (bytes_left == 0 || calls_left == 0) {
      // This turn's share is spent: let every other ready socket go first.
      queue(e);
      break;
    }
    const bool fed = receive_some(e, bytes_left);
    if (e.closed) return;
    bool ready = false;
    switch (e.want) {
      case Want::kAgain: ready = true; break;
      case Want::kRead: ready = fed || e.conn.has_pending(); break;
      case Want::kWrite: ready = drained || !e.conn.wants_write(); break;
      case Want::kAsync: ready = e.async_ready || e.conn.async_fd() < 0; break;
      case Want::kClose: ready = false; break;
    }
    if (!ready) break;
    --calls_left;
    e.async_ready = false;
    e.want = e.handler(e.conn);
    if (!e.handshake_counted && e.conn.handshake_done()) {
      e.handshake_counted = true;
      ++counters_.handshakes;
    }
    if (e.want == Want::kClose && !e.closing) {
      e.closing = true;
      e.times.close_by = Clock::now() + options_.close_linger;
    }
  }
  update_interest(e);
}

void EpollLoop::reap() {
  for (ConnId id : dead_) entries_.erase(id);
  dead_.clear();
}

}  // namespace sluice::adapters
