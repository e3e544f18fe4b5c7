// UringLoop, server half: the run loop, listeners (one accept in flight per
// listener, at most accept_budget per turn), deadlines, graceful shutdown.
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "adapters/io_uring/uring_loop.h"
#include "adapters/io_uring/uring_tag.h"
#include "adapters/net/address.h"

namespace sluice::adapters {

net::SysResult<size_t> UringLoop::listen(net::Fd listener, Service service) {
  const size_t id = next_listener_++;
  Listener l;
  l.fd = std::move(listener);
  l.service = std::move(service);
  listeners_.emplace(id, std::move(l));
  post_accept(id);
  return id;
}

void UringLoop::post_accept(size_t listener_id) {
  auto it = listeners_.find(listener_id);
  if (it == listeners_.end()) return;
  Listener& l = it->second;
  if (l.accept_inflight || l.stopping || l.accepted_this_turn >= options_.accept_budget) return;
  if (l.paused_until) {
    if (Clock::now() < *l.paused_until) return;
    l.paused_until.reset();
  }
  io_uring_sqe* s = sqe();
  if (!s) return;  // retried at the start of the next turn
  ::io_uring_prep_accept(s, l.fd.get(), nullptr, nullptr, SOCK_CLOEXEC);
  ::io_uring_sqe_set_data64(s, uring_tag::make(listener_id, kAccept));
  l.accept_inflight = true;
}

void UringLoop::accepted(size_t listener_id, int res) {
  auto it = listeners_.find(listener_id);
  if (it == listeners_.end()) {
    if (res >= 0) ::close(res);
    return;
  }
  Listener& l = it->second;
  l.accept_inflight = false;
  if (l.stopping) {
    // Shutting down: the listener goes now that the kernel is done with it,
    // and a connection that raced in is refused.
    if (res >= 0) ::close(res);
    listeners_.erase(it);
    return;
  }
  if (res < 0) {
    if (res != -EINTR && res != -EAGAIN && res != -ECONNABORTED) ++counters_.accept_errors;
    // Retrying at once would fail the same way: rest (see accept_pause).
    if (detail::out_of_resources(-res)) l.paused_until = Clock::now() + options_.accept_pause;
  } else {
    ++l.accepted_this_turn;
    ++counters_.accepted;
    net::set_no_delay(res);
    Handler handler = l.service.make_handler(next_id_);
    auto ctx = l.service.ctx;
    if (!add(net::Fd(res), Connection::server(std::move(ctx)), std::move(handler))) ++counters_.accept_errors;
  }
  post_accept(listener_id);
}

void UringLoop::sweep(Clock::time_point now) {
  // Collected first: on_close may add connections, and entries_ must not
  // rehash under this iteration.
  std::vector<std::pair<ConnId, CloseReason>> late;
  for (auto& [id, e] : entries_) {
    if (e->closed || e->aborting) continue;
    if (auto r = detail::expired(options_, e->times, e->conn.handshake_done(), e->closing, now)) {
      late.emplace_back(id, *r);
    }
  }
  for (auto [id, reason] : late) {
    if (Entry* e = entry(id)) abort(*e, reason, std::nullopt);
  }
}

void UringLoop::serve_ready() {
  std::vector<ConnId> turn;
  turn.swap(ready_);
  for (ConnId id : turn) {
    Entry* e = entry(id);
    if (!e || e->closed) continue;
    e->queued = false;
    drive(*e);
  }
}

void UringLoop::begin_shutdown(std::chrono::milliseconds drain) {
  for (auto it = listeners_.begin(); it != listeners_.end();) {
    Listener& l = it->second;
    if (!l.accept_inflight) {
      it = listeners_.erase(it);
      continue;
    }
    // The kernel holds the listener while an accept is pending: cancel it
    // and close the socket when it comes back.
    l.stopping = true;
    if (io_uring_sqe* s = sqe()) {
      ::io_uring_prep_cancel64(s, uring_tag::make(it->first, kAccept), 0);
      ::io_uring_sqe_set_data64(s, uring_tag::make(it->first, kCancel));
    }
    ++it;
  }
  std::vector<ConnId> ids;
  for (auto& [id, e] : entries_) ids.push_back(id);
  for (ConnId id : ids) {
    if (Entry* e = entry(id)) start_closing(*e, CloseReason::kShutdown, drain);
  }
}

net::SysResult<bool> UringLoop::run(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    reap();
    if (entries_.empty() && listeners_.empty()) return true;
    auto now = Clock::now();
    if (!entries_.empty() && now >= next_sweep_) {
      sweep(now);
      next_sweep_ = now + detail::sweep_interval(options_);
      continue;
    }
    if (now >= deadline) return false;
    // A new turn: listeners that spent their accept budget may accept again.
    for (auto& [id, l] : listeners_) l.accepted_this_turn = 0;
    for (auto& [id, l] : listeners_) post_accept(id);
    Clock::duration wait = deadline - now;
    if (!entries_.empty()) wait = std::min(wait, next_sweep_ - now);
    for (auto& [id, l] : listeners_) {
      if (l.paused_until) wait = std::min<Clock::duration>(wait, std::max(*l.paused_until - now, Clock::duration{}));
    }
    io_uring_cqe* cqe = nullptr;
    int r = 0;
    if (!ready_.empty()) {
      // Work is queued: collect what completed, but do not sleep.
      r = ::io_uring_submit(&ring_);
    } else {
      const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count();
      __kernel_timespec ts{};
      ts.tv_sec = ns / 1000000000;
      ts.tv_nsec = ns % 1000000000;
      r = ::io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
    }
    if (r < 0 && r != -ETIME && r != -EINTR && r != -EBUSY) {
      return Err(net::SysError{"io_uring_submit_and_wait_timeout", -r});
    }
    unsigned head;
    unsigned seen = 0;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      ++seen;
      const uint64_t data = ::io_uring_cqe_get_data64(cqe);
      const auto op = static_cast<Op>(uring_tag::op(data));
      if (op == kCancel) continue;
      if (op == kAccept) {
        accepted(uring_tag::id(data), cqe->res);
        continue;
      }
      if (Entry* e = entry(uring_tag::id(data))) complete(*e, op, cqe->res);
    }
    ::io_uring_cq_advance(&ring_, seen);
    serve_ready();
  }
}

}  // namespace sluice::adapters
