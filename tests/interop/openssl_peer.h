// Starting `openssl s_server` for interop tests: on a kernel-chosen
// 127.0.0.1 port, taken from the "ACCEPT 127.0.0.1:PORT" line it prints
// once listening.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tests/interop/peer_process.h"
#include "tests/interop/test_pki.h"
#include "tools/sluice/options.h"

namespace sluice::interop {

inline std::optional<PeerProcess> start_openssl_server(const LeafFiles& leaf, const std::vector<std::string>& extra,
                                                       uint16_t& out_port) {
  std::vector<std::string> argv = {"openssl", "s_server", "-accept", "127.0.0.1:0", "-naccept", "1",
                                   "-cert", leaf.cert_pem, "-key", leaf.key_pem};
  argv.insert(argv.end(), extra.begin(), extra.end());
  std::string err;
  auto p = PeerProcess::start(argv, err);
  if (!p) return std::nullopt;
  if (!p->wait_for_output("ACCEPT 127.0.0.1:")) return std::nullopt;
  const size_t at = p->output().find("ACCEPT 127.0.0.1:") + 17;
  if (!p->wait_for_output("\n")) return std::nullopt;
  const std::string rest = p->output().substr(at);
  auto port = tool::parse_port(rest.substr(0, rest.find_first_of("\r\n")));
  if (!port) return std::nullopt;
  out_port = *port;
  return p;
}

}  // namespace sluice::interop
