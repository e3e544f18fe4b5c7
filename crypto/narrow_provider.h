// NarrowProvider is the base of providers that offer a few algorithms and
// serve inside a composite beside others (SHA-NI, IPsec MB, X25519 on
// IFMA): whatever a subclass does not override is unsupported. supports()
// answers false, every operation kUnsupported, and random() too: a
// composite takes randomness from a member that has a generator.
#pragma once

#include "crypto/provider.h"

namespace sluice::crypto {

class NarrowProvider : public Provider {
 public:
  bool supports(HashAlg) const override { return false; }
  bool supports(AeadAlg) const override { return false; }
  bool supports(Group) const override { return false; }
  bool supports_verify(SignatureScheme) const override { return false; }
  bool supports_signing(KeyType) const override { return false; }

  CResult<std::unique_ptr<Hash>> new_hash(HashAlg) const override { return Err(CryptoError::kUnsupported); }
  CResult<std::unique_ptr<Mac>> new_hmac(HashAlg, Bytes) const override { return Err(CryptoError::kUnsupported); }
  CResult<std::unique_ptr<AeadKey>> new_aead(AeadAlg, Bytes) const override { return Err(CryptoError::kUnsupported); }
  CResult<std::unique_ptr<KeyShare>> new_key_share(Group) const override { return Err(CryptoError::kUnsupported); }
  CResult<std::unique_ptr<KeyShare>> key_share_from_private(Group, Bytes) const override {
    return Err(CryptoError::kUnsupported);
  }
  CStatus verify(SignatureScheme, const PublicKey&, Bytes, Bytes) const override {
    return Err(CryptoError::kUnsupported);
  }
  CResult<std::unique_ptr<Signer>> new_signer(const PrivateKeyMaterial&) const override {
    return Err(CryptoError::kUnsupported);
  }
  CResult<PrivateKeyMaterial> generate_key(KeyType, unsigned) const override { return Err(CryptoError::kUnsupported); }
  CStatus random(MutBytes) const override { return Err(CryptoError::kUnsupported); }
};

}  // namespace sluice::crypto
