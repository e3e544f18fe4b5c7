// UringLoop, per-connection half: posting operations, completing them,
// calling the handler within its budget, closing. The server half (run,
// listeners, deadlines, shutdown) is in uring_server.cc.
#include "adapters/io_uring/uring_loop.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include "adapters/io_uring/uring_tag.h"

namespace sluice::adapters {

net::SysResult<std::unique_ptr<UringLoop>> UringLoop::create(unsigned entries, LoopOptions options) {
  io_uring ring;
  const int r = ::io_uring_queue_init(entries, &ring, 0);
  if (r < 0) return Err(net::SysError{"io_uring_queue_init", -r});
  return std::unique_ptr<UringLoop>(new UringLoop(ring, options));
}

UringLoop::~UringLoop() { ::io_uring_queue_exit(&ring_); }

UringLoop::Entry* UringLoop::entry(ConnId id) {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : it->second.get();
}

const Connection* UringLoop::find(ConnId id) const {
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second->closed) return nullptr;
  return &it->second->conn;
}

io_uring_sqe* UringLoop::sqe() {
  io_uring_sqe* s = ::io_uring_get_sqe(&ring_);
  if (!s) {
    // The submission queue is full: hand it to the kernel and retry.
    (void)::io_uring_submit(&ring_);
    s = ::io_uring_get_sqe(&ring_);
  }
  return s;
}

net::SysResult<ConnId> UringLoop::add(net::Fd fd, Connection conn, Handler handler) {
  const ConnId id = next_id_++;
  auto e = std::make_unique<Entry>(id, std::move(fd), std::move(conn), std::move(handler));
  e->times.added = e->times.last_activity = Clock::now();
  Entry& added = *e;
  entries_.emplace(id, std::move(e));
  ++counters_.added;
  ++counters_.open;
  drive(added);
  return id;
}

void UringLoop::cancel_inflight(Entry& e) {
  if (e.cancels_posted) return;
  // Cancels carry their own tag; their completions are ignored, and the
  // cancelled operation completes (with -ECANCELED or its real result).
  for (auto [busy, op] : {std::pair{e.recv_inflight, kRecv}, std::pair{e.async_inflight, kAsyncPoll}}) {
    if (!busy) continue;
    io_uring_sqe* s = sqe();
    if (!s) continue;  // the shutdown(2) below still ends a receive
    ::io_uring_prep_cancel64(s, uring_tag::make(e.id, op), 0);
    ::io_uring_sqe_set_data64(s, uring_tag::make(e.id, kCancel));
  }
  e.cancels_posted = true;
}

void UringLoop::abort(Entry& e, std::optional<CloseReason> reason, std::optional<net::SysError> why) {
  if (e.closed) return;
  if (why && !e.sys_error) e.sys_error = std::move(why);
  // An explicit reason wins over the one a graceful close started with: a
  // shutdown whose drain ran out is kShutdownForced, not kShutdown.
  if (reason) e.closing_reason = reason;
  e.closing = e.aborting = true;
  // Ends a pending send (EPIPE) and receive (EOF) at once; the fd itself
  // is closed only when the kernel has given both back.
  if (e.inflight()) {
    (void)::shutdown(e.fd.get(), SHUT_RDWR);
    cancel_inflight(e);
  }
  try_close(e);
}

void UringLoop::try_close(Entry& e) {
  if (e.closed || e.inflight()) return;
  // A graceful close waits for its last bytes (post() sends them).
  if (!e.aborting && !e.sys_error && (e.need_close_notify || e.conn.wants_write())) return;
  e.closed = true;
  e.fd.reset();
  CloseInfo info;
  info.reason = e.closing_reason ? *e.closing_reason : detail::classify(e.conn, e.sys_error);
  info.handshake_done = e.conn.handshake_done();
  info.tls = e.conn.error();
  info.transport = e.sys_error;
  info.lifetime = Clock::now() - e.times.added;
  --counters_.open;
  ++counters_.closed[static_cast<size_t>(info.reason)];
  dead_.push_back(e.id);
  if (on_close_) on_close_(e.id, info);
}

void UringLoop::start_closing(Entry& e, std::optional<CloseReason> reason, Clock::duration linger) {
  if (e.closed) return;
  if (!e.closing) {
    e.closing = true;
    e.closing_reason = reason;
    e.need_close_notify = true;
  }
  const auto by = Clock::now() + linger;
  if (!e.times.close_by || by < *e.times.close_by) e.times.close_by = by;
  e.times.late_reason = reason == CloseReason::kShutdown ? CloseReason::kShutdownForced : CloseReason::kEvicted;
  post(e);
}

bool UringLoop::close(ConnId id) {
  Entry* e = entry(id);
  if (!e || e->closed || e->closing) return false;
  start_closing(*e, std::nullopt, options_.close_linger);
  return true;
}

bool UringLoop::evict(ConnId id) {
  Entry* e = entry(id);
  // Already being evicted: it closes as soon as the kernel gives back its
  // operations.
  if (!e || e->closed || e->aborting) return false;
  abort(*e, CloseReason::kEvicted, std::nullopt);
  return true;
}

void UringLoop::queue(Entry& e) {
  if (e.queued) return;
  e.queued = true;
  ready_.push_back(e.id);
}

