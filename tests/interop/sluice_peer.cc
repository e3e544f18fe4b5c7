#include "tests/interop/sluice_peer.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <optional>

#include "adapters/blocking/blocking_stream.h"
#include "adapters/net/loopback.h"
#include "tests/interop/peer_process.h"

namespace sluice::interop {

namespace {

// Blocking calls on a socket end after this long, so a silent peer fails the
// test instead of hanging it.
void set_timeouts(int fd) {
  timeval tv{};
  tv.tv_sec = kPeerTimeout.count();
  (void)::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

auto as_bytes(const std::string& m) { return std::span(reinterpret_cast<const uint8_t*>(m.data()), m.size()); }

// handshake runs the handshake and records what was negotiated.
bool handshake(adapters::BlockingStream& s, SessionOutcome& out) {
  if (auto h = s.handshake(); !h) {
    out.error = "handshake: " + h.error().describe();
    return false;
  }
  out.handshake_ok = true;
  out.negotiated = s.connection().negotiated();
  std::vector<uint8_t> km(20);
  if (s.connection().export_keying_material(kExporterLabel, std::nullopt, km).status == Status::kOk) {
    static const char* kHex = "0123456789ABCDEF";
    for (uint8_t b : km) out.exported += std::string{kHex[b >> 4], kHex[b & 15]};
  }
  return true;
}

// exchange runs one session on an established stream.
void exchange(adapters::BlockingStream& s, const std::string& msg, size_t expect, bool echo, CloseOrder order,
              SessionOutcome& out) {
  if (!handshake(s, out)) return;
  if (!msg.empty()) {
    if (auto w = s.write(as_bytes(msg)); !w) {
      out.error = "write: " + w.error().describe();
      return;
    }
  }
  std::vector<uint8_t> buf(16384);
  while (out.received.size() < expect) {
    auto n = s.read(buf);
    if (!n) {
      out.error = "read: " + n.error().describe();
      return;
    }
    if (*n == 0) {
      out.error = "close_notify after " + std::to_string(out.received.size()) + " of " + std::to_string(expect) + " bytes";
      return;
    }
    out.received.append(reinterpret_cast<const char*>(buf.data()), *n);
    if (echo) {
      if (auto w = s.write(std::span(buf).first(*n)); !w) {
        out.error = "echo: " + w.error().describe();
        return;
      }
    }
  }
  if (order == CloseOrder::kPeerFirst) {
    // Anything but the peer's close_notify now is a failure of the test.
    auto n = s.read(buf);
    if (!n) {
      out.error = "waiting for the peer's close_notify: " + n.error().describe();
      return;
    }
    if (*n != 0) {
      out.error = "unexpected data instead of close_notify";
      return;
    }
  }
  if (auto c = s.shutdown(); !c) {
    out.error = "shutdown: " + c.error().describe();
    return;
  }
  out.clean_close = true;
}

// connect_client opens a sluice client on 127.0.0.1:port; nothing (and
// `out.error` set) when the connection fails.
std::optional<adapters::BlockingStream> connect_client(std::shared_ptr<Context> ctx, uint16_t port,
                                                       const std::string& server_name, SessionOutcome& out) {
  auto fd = net::connect_loopback(port);
  if (!fd) {
    out.error = fd.error().describe();
    return std::nullopt;
  }
  set_timeouts(fd->get());
  return std::optional<adapters::BlockingStream>(std::in_place, std::move(*fd),
                                                 Connection::client(std::move(ctx), server_name));
}

}  // namespace

std::unique_ptr<SluiceServer> SluiceServer::start(std::shared_ptr<Context> ctx, size_t expect, CloseOrder order) {
  std::unique_ptr<SluiceServer> s(new SluiceServer());
  auto l = net::listen_loopback(0);
  if (!l) return nullptr;
  auto port = net::local_port(l->get());
  if (!port) return nullptr;
  s->listener_ = std::move(*l);
  s->port_ = *port;
  s->thread_ = std::thread([srv = s.get(), ctx, expect, order] { srv->serve(ctx, expect, order); });
  return s;
}

SluiceServer::~SluiceServer() {
  if (thread_.joinable()) thread_.join();
}

void SluiceServer::serve(std::shared_ptr<Context> ctx, size_t expect, CloseOrder order) {
  pollfd p{listener_.get(), POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(std::chrono::milliseconds(kPeerTimeout).count())) != 1) {
    outcome_.error = "no connection arrived";
    return;
  }
  auto fd = net::accept_one(listener_.get());
  if (!fd) {
    outcome_.error = fd.error().describe();
    return;
  }
  set_timeouts(fd->get());
  adapters::BlockingStream s(std::move(*fd), Connection::server(std::move(ctx)));
  exchange(s, "", expect, /*echo=*/true, order, outcome_);
}

SessionOutcome SluiceServer::join() {
  if (thread_.joinable()) thread_.join();
  return outcome_;
}

SessionOutcome run_client(std::shared_ptr<Context> ctx, uint16_t port, const std::string& server_name,
                          const std::string& msg, size_t expect) {
  SessionOutcome out;
  auto s = connect_client(std::move(ctx), port, server_name, out);
  if (s) exchange(*s, msg, expect, /*echo=*/false, CloseOrder::kSluiceFirst, out);
  return out;
}

SessionOutcome run_request(std::shared_ptr<Context> ctx, uint16_t port, const std::string& server_name,
                           const std::string& request) {
  SessionOutcome out;
  auto stream = connect_client(std::move(ctx), port, server_name, out);
  if (!stream) return out;
  adapters::BlockingStream& s = *stream;
  if (!handshake(s, out)) return out;
  if (auto w = s.write(as_bytes(request)); !w) {
    out.error = "write: " + w.error().describe();
    return out;
  }
  std::vector<uint8_t> buf(16384);
  for (;;) {
    auto n = s.read(buf);
    if (!n) {
      out.error = "read after " + std::to_string(out.received.size()) + " bytes: " + n.error().describe();
      return out;
    }
    if (*n == 0) break;
    out.received.append(reinterpret_cast<const char*>(buf.data()), *n);
  }
  out.clean_close = true;
  // The answering close_notify is a courtesy: the peer may already have
  // closed its socket after sending its own, so a failed send is no failure.
  (void)s.shutdown(/*wait_for_peer=*/false);
  return out;
}

}  // namespace sluice::interop
