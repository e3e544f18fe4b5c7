#include "adapters/epoll/epoll_loop.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>

#include "adapters/net/loopback.h"

namespace sluice::adapters {

namespace {

// epoll_event.data carries the entry id, with the low bit telling a
// connection's socket (0) from its async fd (1).
uint64_t tag(size_t id, bool async) { return (static_cast<uint64_t>(id) << 1) | (async ? 1 : 0); }

}  // namespace

net::SysResult<std::unique_ptr<EpollLoop>> EpollLoop::create(Trigger trigger) {
  net::Fd ep(::epoll_create1(EPOLL_CLOEXEC));
  if (!ep.valid()) return Err(net::SysError::last("epoll_create1"));
  return std::unique_ptr<EpollLoop>(new EpollLoop(std::move(ep), trigger));
}

net::SysResult<size_t> EpollLoop::add(net::Fd fd, Connection conn, Handler handler) {
  SLUICE_TRY(net::set_nonblocking(fd.get()));
  auto e = std::make_unique<Entry>(Entry{entries_.size(), std::move(fd), std::move(conn), std::move(handler), Want::kAgain});
  epoll_event ev{};
  ev.data.u64 = tag(e->id, false);
  // Edge-triggered: register everything once. Level-triggered: start with
  // nothing and let update_interest follow the engine.
  ev.events = trigger_ == Trigger::kEdge ? (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET) : 0;
  e->events = ev.events;
  if (::epoll_ctl(ep_.get(), EPOLL_CTL_ADD, e->fd.get(), &ev) != 0) return Err(net::SysError::last("epoll_ctl(ADD)"));
  entries_.push_back(std::move(e));
  ++open_;
  Entry& added = *entries_.back();
  pump(added);
  return added.id;
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
      close(e, net::SysError::last("send"));
      return false;
    }
    e.conn.outbound_consumed(static_cast<size_t>(n));
  }
  return true;
}

bool EpollLoop::receive_some(Entry& e) {
  bool fed = false;
  // Stop as soon as the engine holds a complete record: buffering is the
  // engine's, and bounded by it.
  while (e.can_read && e.conn.wants_read()) {
    auto space = e.conn.inbound_space();
    if (space.empty()) break;
    const ssize_t n = ::recv(e.fd.get(), space.data(), space.size(), 0);
    if (n > 0) {
      e.conn.inbound_commit(static_cast<size_t>(n));
      fed = true;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      e.can_read = false;
      break;
    }
    if (n < 0 && errno != ECONNRESET) {
      close(e, net::SysError::last("recv"));
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
      ev.data.u64 = tag(e.id, false);
      if (::epoll_ctl(ep_.get(), EPOLL_CTL_MOD, e.fd.get(), &ev) != 0) {
        close(e, net::SysError::last("epoll_ctl(MOD)"));
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
    ev.data.u64 = tag(e.id, true);
    if (::epoll_ctl(ep_.get(), EPOLL_CTL_ADD, e.conn.async_fd(), &ev) == 0) e.async_armed = true;
  }
}

void EpollLoop::close(Entry& e, std::optional<net::SysError> why) {
  if (e.closed) return;
  e.sys_error = std::move(why);
  e.closed = true;
  e.fd.reset();  // closing the socket also removes it from the epoll set
  --open_;
}

void EpollLoop::pump(Entry& e) {
  while (!e.closed) {
    const size_t before = e.conn.outbound().size();
    if (!send_some(e)) return;
    const bool drained = e.conn.outbound().size() < before;
    if (e.closing) {
      // The handler is done; close once what it left (close_notify or an
      // alert) has gone out.
      if (e.conn.outbound().empty()) close(e, std::nullopt);
      break;
    }
    const bool fed = receive_some(e);
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
    e.async_ready = false;
    e.want = e.handler(e.conn);
    if (e.want == Want::kClose) e.closing = true;
  }
  update_interest(e);
}

net::SysResult<bool> EpollLoop::run(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  epoll_event events[64];
  while (open_ > 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) return false;
    const int n = ::epoll_wait(ep_.get(), events, 64, static_cast<int>(left));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Err(net::SysError::last("epoll_wait"));
    }
    for (int i = 0; i < n; ++i) {
      Entry& e = *entries_[events[i].data.u64 >> 1];
      if (e.closed) continue;
      if (events[i].data.u64 & 1) {
        (void)::epoll_ctl(ep_.get(), EPOLL_CTL_DEL, e.conn.async_fd(), nullptr);
        e.async_armed = false;
        e.async_ready = true;
      } else {
        const uint32_t ev = events[i].events;
        if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) e.can_read = true;
        if (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR)) e.can_write = true;
      }
      pump(e);
    }
  }
  return true;
}

}  // namespace sluice::adapters
