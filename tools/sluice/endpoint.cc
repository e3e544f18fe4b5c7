#include "tools/sluice/endpoint.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cstring>

#include "tools/sluice/options.h"

namespace sluice::tool {

namespace {

bool is_loopback(const sockaddr* sa) {
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
  }
  if (sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
  }
  return false;
}

}  // namespace

std::optional<Endpoint> parse_endpoint(std::string_view option, std::string_view text, bool listen_side,
                                       std::string& out_error) {
  const std::string where = "-" + std::string(option) + " '" + std::string(text) + "'";
  std::string host, port_text;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find("]:");
    if (close == std::string_view::npos) {
      out_error = where + ": an IPv6 address is written [::1]:PORT";
      return std::nullopt;
    }
    host = std::string(text.substr(1, close - 1));
    port_text = std::string(text.substr(close + 2));
  } else if (const size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    host = std::string(text.substr(0, colon));
    port_text = std::string(text.substr(colon + 1));
  } else if (listen_side) {
    host = "127.0.0.1";
    port_text = std::string(text);
  } else {
    out_error = where + ": give HOST:PORT (127.0.0.1:4433, [::1]:4433, localhost:4433)";
    return std::nullopt;
  }
  auto port = parse_number(port_text, listen_side ? 0 : 1, 65535);
  if (!port) {
    out_error = where + ": '" + port_text + "' is not a port";
    return std::nullopt;
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), port_text.c_str(), &hints, &res); rc != 0) {
    out_error = where + ": cannot resolve '" + host + "': " + ::gai_strerror(rc);
    return std::nullopt;
  }
  Endpoint found{host, {}};
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    if (!is_loopback(ai->ai_addr)) continue;
    char buf[INET6_ADDRSTRLEN] = {};
    const void* raw = ai->ai_family == AF_INET
                          ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(ai->ai_addr)->sin_addr)
                          : static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(ai->ai_addr)->sin6_addr);
    ::inet_ntop(ai->ai_family, raw, buf, sizeof buf);
    const std::string literal = ai->ai_family == AF_INET ? std::string(buf) : "[" + std::string(buf) + "]";
    auto addr = net::SocketAddress::parse(literal + ":" + port_text);
    if (addr) found.addresses.push_back(*addr);
  }
  ::freeaddrinfo(res);
  if (found.addresses.empty()) {
    out_error = where + ": '" + host + "' is not a loopback address (sluice only uses 127.0.0.0/8 and ::1)";
    return std::nullopt;
  }
  return found;
}

net::SysResult<net::Fd> connect_endpoint(const Endpoint& e) {
  net::SysResult<net::Fd> r = net::connect_to(e.addresses.front());
  for (size_t i = 1; !r && i < e.addresses.size(); ++i) r = net::connect_to(e.addresses[i]);
  return r;
}

}  // namespace sluice::tool
