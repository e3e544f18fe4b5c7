#include "adapters/io_uring/uring_loop.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

namespace sluice::adapters {

namespace {

uint64_t tag(size_t id, uint64_t op) { return (static_cast<uint64_t>(id) << 2) | op; }

}  // namespace

net::SysResult<std::unique_ptr<UringLoop>> UringLoop::create(unsigned entries) {
  io_uring ring;
  const int r = ::io_uring_queue_init(entries, &ring, 0);
  if (r < 0) return Err(net::SysError{"io_uring_queue_init", -r});
  return std::unique_ptr<UringLoop>(new UringLoop(ring));
}

UringLoop::~UringLoop() { ::io_uring_queue_exit(&ring_); }

io_uring_sqe* UringLoop::sqe() {
  io_uring_sqe* s = ::io_uring_get_sqe(&ring_);
  if (!s) {
    // The submission queue is full: hand it to the kernel and retry.
    (void)::io_uring_submit(&ring_);
    s = ::io_uring_get_sqe(&ring_);
  }
  return s;
}

net::SysResult<size_t> UringLoop::add(net::Fd fd, Connection conn, Handler handler) {
  auto e = std::make_unique<Entry>(entries_.size(), std::move(fd), std::move(conn), std::move(handler));
  entries_.push_back(std::move(e));
  ++open_;
  Entry& added = *entries_.back();
  drive(added);
  return added.id;
}

void UringLoop::finish(Entry& e, std::optional<net::SysError> why) {
  if (!e.sys_error && why) e.sys_error = std::move(why);
  e.closing = true;
  // Buffers and the fd stay alive until the kernel has given back every
  // operation that uses them.
  if (e.inflight() || e.closed) return;
  e.closed = true;
  e.fd.reset();
  --open_;
}

void UringLoop::post(Entry& e) {
  if (e.closed) return;
  if (!e.send_inflight && !e.sys_error) {
    auto out = e.conn.outbound();
    if (!out.empty()) {
      io_uring_sqe* s = sqe();
      if (!s) return finish(e, net::SysError{"io_uring_get_sqe", EBUSY});
      ::io_uring_prep_send(s, e.fd.get(), out.data(), out.size(), MSG_NOSIGNAL);
      ::io_uring_sqe_set_data64(s, tag(e.id, kSend));
      e.send_inflight = true;
    }
  }
  if (e.closing) return finish(e, std::nullopt);
  if (e.want == Want::kRead && !e.recv_inflight && e.conn.wants_read()) {
    e.copy_receive = (e.conn.mode() & kModeReleaseBuffers) != 0;
    auto space = e.conn.inbound_space();
    if (space.empty()) return;
    io_uring_sqe* s = sqe();
    if (!s) return finish(e, net::SysError{"io_uring_get_sqe", EBUSY});
    if (e.copy_receive) {
      e.staging.resize(space.size());
      ::io_uring_prep_recv(s, e.fd.get(), e.staging.data(), e.staging.size(), 0);
    } else {
      ::io_uring_prep_recv(s, e.fd.get(), space.data(), space.size(), 0);
    }
    e.posted_space = space.size();
    ::io_uring_sqe_set_data64(s, tag(e.id, kRecv));
    e.recv_inflight = true;
  }
  if (e.want == Want::kAsync && !e.async_inflight && e.conn.async_fd() >= 0) {
    io_uring_sqe* s = sqe();
    if (!s) return finish(e, net::SysError{"io_uring_get_sqe", EBUSY});
    ::io_uring_prep_poll_add(s, e.conn.async_fd(), POLLIN);
    ::io_uring_sqe_set_data64(s, tag(e.id, kAsyncPoll));
    e.async_inflight = true;
  }
}

void UringLoop::drive(Entry& e) {
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
    e.fed = e.drained = e.async_done = false;
    e.want = e.handler(e.conn);
    if (e.want == Want::kClose) e.closing = true;
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
      } else if (res == 0 || res == -ECONNRESET) {
        e.conn.inbound_eof();
      } else {
        return finish(e, net::SysError{"recv", -res});
      }
      e.fed = true;
      break;
    case kSend:
      e.send_inflight = false;
      if (res < 0) return finish(e, net::SysError{"send", -res});
      e.conn.outbound_consumed(static_cast<size_t>(res));
      e.drained = true;
      break;
    case kAsyncPoll:
      e.async_inflight = false;
      e.async_done = true;
      break;
  }
  if (e.closing) {
    post(e);  // keeps sending what is left, then closes
    return;
  }
  drive(e);
}

net::SysResult<bool> UringLoop::run(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (open_ > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    __kernel_timespec ts{};
    ts.tv_sec = left.count() / 1000000000;
    ts.tv_nsec = left.count() % 1000000000;
    io_uring_cqe* cqe = nullptr;
    const int r = ::io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
    if (r == -ETIME || r == -EINTR) continue;
    if (r < 0 && !cqe) return Err(net::SysError{"io_uring_submit_and_wait_timeout", -r});
    unsigned head;
    unsigned seen = 0;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      ++seen;
      const uint64_t data = ::io_uring_cqe_get_data64(cqe);
      Entry& e = *entries_[data >> 2];
      complete(e, static_cast<Op>(data & 3), cqe->res);
    }
    ::io_uring_cq_advance(&ring_, seen);
  }
  return true;
}

}  // namespace sluice::adapters
