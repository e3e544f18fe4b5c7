// Running the built `sluice` binary in tests: where bazel put it, and
// starting a server (sluice's or openssl's) that prints "ACCEPT HOST:PORT"
// once it listens.
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "tests/interop/peer_process.h"
#include "tools/sluice/options.h"

namespace sluice::interop {

// sluice_binary is the path of //tools/sluice (a data dependency).
inline std::string sluice_binary() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* ws = std::getenv("TEST_WORKSPACE");
  REQUIRE_MESSAGE(srcdir, "run under bazel test (TEST_SRCDIR is unset)");
  return std::string(srcdir) + "/" + (ws ? ws : "sluice") + "/tools/sluice/sluice";
}

// start_listener runs `argv` and reads PORT from its "ACCEPT HOST:PORT"
// line (127.0.0.1:PORT or [::1]:PORT).
inline std::optional<PeerProcess> start_listener(const std::vector<std::string>& argv, uint16_t& out_port) {
  std::string err;
  auto p = PeerProcess::start(argv, err);
  if (!p) return std::nullopt;
  const auto line = p->wait_for_line("ACCEPT ");
  if (!line) return std::nullopt;
  auto port = tool::parse_port(line->substr(line->rfind(':') + 1));
  if (!port) return std::nullopt;
  out_port = *port;
  return p;
}

}  // namespace sluice::interop
