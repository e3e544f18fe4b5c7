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

StreamResult<void> BlockingStream::flush() {
  while (true) {
    auto out = conn_.outbound();
    if (out.empty()) return {};
    // MSG_NOSIGNAL: a peer that went away is an EPIPE error, not a signal.
    const ssize_t n = ::send(fd_.get(), out.data(), out.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
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
    const ssize_t n = ::recv(fd_.get(), space.data(), space.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
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
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, -1) < 0) {
    if (errno != EINTR) return Err(StreamError{StreamError::Kind::kSystem, {}, net::SysError::last("poll")});
  }
  return {};
}

template <class Op>
StreamResult<Progress> BlockingStream::run_until(Op&& op) {
  int pending_spins = 0;
  while (true) {
    const Progress p = op();
    // Send whatever the call produced first: a flight, a KeyUpdate reply, or
    // the alert of a failure, which the peer should see before we give up.
    auto flushed = flush();
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
  SLUICE_TRY(run_until([&] { return conn_.handshake(); }));
  return {};
}

StreamResult<size_t> BlockingStream::read(std::span<uint8_t> out) {
  if (out.empty()) return size_t{0};
  const Progress p = SLUICE_TRY(run_until([&] { return conn_.read(out); }));
  return p.status == Status::kZeroReturn ? size_t{0} : p.bytes;
}

StreamResult<void> BlockingStream::read_exact(std::span<uint8_t> out) {
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
  if (!wait_for_peer) {
    const Progress p = conn_.shutdown();
    SLUICE_TRY(flush());
    if (p.status == Status::kError) return Err(tls_error());
    return {};
  }
  SLUICE_TRY(run_until([&] { return conn_.shutdown(); }));
  return {};
}

}  // namespace sluice::adapters
