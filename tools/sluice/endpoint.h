// Where the tools connect and listen: loopback only. Host names are
// resolved, and refused unless every address used is 127.0.0.0/8 or ::1.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/net/address.h"

namespace sluice::tool {

struct Endpoint {
  std::string host;  // as given, brackets removed ("::1", "localhost")
  // Every loopback address the host resolves to, in resolver order
  // ("localhost" may be ::1 and 127.0.0.1): a client tries each.
  std::vector<net::SocketAddress> addresses;
};

// connect_endpoint connects to the first address of `e` that answers.
[[nodiscard]] net::SysResult<net::Fd> connect_endpoint(const Endpoint& e);

// parse_endpoint reads "HOST:PORT", "[v6]:PORT" or (listen_side) a bare
// "PORT" meaning 127.0.0.1; port 0 only when listen_side. `option` names
// the option in error messages.
[[nodiscard]] std::optional<Endpoint> parse_endpoint(std::string_view option, std::string_view text,
                                                     bool listen_side, std::string& out_error);

}  // namespace sluice::tool
