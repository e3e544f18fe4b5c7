#include "tools/sluice/report.h"

#include <cstdio>

#include "core/suites.h"
#include "crypto/algorithms.h"

namespace sluice::tool {

std::string cipher_suite_name(uint16_t suite) {
  if (const auto info = suite_info(suite); info) return info->name;
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%04x", suite);
  return buf;
}

std::string describe_negotiated(const Negotiated& n) {
  std::string s;
  s += "Protocol: ";
  s += n.version == 0x0304 ? "TLSv1.3" : n.version == 0x0303 ? "TLSv1.2" : "unknown";
  s += "\nCipher: " + cipher_suite_name(n.cipher_suite);
  s += "\nGroup: " + std::string(crypto::name(n.group));
  s += "\nSignature: " + std::string(crypto::name(n.signature_scheme));
  s += "\nALPN: " + (n.alpn.empty() ? std::string("(none)") : n.alpn);
  s += "\nServer name: " + (n.server_name.empty() ? std::string("(none)") : n.server_name);
  s += "\nPeer certificates: " + std::to_string(n.peer_chain.size());
  s += "\n";
  return s;
}

}  // namespace sluice::tool
