// TLS 1.2 handshake messages that TLS 1.3 does not have, or has in another
// shape (RFC 5246 §7.4, RFC 8422 §5.4, RFC 5077 §3.3): plain structs with
// parse (body without the 4-byte header) and serialize (whole message).
#pragma once

#include <cstdint>
#include <vector>

#include "core/bytes.h"
#include "core/error.h"
#include "core/wire/types.h"

namespace sluice::wire {

// Certificate12: the chain without TLS 1.3's context and extensions.
struct Certificate12 {
  std::vector<std::vector<uint8_t>> certificates;  // DER, end-entity first
  static TlsResult<Certificate12> parse(Bytes body);
};
// CertificateStatus (RFC 6066 §8): an OCSP response, after the Certificate.
struct CertificateStatus {
  Bytes ocsp_response;
  [[nodiscard]] bool serialize(std::vector<uint8_t>& out) const;
  static TlsResult<CertificateStatus> parse(Bytes body);
};
// Certificate12View serializes a chain the caller keeps.
struct Certificate12View {
  std::span<const std::vector<uint8_t>> certificates;
  [[nodiscard]] bool serialize(std::vector<uint8_t>& out) const;
};

// ServerKeyExchange for ECDHE (RFC 8422 §5.4): named-curve parameters and
// their signature. Views into the parsed body or the caller's storage.
struct ServerKeyExchangeEcdhe {
  uint16_t group = 0;
  Bytes public_key;
  uint16_t scheme = 0;
  Bytes signature;
  // params is what the signature covers after the randoms:
  // curve_type(3) || group || public<1..255>.
  std::vector<uint8_t> params() const;
  [[nodiscard]] bool serialize(std::vector<uint8_t>& out) const;
  static TlsResult<ServerKeyExchangeEcdhe> parse(Bytes body);
};

// ClientKeyExchange for ECDHE: the client's public point.
struct ClientKeyExchangeEcdhe {
  Bytes public_key;
  [[nodiscard]] bool serialize(std::vector<uint8_t>& out) const;
  static TlsResult<ClientKeyExchangeEcdhe> parse(Bytes body);
};

// CertificateRequest12 (RFC 5246 §7.4.4).
struct CertificateRequest12 {
  std::vector<uint8_t> certificate_types;  // 1 rsa_sign, 64 ecdsa_sign
  std::vector<uint16_t> signature_algorithms;
  std::vector<std::vector<uint8_t>> certificate_authorities;
  [[nodiscard]] bool serialize(std::vector<uint8_t>& out) const;
  static TlsResult<CertificateRequest12> parse(Bytes body);
};

// NewSessionTicket12 (RFC 5077 §3.3).
struct NewSessionTicket12 {
  uint32_t lifetime_hint = 0;
  std::vector<uint8_t> ticket;
  [[nodiscard]] bool serialize(std::vector<uint8_t>& out) const;
  static TlsResult<NewSessionTicket12> parse(Bytes body);
};

// empty_message is a handshake message without a body (ServerHelloDone,
// HelloRequest).
struct EmptyMessage {
  HandshakeType type;
  [[nodiscard]] bool serialize(std::vector<uint8_t>& out) const;
};

}  // namespace sluice::wire
