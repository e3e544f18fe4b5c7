// PinnedVerifier: a CertificateVerifier that accepts exactly one end-entity
// certificate, compared byte for byte. No path, validity or name checks: it
// is for tests and for deployments that pin a self-signed peer.
#pragma once

#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/verifier.h"

namespace sluice::pki {

class PinnedVerifier final : public CertificateVerifier {
 public:
  // PinnedVerifier pins the DER certificate `expected`.
  explicit PinnedVerifier(std::vector<uint8_t> expected) : expected_(std::move(expected)) {}
  // from_pem pins the first CERTIFICATE block of `pem`.
  [[nodiscard]] static TlsResult<PinnedVerifier> from_pem(std::string_view pem);

  // verify accepts a chain whose first certificate equals the pinned one
  // (further certificates are ignored); anything else is kBadCertificate,
  // and a pinned certificate whose key is unsupported
  // kUnsupportedCertificate.
  TlsResult<CertVerified> verify(const CertificateRequest& req) const override;

 private:
  std::vector<uint8_t> expected_;
};

}  // namespace sluice::pki
