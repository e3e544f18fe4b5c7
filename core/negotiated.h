// Negotiated: what a handshake settled on, as Connection::negotiated()
// reports it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/certificate_chain.h"
#include "crypto/algorithms.h"

namespace sluice {

// Why 0-RTT was or was not used, on either side (as BoringSSL's
// SSL_get_early_data_reason tells it).
enum class EarlyDataReason : uint8_t {
  kUnknown = 0,            // the handshake has not got that far
  kDisabled,               // this side does not do 0-RTT (or, client, nothing was queued)
  kAccepted,
  kProtocolVersion,        // TLS 1.2 was negotiated
  kPeerDeclined,           // client: the server did not take it; server: the client offered none
  kNoSessionOffered,       // no session (PSK) was offered
  kSessionNotResumed,      // the session was not resumed
  kUnsupportedForSession,  // the session does not allow 0-RTT (or was issued for another suite)
  kHelloRetryRequest,      // the server asked for a second ClientHello
  kAlpnMismatch,           // the session's ALPN protocol is not the one negotiated now
  kTicketAgeSkew,          // the ticket's age does not fit the time it was issued
  kReplay,                 // server: the ticket was used for 0-RTT before
};
std::string_view name(EarlyDataReason r);

struct Negotiated {
  uint16_t version = 0;
  uint16_t cipher_suite = 0;
  crypto::Group group{};
  crypto::SignatureScheme signature_scheme{};  // the server's CertificateVerify (or TLS 1.2 ServerKeyExchange)
  crypto::SignatureScheme peer_signature_scheme{};  // the peer's signature (a server: the client's); 0 when none
  std::string alpn;
  std::string server_name;
  CertificateChain peer_chain;  // DER, end-entity first; empty when none was sent
  std::vector<uint8_t> peer_ocsp_response;  // stapled by the server; empty when none
  std::vector<uint8_t> peer_sct_list;       // its SignedCertificateTimestampList; empty when none
  bool resumed = false;              // a ticket's PSK was accepted
  bool early_data_accepted = false;  // 0-RTT data was accepted
  EarlyDataReason early_data_reason = EarlyDataReason::kUnknown;
  bool hello_retry_request = false;  // TLS 1.3: the server sent a HelloRetryRequest (RFC 8446 §4.1.4)
  bool ech_accepted = false;         // Encrypted Client Hello: the inner hello was answered
  // The keys are bound to the handshake that made them: TLS 1.2 with the
  // extended master secret (RFC 7627; a resumption inherits its session's),
  // and always TLS 1.3.
  bool extended_master_secret = false;
};

}  // namespace sluice
