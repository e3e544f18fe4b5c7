// Two connected stream sockets for adapter tests: a Unix socketpair, or TCP
// over 127.0.0.1.
#pragma once

#include <sys/socket.h>

#include <utility>

#include "adapters/net/fd.h"
#include "adapters/net/loopback.h"

namespace sluice::interop {

enum class Transport { kSocketpair, kTcp };

inline const char* name(Transport t) { return t == Transport::kSocketpair ? "socketpair" : "tcp 127.0.0.1"; }

// connected_pair returns {client end, server end}; invalid Fds on failure.
inline std::pair<net::Fd, net::Fd> connected_pair(Transport t) {
  if (t == Transport::kSocketpair) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return {};
    return {net::Fd(sv[0]), net::Fd(sv[1])};
  }
  auto listener = net::listen_loopback(0);
  if (!listener) return {};
  auto port = net::local_port(listener->get());
  if (!port) return {};
  // The kernel completes the connection into the backlog, so a blocking
  // connect followed by accept needs no second thread.
  auto client = net::connect_loopback(*port);
  if (!client) return {};
  auto server = net::accept_one(listener->get());
  if (!server) return {};
  return {std::move(*client), std::move(*server)};
}

}  // namespace sluice::interop
