// Where the tools connect and listen: loopback only. Host names are
// resolved, and refused unless every address used is 127.0.0.0/8 or ::1.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "adapters/net/address.h"

namespace sluice::tool {

struct Endpoint {
  std::string host;  // as given, brackets removed ("::1", "localhost")
  net::SocketAddress address;
};

// parse_endpoint reads "HOST:PORT", "[v6]:PORT" or (listen_side) a bare
// "PORT" meaning 127.0.0.1; port 0 only when listen_side. `option` names
// the option in error messages.
[[nodiscard]] std::optional<Endpoint> parse_endpoint(std::string_view option, std::string_view text,
                                                     bool listen_side, std::string& out_error);

}  // namespace sluice::tool
