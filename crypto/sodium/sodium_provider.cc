// SodiumProvider: answers what libsodium 1.0.18 has and kUnsupported for the
// rest. The per-algorithm code is in sodium_{hash,aead,x25519,ed25519}.cc.
#include "crypto/sodium/sodium_provider.h"

#include <sodium.h>

#include "crypto/sodium/internal.h"
#include "crypto/system_random.h"

namespace sluice::crypto {
namespace {

using namespace sodium_internal;

class SodiumProvider final : public Provider {
 public:
  std::string_view name() const override { return "libsodium"; }

  bool supports(HashAlg h) const override { return h == HashAlg::kSha256 || h == HashAlg::kSha512; }
  bool supports(AeadAlg a) const override {
    return a == AeadAlg::kChaCha20Poly1305 || (a == AeadAlg::kAes256Gcm && aes256gcm_available());
  }
  bool supports(Group g) const override { return g == Group::kX25519; }
  bool supports_verify(SignatureScheme s) const override { return s == SignatureScheme::kEd25519; }
  bool supports_signing(KeyType k) const override { return k == KeyType::kEd25519; }

  CResult<std::unique_ptr<Hash>> new_hash(HashAlg h) const override { return new_sodium_hash(h); }
  CStatus hmac_parts(HashAlg h, Bytes key, std::span<const Bytes> parts, MutBytes out) const override {
    return sodium_hmac_parts(h, key, parts, out);
  }
  CStatus hkdf_expand(HashAlg h, Bytes prk, Bytes info, MutBytes out) const override {
    const HkdfOutput one[] = {{info, out}};
    return sodium_hkdf_expand(h, prk, one);
  }
  CStatus hkdf_expand_several(HashAlg h, Bytes prk, std::span<const HkdfOutput> outputs) const override {
    return sodium_hkdf_expand(h, prk, outputs);
  }
  CStatus tls12_prf(HashAlg h, Bytes secret, std::span<const Bytes> seed, MutBytes out) const override {
    return sodium_tls12_prf(h, secret, seed, out);
  }
  CStatus hash_parts(HashAlg h, std::span<const Bytes> parts, MutBytes out) const override {
    return sodium_hash_parts(h, parts, out);
  }
  CResult<std::unique_ptr<Mac>> new_hmac(HashAlg h, Bytes key) const override {
    return new_sodium_hmac(h, key);
  }
  CResult<std::unique_ptr<AeadKey>> new_aead(AeadAlg a, Bytes key) const override {
    return new_sodium_aead(a, key);
  }

  CResult<std::unique_ptr<KeyShare>> new_key_share(Group g) const override {
    if (g != Group::kX25519) return Err(CryptoError::kUnsupported);
    return new_x25519_share(Bytes());
  }
  CResult<std::unique_ptr<KeyShare>> key_share_from_private(Group g, Bytes priv) const override {
    if (g != Group::kX25519) return Err(CryptoError::kUnsupported);
    // An empty span means "random" to new_x25519_share; here it is an error.
    if (priv.empty()) return Err(CryptoError::kInvalidKey);
    return new_x25519_share(priv);
  }

  CStatus verify(SignatureScheme s, const PublicKey& key, Bytes message, Bytes signature) const override {
    if (s != SignatureScheme::kEd25519) return Err(CryptoError::kUnsupported);
    return ed25519_verify(key, message, signature);
  }
  CResult<std::unique_ptr<Signer>> new_signer(const PrivateKeyMaterial& material) const override {
    return new_ed25519_signer(material);
  }
  CResult<PrivateKeyMaterial> generate_key(KeyType k, unsigned /*rsa_bits*/) const override {
    if (k != KeyType::kEd25519) return Err(CryptoError::kUnsupported);
    return generate_ed25519_key();
  }

  CStatus random(MutBytes out) const override {
    return system_random(out);
  }
};

}  // namespace

std::unique_ptr<Provider> make_sodium_provider() {
  // sodium_init is thread-safe and idempotent (returns 1 when already done);
  // the static keeps the check to one call per process.
  static const bool initialised = sodium_init() >= 0;
  if (!initialised) return nullptr;
  return std::make_unique<SodiumProvider>();
}

}  // namespace sluice::crypto
