#include "adapters/blocking/blocking_stream.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

namespace sluice::adapters {

namespace {

// How many calls in a row may return kWantRead while the engine holds
// records (AUTO_RETRY off) before the stream calls it a bug. Every such call
// consumes one record, and the inbound buffer holds a bounded number.
constexpr int kMaxPendingSpins = 1 << 16;

}  // namespace

StreamError BlockingStream::tls_error() const { return StreamError{StreamError::Kind::kTls, conn_.error(), {}}; }

BlockingStream::OpScope::OpScope(BlockingStream& stream) : s(stream) {
  if (s.depth_++ == 0) {
    s.deadline_.reset();
    if (s.timeout_.count() > 0) s.deadline_ = std::chrono::steady_clock::now() + s.timeout_;
  }
}

StreamResult<void> BlockingStream::wait_for(int fd, short events, const char* what) {
  while (true) {
    int wait_ms = -1;
    if (deadline_) {
      const auto left = *deadline_ - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) {
        return Err(StreamError{StreamError::Kind::kTimeout, {}, net::SysError{what, 0}});
      }
      // Rounded up, so a wait with 0.4 ms left does wait instead of spinning.
      wait_ms = static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(left).count());
    }
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, wait_ms);
    if (r > 0) return {};
    if (r < 0 && errno != EINTR) return Err(StreamError{StreamError::Kind::kSystem, {}, net::SysError::last("poll")});
  }
}

StreamResult<void> BlockingStream::flush() {
  OpScope op(*this);
  return send_all();
}

StreamResult<void> BlockingStream::send_all() {
  while (true) {
    auto out = conn_.outbound();
    if (out.empty()) return {};
    // With a deadline, wait for room first and never block in send() itself:
    // a blocking send of a large span would wait for the peer to read it all.
    if (deadline_) SLUICE_TRY(wait_for(fd_.get(), POLLOUT, "send"));
    // MSG_NOSIGNAL: a peer that went away is an EPIPE error, not a signal.
    const ssize_t n = ::send(fd_.get(), out.data(), out.size(), MSG_NOSIGNAL | (deadline_ ? MSG_DONTWAIT : 0));
    if (n < 0) {
      if (errno == EINTR || (deadline_ && (errno == EAGAIN || errno == EWOULDBLOCK))) continue;
      return Err(StreamError{StreamError::Kind::kSystem, {}, net::SysError::last("send")});
    }
    conn_.outbound_consumed(static_cast<size_t>(n));
    sent_ += static_cast<uint64_t>(n);
  }
}

StreamResult<void> BlockingStream::receive() {
  // Zero copy: the kernel writes into the engine's own inbound buffer.
  auto space = conn_.inbound_space();
  if (space.empty()) return Err(StreamError{StreamError::Kind::kStuck, {}, {}});
  while (true) {
    if (deadline_) SLUICE_TRY(wait_for(fd_.get(), POLLIN, "recv"));
    const ssize_t n = ::recv(fd_.get(), space.data(), space.size(), deadline_ ? MSG_DONTWAIT : 0);
    if (n < 0) {
      if (errno == EINTR || (deadline_ && (errno == EAGAIN || errno == EWOULDBLOCK))) continue;
      // A reset peer is still the transport ending: let the engine decide
      // whether that was a clean close (it never is without close_notify).
      if (errno == ECONNRESET) break;
      return Err(StreamError{StreamError::Kind::kSystem, {}, net::SysError::last("recv")});
    }
    if (n == 0) break;
    conn_.inbound_commit(static_cast<size_t>(n));
    received_ += static_cast<uint64_t>(n);
    return {};
  }
  conn_.inbound_eof();
  return {};
}

StreamResult<void> BlockingStream::wait_async() {
  const int fd = conn_.async_fd();
  if (fd < 0) return {};  // already completed: the repeated call will see it
  return wait_for(fd, POLLIN, "async");
}

template <class Op>
StreamResult<Progress> BlockingStream::run_until(Op&& op) {
  int pending_spins = 0;
  while (true) {
    const Progress p = op();
    // Send whatever the call produced first: a flight, a KeyUpdate reply, or
    // the alert of a failure, which the peer should see before we give up.
    auto flushed = send_all();
    switch (p.status) {
      case Status::kOk:
      case Status::kZeroReturn:
        if (!flushed) return Err(std::move(flushed).error());
        return p;
      case Status::kError:
        return Err(tls_error());
      case Status::kWantWrite:
        if (!flushed) return Err(std::move(flushed).error());
        continue;
      case Status::kWantAsync:
        if (!flushed) return Err(std::move(flushed).error());
        SLUICE_TRY(wait_async());
        continue;
      case Status::kWantRead:
        if (!flushed) return Err(std::move(flushed).error());
        if (conn_.has_pending()) {
          // AUTO_RETRY off: a record without application data ended the
          // call. The next record is already here; do not wait on the socket.
          if (++pending_spins > kMaxPendingSpins) return Err(StreamError{StreamError::Kind::kStuck, {}, {}});
          continue;
        }
        pending_spins = 0;
        if (!conn_.wants_read()) return Err(StreamError{StreamError::Kind::kStuck, {}, {}});
        SLUICE_TRY(receive());
        continue;
    }
  }
}

StreamResult<void> BlockingStream::handshake() {
  OpScope op(*this);
  SLUICE_TRY(run_until([&] { return conn_.handshake(); }));
  return {};
}

StreamResult<size_t> BlockingStream::read(std::span<uint8_t> out) {
  if (out.empty()) return size_t{0};
  OpScope op(*this);
  const Progress p = SLUICE_TRY(run_until([&] { return conn_.read(out); }));
  return p.status == Status::kZeroReturn ? size_t{0} : p.bytes;
}

StreamResult<void> BlockingStream::read_exact(std::span<uint8_t> out) {
  OpScope op(*this);
  size_t done = 0;
  while (done < out.size()) {
    const size_t n = SLUICE_TRY(read(out.subspan(done)));
    if (n == 0) {
      return Err(StreamError{StreamError::Kind::kTls, Error(Reason::kTruncated, "close_notify before the expected bytes"), {}});
    }
    done += n;
  }
  return {};
}

StreamResult<void> BlockingStream::write(std::span<const uint8_t> in) {
  OpScope op(*this);
  size_t done = 0;
  while (done < in.size()) {
    // A kWantWrite retry inside run_until passes the very same span, as the
    // engine requires without ACCEPT_MOVING_WRITE_BUFFER.
    const auto rest = in.subspan(done);
    const Progress p = SLUICE_TRY(run_until([&] { return conn_.write(rest); }));
    if (p.status == Status::kZeroReturn || p.bytes == 0) {
      return Err(StreamError{StreamError::Kind::kStuck, {}, {}});
    }
    done += p.bytes;
  }
  return {};
}

StreamResult<void> BlockingStream::shutdown(bool wait_for_peer) {
  OpScope op(*this);
  if (!wait_for_peer) {
    const Progress p = conn_.shutdown();
    SLUICE_TRY(send_all());
    if (p.status == Status::kError) return Err(tls_error());
    return {};
  }
  SLUICE_TRY(run_until([&] { return conn_.shutdown(); }));
  return {};
}

}  // namespace sluice::adapters
