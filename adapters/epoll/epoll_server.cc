// EpollLoop, server half: the run loop (timeouts rounded up, ready queue
// after every wait), listeners with an accept budget, deadlines, graceful
// shutdown.
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "adapters/epoll/epoll_loop.h"
#include "adapters/epoll/epoll_tag.h"
#include "adapters/net/address.h"
#include "adapters/net/loopback.h"

namespace sluice::adapters {

net::SysResult<size_t> EpollLoop::listen(net::Fd listener, Service service) {
  SLUICE_TRY(net::set_nonblocking(listener.get()));
  const size_t id = next_listener_++;
  epoll_event ev{};
  // Level-triggered always: an accept budget leaves connections in the
  // backlog, and the next epoll_wait must report them again.
  ev.events = EPOLLIN;
  ev.data.u64 = epoll_tag::make(id, epoll_tag::kListener);
  if (::epoll_ctl(ep_.get(), EPOLL_CTL_ADD, listener.get(), &ev) != 0) return Err(net::SysError::last("epoll_ctl(ADD)"));
  Listener l;
  l.fd = std::move(listener);
  l.service = std::move(service);
  listeners_.emplace(id, std::move(l));
  return id;
}

void EpollLoop::accept_some(size_t listener_id) {
  for (int i = 0; i < options_.accept_budget; ++i) {
    // Looked up again each time: a handler started by add() may have called
    // begin_shutdown(), which drops the listener.
    auto it = listeners_.find(listener_id);
    if (it == listeners_.end()) return;
    const int fd = ::accept4(it->second.fd.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) ++counters_.accept_errors;
      if (detail::out_of_resources(errno)) {
        epoll_event ev{};
        ev.data.u64 = epoll_tag::make(listener_id, epoll_tag::kListener);
        (void)::epoll_ctl(ep_.get(), EPOLL_CTL_MOD, it->second.fd.get(), &ev);
        it->second.paused_until = Clock::now() + options_.accept_pause;
      }
      return;
    }
    net::set_no_delay(fd);
    ++counters_.accepted;
    const Service& svc = it->second.service;
    Handler handler = svc.make_handler(next_id_);
    if (!add(net::Fd(fd), Connection::server(svc.ctx), std::move(handler))) ++counters_.accept_errors;
  }
}

std::optional<Clock::time_point> EpollLoop::resume_listeners(Clock::time_point now) {
  std::optional<Clock::time_point> earliest;
  for (auto& [id, l] : listeners_) {
    if (!l.paused_until) continue;
    if (now < *l.paused_until) {
      if (!earliest || *l.paused_until < *earliest) earliest = l.paused_until;
      continue;
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = epoll_tag::make(id, epoll_tag::kListener);
    (void)::epoll_ctl(ep_.get(), EPOLL_CTL_MOD, l.fd.get(), &ev);
    l.paused_until.reset();
  }
  return earliest;
}

void EpollLoop::sweep(Clock::time_point now) {
  // Collected first: on_close may add connections, and entries_ must not
  // rehash under this iteration.
  std::vector<std::pair<ConnId, CloseReason>> late;
  for (auto& [id, e] : entries_) {
    if (e->closed) continue;
    if (auto r = detail::expired(options_, e->times, e->conn.handshake_done(), e->closing, now)) {
      late.emplace_back(id, *r);
    }
  }
  for (auto [id, reason] : late) {
    if (Entry* e = entry(id)) finish(*e, reason, std::nullopt);
  }
}

void EpollLoop::serve_ready() {
  // Only what was queued before this turn: a connection that spends its
  // budget again goes behind the sockets of the next epoll_wait.
  std::vector<ConnId> turn;
  turn.swap(ready_);
  for (ConnId id : turn) {
    Entry* e = entry(id);
    if (!e || e->closed) continue;
    e->queued = false;
    pump(*e);
  }
}

void EpollLoop::begin_shutdown(std::chrono::milliseconds drain) {
  listeners_.clear();  // closing a listener also takes it out of the epoll set
  std::vector<ConnId> ids;
  for (auto& [id, e] : entries_) ids.push_back(id);
  for (ConnId id : ids) {
    if (Entry* e = entry(id)) start_closing(*e, CloseReason::kShutdown, drain);
  }
}

net::SysResult<bool> EpollLoop::run(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  epoll_event events[64];
  while (true) {
    reap();
    if (entries_.empty() && listeners_.empty()) return true;
    auto now = Clock::now();
    if (!entries_.empty() && now >= next_sweep_) {
      sweep(now);
      next_sweep_ = now + detail::sweep_interval(options_);
      continue;  // reap what the sweep closed first
    }
    if (now >= deadline) return false;
    Clock::duration wait = deadline - now;
    if (!entries_.empty()) wait = std::min(wait, next_sweep_ - now);
    if (auto paused = resume_listeners(now)) wait = std::min(wait, *paused - now);
    if (!ready_.empty()) wait = Clock::duration::zero();
    // Round up: epoll_wait counts whole milliseconds, and rounding down made
    // run(1ms) return without waiting at all (a caller then spins).
    const int wait_ms = static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(wait).count());
    const int n = ::epoll_wait(ep_.get(), events, 64, wait_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Err(net::SysError::last("epoll_wait"));
    }
    for (int i = 0; i < n; ++i) {
      const uint64_t tag = events[i].data.u64;
      if (epoll_tag::kind(tag) == epoll_tag::kListener) {
        accept_some(epoll_tag::id(tag));
        continue;
      }
      Entry* e = entry(epoll_tag::id(tag));
      if (!e || e->closed) continue;
      if (epoll_tag::kind(tag) == epoll_tag::kAsync) {
        (void)::epoll_ctl(ep_.get(), EPOLL_CTL_DEL, e->conn.async_fd(), nullptr);
        e->async_armed = false;
        e->async_ready = true;
      } else {
        const uint32_t ev = events[i].events;
        if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) e->can_read = true;
        if (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR)) e->can_write = true;
      }
      pump(*e);
    }
    serve_ready();
  }
}

}  // namespace sluice::adapters
