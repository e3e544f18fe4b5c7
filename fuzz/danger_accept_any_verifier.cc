#include "fuzz/danger_accept_any_verifier.h"

#include "crypto/fuzzing/danger_fuzzing_provider.h"
#include "pki/x509.h"

namespace sluice::fuzz {

TlsResult<CertVerified> DangerAcceptAnyCertificateVerifier::verify(const CertificateRequest&) const {
  return CertVerified::assertion();
}

TlsResult<crypto::PublicKey> DangerAcceptAnyCertificateVerifier::end_entity_key(std::span<const uint8_t> der) const {
  auto cert = pki::parse_certificate(der);
  if (cert && cert->key_supported) return cert->public_key;
  return crypto::danger_fuzzing_public_key(crypto::KeyType::kEd25519);
}

}  // namespace sluice::fuzz
