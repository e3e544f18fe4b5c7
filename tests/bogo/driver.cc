#include "tests/bogo/driver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sluice::bogo {

int connect_to_runner(int port, bool ipv6, int64_t shim_id, std::string& out_error) {
  const int fd = ::socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    out_error = std::string("socket: ") + std::strerror(errno);
    return -1;
  }
  int rc;
  if (ipv6) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(static_cast<uint16_t>(port));
    a.sin6_addr = in6addr_loopback;
    rc = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  } else {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    rc = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  if (rc != 0) {
    out_error = std::string("connect: ") + std::strerror(errno);
    ::close(fd);
    return -1;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  uint8_t id[8];
  for (int i = 0; i < 8; ++i) id[i] = static_cast<uint8_t>(static_cast<uint64_t>(shim_id) >> (8 * i));
  if (::send(fd, id, sizeof id, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof id)) {
    out_error = std::string("send shim id: ") + std::strerror(errno);
    ::close(fd);
    return -1;
  }
  return fd;
}

bool Driver::flush() {
  while (true) {
    auto out = conn_.outbound();
    if (out.empty()) return true;
    const size_t len = byte_at_a_time_ ? 1 : out.size();
    const ssize_t n = ::send(fd_, out.data(), len, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      // The peer may have closed after our alert or close_notify: what is
      // left unsent no longer matters to it.
      transport_error_ = std::string("send: ") + std::strerror(errno);
      return false;
    }
    if (is_server_) sniffer_.observe(out.first(static_cast<size_t>(n)));
    conn_.outbound_consumed(static_cast<size_t>(n));
  }
}

bool Driver::receive() {
  if (eof_sent_) {
    transport_error_ = "the engine asked for input after the transport closed";
    return false;
  }
  if (byte_at_a_time_) {
    // One byte per call: the engine must make progress on every partial
    // record and say kWantRead again.
    if (!have_byte_) {
      ssize_t n;
      do n = ::recv(fd_, &byte_, 1, 0);
      while (n < 0 && errno == EINTR);
      if (n <= 0) {
        conn_.inbound_eof();
        eof_sent_ = true;
        return true;
      }
      have_byte_ = true;
      if (!is_server_) sniffer_.observe(std::span<const uint8_t>(&byte_, 1));
    }
    if (conn_.feed(std::span<const uint8_t>(&byte_, 1)) == 1) have_byte_ = false;
    return true;
  }
  auto space = conn_.inbound_space();
  if (space.empty()) {
    transport_error_ = "no inbound space while the engine wants to read";
    return false;
  }
  ssize_t n;
  do n = ::recv(fd_, space.data(), space.size(), 0);
  while (n < 0 && errno == EINTR);
  if (n <= 0) {
    conn_.inbound_eof();
    eof_sent_ = true;
    return true;
  }
  if (!is_server_) sniffer_.observe(space.first(static_cast<size_t>(n)));
  conn_.inbound_commit(static_cast<size_t>(n));
  return true;
}

bool Driver::wait_async() {
  const int fd = conn_.async_fd();
  if (fd < 0) return true;  // already complete: the repeated call sees it
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, 20000) < 0) {
    if (errno != EINTR) {
      transport_error_ = std::string("poll: ") + std::strerror(errno);
      return false;
    }
  }
  return true;
}

}  // namespace sluice::bogo
