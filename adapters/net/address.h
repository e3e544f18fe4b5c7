// SocketAddress and listeners on an address the application chooses (IPv4
// or IPv6), for servers built on the event loops. loopback.h stays the
// 127.0.0.1-only helper the CLI and interop tests use; this header is for
// applications, which decide where they listen.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/net/fd.h"
#include "adapters/net/sys_error.h"

namespace sluice::net {

// kDefaultBacklog: SOMAXCONN (4096 on current kernels, and the kernel caps
// it at net.core.somaxconn anyway). A burst of connects beyond the backlog
// is dropped SYN by SYN and retried by the client a second later, so a
// small backlog (the old 16) turns a load spike into 1 s latency.
inline constexpr int kDefaultBacklog = SOMAXCONN;

// SocketAddress: an IPv4 or IPv6 address and port.
class SocketAddress {
 public:
  // parse accepts "127.0.0.1:443", "[::1]:443", "0.0.0.0:0" and "[::]:8443".
  // A bare host without a port is refused. Returns an error named "parse".
  [[nodiscard]] static SysResult<SocketAddress> parse(std::string_view text);
  // loopback4/loopback6 are 127.0.0.1:port and [::1]:port.
  static SocketAddress loopback4(uint16_t port);
  static SocketAddress loopback6(uint16_t port);
  // of_socket is the local address a socket is bound to.
  [[nodiscard]] static SysResult<SocketAddress> of_socket(int fd);

  int family() const { return storage_.ss_family; }
  uint16_t port() const;
  SocketAddress with_port(uint16_t port) const;
  // to_string is the form parse() takes back.
  std::string to_string() const;

  const sockaddr* raw() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  socklen_t raw_len() const { return len_; }

 private:
  sockaddr_storage storage_{};
  socklen_t len_ = 0;
};

// listen_on binds `addr` (port 0 picks a free one; see SocketAddress::of_socket)
// with SO_REUSEADDR, listens with `backlog`, and returns the listening socket.
// IPv6 sockets are IPV6_V6ONLY so "[::]" and "0.0.0.0" can both be bound.
[[nodiscard]] SysResult<Fd> listen_on(const SocketAddress& addr, int backlog = kDefaultBacklog);
// connect_to connects a blocking stream socket to `addr`, with TCP_NODELAY.
[[nodiscard]] SysResult<Fd> connect_to(const SocketAddress& addr);
// set_no_delay turns Nagle off: TLS flights are small and latency-bound.
void set_no_delay(int fd);

}  // namespace sluice::net
