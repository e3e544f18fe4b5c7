#include "adapters/net/loopback.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace sluice::net {

namespace {

sockaddr_in loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// TLS flights are small and latency-bound; Nagle would hold the second
// record of a flight back for a round trip.
void no_delay(int fd) {
  int one = 1;
  (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

SysResult<Fd> listen_loopback(uint16_t port, int backlog) {
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Err(SysError::last("socket"));
  int one = 1;
  (void)::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a = loopback(port);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return Err(SysError::last("bind"));
  if (::listen(fd.get(), backlog) != 0) return Err(SysError::last("listen"));
  return fd;
}

SysResult<uint16_t> local_port(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) return Err(SysError::last("getsockname"));
  return static_cast<uint16_t>(ntohs(a.sin_port));
}

SysResult<Fd> accept_one(int listener) {
  while (true) {
    int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) {
      no_delay(fd);
      return Fd(fd);
    }
    if (errno != EINTR) return Err(SysError::last("accept"));
  }
}

SysResult<Fd> connect_loopback(uint16_t port) {
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Err(SysError::last("socket"));
  sockaddr_in a = loopback(port);
  while (::connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    if (errno != EINTR) return Err(SysError::last("connect"));
  }
  no_delay(fd.get());
  return fd;
}

SysResult<void> set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) return Err(SysError::last("fcntl(O_NONBLOCK)"));
  return {};
}

SysResult<uint16_t> free_loopback_port() {
  auto fd = SLUICE_TRY(listen_loopback(0));
  return local_port(fd.get());
}

}  // namespace sluice::net
