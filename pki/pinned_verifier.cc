#include "pki/pinned_verifier.h"

#include <algorithm>

#include "pki/pem.h"
#include "pki/x509.h"

namespace sluice::pki {

TlsResult<PinnedVerifier> PinnedVerifier::from_pem(std::string_view pem) {
  std::vector<std::vector<uint8_t>> certs = SLUICE_TRY(pem_certificates(pem));
  return PinnedVerifier(std::move(certs.front()));
}

TlsResult<CertVerified> PinnedVerifier::verify(const CertificateRequest& req) const {
  if (req.chain.empty()) return Err(Error(Reason::kBadCertificate, "pinned: empty chain"));
  if (!std::ranges::equal(req.chain.front(), expected_))
    return Err(Error(Reason::kBadCertificate, "pinned: certificate is not the pinned one"));
  Certificate cert = SLUICE_TRY(parse_certificate(expected_));
  if (!cert.key_supported)
    return Err(Error(Reason::kUnsupportedCertificate, "pinned: unsupported public key"));
  return CertVerified::assertion(std::move(cert.public_key));
}

}  // namespace sluice::pki
