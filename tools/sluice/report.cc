#include "tools/sluice/report.h"

#include <cstdio>

#include "core/suites.h"
#include "crypto/algorithms.h"
#include "pki/x509.h"

namespace sluice::tool {

namespace {

std::string yes_no(bool b) { return b ? "yes" : "no"; }

// A rejected offer never gets here: the client's handshake fails
// (ech_required) and s_client says so itself.
std::string ech_line(const Negotiated& n, const HandshakeFacts& facts) {
  if (n.ech_accepted) return "accepted";
  if (facts.role == Role::kServer) return "not used";
  switch (facts.ech_offer) {
    case EchOffer::kNone: break;
    case EchOffer::kGrease: return "not offered (GREASE sent)";
    case EchOffer::kConfig: return "not offered (no usable config in the list)";
  }
  return "not offered";
}

}  // namespace

std::string certificate_line(const std::vector<uint8_t>& der) {
  auto cert = pki::parse_certificate(der);
  if (!cert) return "(" + std::to_string(der.size()) + " bytes, not decodable)";
  std::string s = "CN=" + (cert->subject_cn.empty() ? std::string("(none)") : std::string(cert->subject_cn));
  s += cert->key_supported ? ", " + std::string(crypto::name(cert->public_key.type)) + " key" : ", unsupported key";
  s += ", " + std::to_string(der.size()) + " bytes";
  return s;
}

std::string cipher_suite_name(uint16_t suite) {
  if (const auto info = suite_info(suite); info) return info->name;
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%04x", suite);
  return buf;
}

std::string describe_negotiated(const Negotiated& n, const HandshakeFacts& facts, bool brief) {
  std::string s;
  s += "Protocol: ";
  s += n.version == 0x0304 ? "TLSv1.3" : n.version == 0x0303 ? "TLSv1.2" : "unknown";
  s += "\nCipher: " + cipher_suite_name(n.cipher_suite);
  // A resumption without a fresh key exchange (psk_ke) has no group.
  s += "\nGroup: " + (static_cast<uint16_t>(n.group) == 0 ? std::string("(none)") : std::string(crypto::name(n.group)));
  s += "\nResumed: " + yes_no(n.resumed);
  if (brief) return s + "\n";
  // A resumed handshake signs nothing: the ticket stands for the certificate.
  s += "\nSignature: " + (n.resumed || static_cast<uint16_t>(n.signature_scheme) == 0
                              ? std::string("(none)")
                              : std::string(crypto::name(n.signature_scheme)));
  s += "\nHelloRetryRequest: " + yes_no(n.hello_retry_request);
  // As openssl s_client says it: the keys are bound to this handshake
  // (RFC 7627 in TLS 1.2; always in TLS 1.3).
  s += "\nExtended master secret: " + yes_no(n.extended_master_secret);
  s += "\nEarly data: " + std::string(n.early_data_accepted ? "accepted"
                                                             : "not accepted (" + std::string(name(n.early_data_reason)) + ")");
  if (facts.role == Role::kServer) {
    if (!facts.client_auth_asked) {
      s += "\nClient certificate: not requested";
    } else if (n.peer_chain.empty()) {
      s += "\nClient certificate: none sent";
    } else {
      // The engine hands the chain on only after the verifier accepted it.
      s += "\nClient certificate: verified (" + certificate_line(n.peer_chain.front()) + ")";
      if (static_cast<uint16_t>(n.peer_signature_scheme) != 0)
        s += "\nClient signature: " + std::string(crypto::name(n.peer_signature_scheme));
    }
  }
  if (facts.role == Role::kClient) {
    // Stapled by the server for a client that asked (-status, -ct); how
    // to judge them is the verifier's business, so the report only counts.
    s += "\nOCSP response: " + (n.peer_ocsp_response.empty() ? std::string("(none)")
                                                            : std::to_string(n.peer_ocsp_response.size()) + " bytes");
    s += "\nSCT list: " + (n.peer_sct_list.empty() ? std::string("(none)")
                                                   : std::to_string(n.peer_sct_list.size()) + " bytes");
  }
  s += "\nECH: " + ech_line(n, facts);
  s += "\nALPN: " + (n.alpn.empty() ? std::string("(none)") : n.alpn);
  s += "\nServer name: " + (n.server_name.empty() ? std::string("(none)") : n.server_name);
  s += "\nPeer certificates: " + std::to_string(n.peer_chain.size());
  for (size_t i = 0; i < n.peer_chain.size(); ++i) {
    s += "\n " + std::to_string(i) + " " + certificate_line(n.peer_chain[i]);
  }
  s += "\n";
  return s;
}

std::string describe_exported(Connection& conn, const ExportRequest& request) {
  std::vector<uint8_t> material(request.length);
  const Progress p = conn.export_keying_material(request.label, std::nullopt, material);
  std::string s = "Keying material exporter:\n    Label: '" + request.label + "'\n    Length: " +
                  std::to_string(request.length) + " bytes\n";
  if (p.status != Status::kOk) return s + "    Error: " + std::string(describe(conn.error().reason)) + "\n";
  s += "    Keying material: ";
  for (uint8_t b : material) {
    char hex[3];
    std::snprintf(hex, sizeof hex, "%02X", b);
    s += hex;
  }
  return s + "\n";
}

}  // namespace sluice::tool
