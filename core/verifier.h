// Certificate verification as seen by the engine. The engine hands the
// peer's chain to a CertificateVerifier and proceeds only with the token it
// returns (STYLE.md practice 6). pki/ provides the WebPKI implementation;
// tests may pin an exact certificate. No verifier that accepts anything is
// provided.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "crypto/provider.h"

namespace sluice {

// CertVerified proves a verifier accepted the chain. Move-only; only
// assertion() makes one, and only verifiers should call it.
class CertVerified {
 public:
  // assertion: the chain was accepted, and `end_entity_key` is the key of
  // its end-entity certificate, the one CertificateVerify must be signed
  // with. The key travels in the token so nothing reaches it unverified.
  static CertVerified assertion(crypto::PublicKey end_entity_key) { return CertVerified(std::move(end_entity_key)); }
  CertVerified(CertVerified&&) = default;
  CertVerified& operator=(CertVerified&&) = default;
  CertVerified(const CertVerified&) = delete;
  CertVerified& operator=(const CertVerified&) = delete;
  const crypto::PublicKey& end_entity_key() const { return key_; }

 private:
  explicit CertVerified(crypto::PublicKey key) : key_(std::move(key)) {}
  crypto::PublicKey key_;
};

struct CertificateRequest {
  // DER certificates, the end-entity first, as received.
  std::span<const std::vector<uint8_t>> chain;
  // The name the client asked for (SNI); empty when verifying a client.
  std::string_view server_name;
  // Seconds since the Unix epoch, from the context's injected clock.
  int64_t now = 0;
  // true: check for serverAuth EKU (we are the client); false: clientAuth.
  bool peer_is_server = true;
  // true: the chain is a resumed session's, verified before (see
  // Context::set_reverify_on_resume); no CertificateVerify will follow.
  bool resumption = false;
  // What the server stapled, when the client asked (Context::set_request_ocsp,
  // set_request_sct); empty otherwise.
  std::span<const uint8_t> ocsp_response = {};
  std::span<const uint8_t> sct_list = {};
};

class CertificateVerifier {
 public:
  virtual ~CertificateVerifier() = default;
  // verify accepts the chain or returns an Error whose reason and alert say
  // why not (kUnknownCa, kCertificateExpired, kCertificateNameMismatch, ...).
  virtual TlsResult<CertVerified> verify(const CertificateRequest& req) const = 0;
};

}  // namespace sluice