void UringLoop::post(Entry& e) {
  if (e.closed) return;
  if (e.closing) {
    if (e.aborting) return try_close(e);
    // Nothing else will arrive for the handler: a receive would only hold
    // the close until the peer speaks.
    cancel_inflight(e);
    // The engine may compact outbound() when it queues close_notify, so
    // only once no send is reading from it.
    if (e.need_close_notify && !e.send_inflight) {
      e.need_close_notify = false;
      (void)e.conn.shutdown();
    }
  }
  if (!e.send_inflight && !e.sys_error) {
    auto out = e.conn.outbound();
    if (!out.empty()) {
      io_uring_sqe* s = sqe();
      if (!s) return abort(e, std::nullopt, net::SysError{"io_uring_get_sqe", EBUSY});
      ::io_uring_prep_send(s, e.fd.get(), out.data(), out.size(), MSG_NOSIGNAL);
      ::io_uring_sqe_set_data64(s, uring_tag::make(e.id, kSend));
      e.send_inflight = true;
    }
  }
  if (e.closing) return try_close(e);
  if (e.want == Want::kRead && !e.recv_inflight && e.conn.wants_read()) {
    e.copy_receive = (e.conn.mode() & kModeReleaseBuffers) != 0;
    auto space = e.conn.inbound_space();
    if (space.empty()) return;
    io_uring_sqe* s = sqe();
    if (!s) return abort(e, std::nullopt, net::SysError{"io_uring_get_sqe", EBUSY});
    if (e.copy_receive) {
      e.staging.resize(space.size());
      ::io_uring_prep_recv(s, e.fd.get(), e.staging.data(), e.staging.size(), 0);
    } else {
      ::io_uring_prep_recv(s, e.fd.get(), space.data(), space.size(), 0);
    }
    ::io_uring_sqe_set_data64(s, uring_tag::make(e.id, kRecv));
    e.recv_inflight = true;
  }
  if (e.want == Want::kAsync && !e.async_inflight && e.conn.async_fd() >= 0) {
    io_uring_sqe* s = sqe();
    if (!s) return abort(e, std::nullopt, net::SysError{"io_uring_get_sqe", EBUSY});
    ::io_uring_prep_poll_add(s, e.conn.async_fd(), POLLIN);
    ::io_uring_sqe_set_data64(s, uring_tag::make(e.id, kAsyncPoll));
    e.async_inflight = true;
  }
}

void UringLoop::drive(Entry& e) {
  int calls_left = options_.handler_budget;
  while (!e.closed && !e.closing && !e.inflight()) {
    bool ready = false;
    switch (e.want) {
      case Want::kAgain: ready = true; break;
      case Want::kRead: ready = e.fed || e.conn.has_pending(); break;
      case Want::kWrite: ready = e.drained || !e.conn.wants_write(); break;
      case Want::kAsync: ready = e.async_done || e.conn.async_fd() < 0; break;
      case Want::kClose: ready = false; break;
    }
    if (!ready) break;
    if (calls_left-- == 0) {
      // This turn's share is spent: the next batch of completions goes first.
      queue(e);
      return;
    }
    e.fed = e.drained = e.async_done = false;
    e.want = e.handler(e.conn);
    if (!e.handshake_counted && e.conn.handshake_done()) {
      e.handshake_counted = true;
      ++counters_.handshakes;
    }
    if (e.want == Want::kClose) {
      e.closing = true;
      e.times.close_by = Clock::now() + options_.close_linger;
    }
    // Flush at once so the peer is not kept waiting on this handler's
    // output while we decide what to receive.
    if (e.conn.wants_write()) break;
  }
  post(e);
}

void UringLoop::complete(Entry& e, Op op, int res) {
  switch (op) {
    case kRecv:
      e.recv_inflight = false;
      if (res > 0) {
        if (e.copy_receive) {
          // The engine's space can only have grown since it was measured.
          (void)e.conn.feed(std::span(e.staging).first(static_cast<size_t>(res)));
        } else {
          e.conn.inbound_commit(static_cast<size_t>(res));
          ++zero_copy_;
        }
        e.times.last_activity = Clock::now();
      } else if (res == -ECANCELED && e.closing) {
        break;  // we asked for it
      } else if (res == 0 || res == -ECONNRESET) {
        e.conn.inbound_eof();
      } else {
        return abort(e, std::nullopt, net::SysError{"recv", -res});
      }
      e.fed = true;
      break;
    case kSend:
      e.send_inflight = false;
      if (res < 0) {
        if (e.aborting) break;
        return abort(e, std::nullopt, net::SysError{"send", -res});
      }
      e.conn.outbound_consumed(static_cast<size_t>(res));
      if (res > 0) e.times.last_activity = Clock::now();
      e.drained = true;
      break;
    case kAsyncPoll:
      e.async_inflight = false;
      e.async_done = true;
      break;
    case kAccept:
    case kCancel:
      return;  // not a connection's operation (handled in run)
  }
  if (e.closing) {
    post(e);  // keeps sending what is left, then closes
    return;
  }
  drive(e);
}

void UringLoop::reap() {
  for (ConnId id : dead_) entries_.erase(id);
  dead_.clear();
}

}  // namespace sluice::adapters
