#include "tools/sluice/duplex.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace sluice::tool {

namespace {

// While this much data waits to be sent, the loop stops taking more from
// the terminal, and an echo stops reading the peer: a peer that never reads
// then stalls itself, not our memory.
constexpr size_t kMaxQueued = 1 << 20;
// Plaintext written per turn before the loop reads again.
constexpr size_t kWriteBurst = 64 * 1024;

bool is_command(std::string_view chunk, char& out_letter) {
  // Typed at a terminal, a command arrives as one read of "k\n".
  if (chunk.size() == 2 && chunk[1] == '\n') {
    out_letter = chunk[0];
    return std::strchr("kKRQqrc", out_letter) != nullptr;
  }
  return false;
}

}  // namespace

Duplex::Duplex(net::Fd fd, Connection conn) : fd_(std::move(fd)), conn_(std::move(conn)) {
  const int flags = ::fcntl(fd_.get(), F_GETFL);
  ::fcntl(fd_.get(), F_SETFL, flags | O_NONBLOCK);
}

void Duplex::send(std::string data) {
  if (data.empty()) return;
  queued_bytes_ += data.size();
  queue_.push_back(std::move(data));
}

std::string Duplex::tls_error(const char* during) const {
  const Error& e = conn_.error();
  std::string s = std::string(during) + ": " + std::string(describe(e.reason));
  if (e.detail && *e.detail) s += std::string(" (") + e.detail + ")";
  if (e.origin == Origin::kReceived) s += "; the peer sent alert " + std::string(name(e.alert));
  if (e.origin == Origin::kLocal) s += "; sent alert " + std::string(name(e.alert));
  return s;
}

bool Duplex::flush(std::string& out_error) {
  while (conn_.wants_write()) {
    const auto out = conn_.outbound();
    const ssize_t n = ::send(fd_.get(), out.data(), out.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
      out_error = std::string("send: ") + std::strerror(errno);
      return false;
    }
    conn_.outbound_consumed(static_cast<size_t>(n));
    sent_ += static_cast<uint64_t>(n);
  }
  return true;
}

bool Duplex::receive(std::string& out_error) {
  const auto space = conn_.inbound_space();
  if (space.empty()) return true;
  const ssize_t n = ::recv(fd_.get(), space.data(), space.size(), 0);
  if (n < 0) {
    conn_.inbound_commit(0);
    if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) return true;
    out_error = std::string("recv: ") + std::strerror(errno);
    return false;
  }
  conn_.inbound_commit(static_cast<size_t>(n));
  if (n == 0) {
    transport_eof_ = true;
    conn_.inbound_eof();
  }
  received_ += static_cast<uint64_t>(n);
  return true;
}

bool Duplex::wait(bool want_socket_read, int input_fd, bool& out_input_ready, std::string& out_error) {
  out_input_ready = false;
  pollfd fds[3];
  nfds_t n = 0;
  short sock_events = 0;
  if (want_socket_read && !transport_eof_) sock_events |= POLLIN;
  if (conn_.wants_write()) sock_events |= POLLOUT;
  fds[n++] = {fd_.get(), sock_events, 0};
  const int async = conn_.async_fd();
  int async_slot = -1, input_slot = -1;
  if (async >= 0) {
    async_slot = static_cast<int>(n);
    fds[n++] = {async, POLLIN, 0};
  }
  if (input_fd >= 0) {
    input_slot = static_cast<int>(n);
    fds[n++] = {input_fd, POLLIN, 0};
  }
  if (sock_events == 0 && async_slot < 0 && input_slot < 0) {
    out_error = "nothing to wait for (the engine wants neither reads nor writes)";
    return false;
  }
  int r;
  do {
    r = ::poll(fds, n, -1);
  } while (r < 0 && errno == EINTR);
  if (r < 0) {
    out_error = std::string("poll: ") + std::strerror(errno);
    return false;
  }
  if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
    if (!receive(out_error)) return false;
  }
  if (input_slot >= 0) out_input_ready = (fds[input_slot].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
  return true;
}

bool Duplex::handshake(std::string& out_error) {
  while (true) {
    const Progress p = conn_.handshake();
    if (!flush(out_error)) return false;
    switch (p.status) {
      case Status::kOk: return flush(out_error);
      case Status::kWantRead:
        if (transport_eof_) {
          out_error = "handshake: the peer closed the transport";
          return false;
        }
        break;
      case Status::kWantWrite:
      case Status::kWantAsync: break;
      case Status::kZeroReturn:
        out_error = "handshake: the peer sent close_notify";
        return false;
      case Status::kError: flush(out_error); out_error = tls_error("handshake"); return false;
    }
    bool unused;
    if (!wait(p.status == Status::kWantRead, -1, unused, out_error)) return false;
  }
}

