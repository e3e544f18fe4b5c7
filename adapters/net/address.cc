#include "adapters/net/address.h"

#include <arpa/inet.h>
#include <netinet/tcp.h>

#include <charconv>
#include <cstring>

namespace sluice::net {

SysResult<SocketAddress> SocketAddress::parse(std::string_view text) {
  std::string host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Err(SysError{"parse", EINVAL});
    }
    host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return Err(SysError{"parse", EINVAL});
    host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535 || port_text.empty()) {
    return Err(SysError{"parse", EINVAL});
  }
  SocketAddress a;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.storage_);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.storage_);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    a.len_ = sizeof(sockaddr_in);
    return a;
  }
  a.storage_ = {};
  if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    a.len_ = sizeof(sockaddr_in6);
    return a;
  }
  return Err(SysError{"parse", EINVAL});
}

SocketAddress SocketAddress::loopback4(uint16_t port) {
  SocketAddress a;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.storage_);
  v4->sin_family = AF_INET;
  v4->sin_port = htons(port);
  v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.len_ = sizeof(sockaddr_in);
  return a;
}

SocketAddress SocketAddress::loopback6(uint16_t port) {
  SocketAddress a;
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.storage_);
  v6->sin6_family = AF_INET6;
  v6->sin6_port = htons(port);
  v6->sin6_addr = in6addr_loopback;
  a.len_ = sizeof(sockaddr_in6);
  return a;
}

SysResult<SocketAddress> SocketAddress::of_socket(int fd) {
  SocketAddress a;
  a.len_ = sizeof a.storage_;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a.storage_), &a.len_) != 0) {
    return Err(SysError::last("getsockname"));
  }
  return a;
}

uint16_t SocketAddress::port() const {
  if (family() == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
}

SocketAddress SocketAddress::with_port(uint16_t port) const {
  SocketAddress a = *this;
  if (family() == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(&a.storage_)->sin6_port = htons(port);
  } else {
    reinterpret_cast<sockaddr_in*>(&a.storage_)->sin_port = htons(port);
  }
  return a;
}

std::string SocketAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (family() == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr, buf, sizeof buf);
    return "[" + std::string(buf) + "]:" + std::to_string(port());
  }
  ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, buf, sizeof buf);
  return std::string(buf) + ":" + std::to_string(port());
}

void set_no_delay(int fd) {
  int one = 1;
  (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

SysResult<Fd> listen_on(const SocketAddress& addr, int backlog) {
  Fd fd(::socket(addr.family(), SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Err(SysError::last("socket"));
  int one = 1;
  (void)::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (addr.family() == AF_INET6) (void)::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (::bind(fd.get(), addr.raw(), addr.raw_len()) != 0) return Err(SysError::last("bind"));
  if (::listen(fd.get(), backlog) != 0) return Err(SysError::last("listen"));
  return fd;
}

SysResult<Fd> connect_to(const SocketAddress& addr) {
  Fd fd(::socket(addr.family(), SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Err(SysError::last("socket"));
  while (::connect(fd.get(), addr.raw(), addr.raw_len()) != 0) {
    if (errno != EINTR) return Err(SysError::last("connect"));
  }
  set_no_delay(fd.get());
  return fd;
}

}  // namespace sluice::net
