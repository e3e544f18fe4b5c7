#include "fuzz/danger_accept_any_verifier.h"

#include "crypto/fuzzing/danger_fuzzing_provider.h"
#include "pki/x509.h"

namespace sluice::fuzz {

TlsResult<CertVerified> DangerAcceptAnyCertificateVerifier::verify(const CertificateRequest& req) const {
  if (!req.chain.empty()) {
    auto cert = pki::parse_certificate(req.chain.front());
    if (cert && cert->key_supported) return CertVerified::assertion(std::move(cert->public_key));
  }
  return CertVerified::assertion(crypto::danger_fuzzing_public_key(crypto::KeyType::kEd25519));
}

}  // namespace sluice::fuzz