bool Duplex::call(const std::function<Progress(Connection&)>& op, std::string& out_error) {
  while (true) {
    const Progress p = op(conn_);
    if (!flush(out_error)) return false;
    if (p.status == Status::kError) {
      out_error = tls_error("request");
      return false;
    }
    if (p.status != Status::kWantWrite && p.status != Status::kWantAsync) return true;
    bool unused;
    if (!wait(!conn_.inbound_space().empty(), -1, unused, out_error)) return false;
  }
}

Ending Duplex::run(const DuplexOptions& o, std::string& out_error) {
  std::vector<uint8_t> buf(16384);
  std::vector<char> in(16384);
  int input_fd = o.input_fd;
  while (true) {
    if (!flush(out_error)) return Ending::kError;

    // Plaintext out: the front chunk stays where it is until the engine has
    // taken all of it, as a retried write must pass the same buffer.
    size_t burst = 0;
    bool write_blocked = false;
    while (!queue_.empty() && !sent_close_ && burst < kWriteBurst) {
      const std::string& front = queue_.front();
      const auto rest = std::span(reinterpret_cast<const uint8_t*>(front.data()) + front_offset_,
                                  front.size() - front_offset_);
      const Progress p = conn_.write(rest);
      if (p.status == Status::kOk) {
        front_offset_ += p.bytes;
        queued_bytes_ -= p.bytes;
        burst += p.bytes;
        if (front_offset_ == front.size()) {
          queue_.pop_front();
          front_offset_ = 0;
        }
        if (!flush(out_error)) return Ending::kError;
        continue;
      }
      if (p.status == Status::kError) {
        out_error = tls_error("write");
        return Ending::kError;
      }
      write_blocked = true;  // kWantWrite (drain first), kWantRead (renegotiating), kWantAsync
      break;
    }

    // Plaintext in, unless enough is queued already (echo back-pressure).
    bool need_read = false;
    while (!peer_closed_ && (!o.echo || queued_bytes_ < kMaxQueued)) {
      const Progress p = conn_.read(buf);
      if (p.status == Status::kOk) {
        if (o.on_data) o.on_data(std::span(buf).first(p.bytes));
        continue;
      }
      if (p.status == Status::kZeroReturn) {
        peer_closed_ = true;
        break;
      }
      if (p.status == Status::kError) {
        if (conn_.error().reason == Reason::kTruncated) return Ending::kTruncated;
        flush(out_error);
        out_error = tls_error("read");
        return Ending::kError;
      }
      // A read that stopped on a post-handshake message (KeyUpdate,
      // NewSessionTicket, CertificateRequest) says kWantRead even when more
      // records are buffered: only wants_read() says the socket is needed.
      if (p.status == Status::kWantRead && !conn_.wants_read()) continue;
      need_read = p.status == Status::kWantRead;
      break;
    }
    if (!flush(out_error)) return Ending::kError;
    if (conn_.handshake_done() && (renegotiating_ || conn_.renegotiations() != renegotiations_)) {
      const bool completed = conn_.renegotiations() != renegotiations_;
      renegotiations_ = conn_.renegotiations();
      if (o.on_renegotiation) o.on_renegotiation(completed);
    }
    renegotiating_ = !conn_.handshake_done();

    // Closing: once the peer closed and everything queued is out, answer
    // with our close_notify; or send ours first when asked to.
    if ((peer_closed_ || want_close_) && queue_.empty() && !sent_close_) {
      const Progress p = conn_.shutdown();
      if (p.status == Status::kError) {
        out_error = tls_error("shutdown");
        return Ending::kError;
      }
      if (p.status != Status::kWantWrite) sent_close_ = true;
      if (!flush(out_error)) return Ending::kError;
    }
    if (sent_close_ && peer_closed_ && !conn_.wants_write()) return Ending::kClean;
    if (transport_eof_ && !peer_closed_ && !conn_.has_pending() && need_read) return Ending::kTruncated;
    if (transport_eof_ && sent_close_ && peer_closed_) return Ending::kClean;

    // Data queued during this turn (an echo, a response) or left by the
    // write burst goes out before the loop sleeps: nothing may wake it.
    if (!queue_.empty() && !sent_close_ && !write_blocked) continue;

    const bool take_input = input_fd >= 0 && queued_bytes_ < kMaxQueued && !sent_close_ && !want_close_;
    const bool socket_read = !transport_eof_ && (need_read || peer_closed_ || sent_close_ ||
                                                 queued_bytes_ >= kMaxQueued || conn_.wants_read());
    bool input_ready = false;
    if (!wait(socket_read && !conn_.inbound_space().empty(), take_input ? input_fd : -1, input_ready, out_error))
      return Ending::kError;
    if (input_ready) {
      const ssize_t n = ::read(input_fd, in.data(), in.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        input_fd = -1;
        if (!o.ign_eof) want_close_ = true;
        continue;
      }
      const std::string_view chunk(in.data(), static_cast<size_t>(n));
      char letter;
      if (o.commands && is_command(chunk, letter) && o.on_command) {
        o.on_command(letter);
      } else {
        send(std::string(chunk));
      }
    }
  }
}

}  // namespace sluice::tool
