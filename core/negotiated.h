// Negotiated: what a handshake settled on, as Connection::negotiated()
// reports it.
#pragma once

#include <cstdint>
#include <string>

#include "core/certificate_chain.h"
#include "crypto/algorithms.h"

namespace sluice {

struct Negotiated {
  uint16_t version = 0;
  uint16_t cipher_suite = 0;
  crypto::Group group{};
  crypto::SignatureScheme signature_scheme{};  // the server's CertificateVerify (or TLS 1.2 ServerKeyExchange)
  crypto::SignatureScheme peer_signature_scheme{};  // the peer's signature (a server: the client's); 0 when none
  std::string alpn;
  std::string server_name;
  CertificateChain peer_chain;  // DER, end-entity first; empty when none was sent
  bool resumed = false;              // a ticket's PSK was accepted
  bool early_data_accepted = false;  // 0-RTT data was accepted
  bool hello_retry_request = false;  // TLS 1.3: the server sent a HelloRetryRequest (RFC 8446 §4.1.4)
};

}  // namespace sluice
