// The BearSSL provider table: answers supports() and routes each request to
// the file that implements the family. It holds no state, so one instance
// serves any number of threads.
#include "crypto/bearssl/bearssl_provider.h"
#include "crypto/bearssl/internal.h"
#include "crypto/system_random.h"

namespace sluice::crypto {
namespace {

namespace br = bearssl;

bool is_ecdsa(SignatureScheme s) {
  return s == SignatureScheme::kEcdsaSecp256r1Sha256 ||
         s == SignatureScheme::kEcdsaSecp384r1Sha384 ||
         s == SignatureScheme::kEcdsaSecp521r1Sha512;
}

class BearSslProvider final : public Provider {
 public:
  std::string_view name() const override { return "bearssl"; }

  bool supports(HashAlg h) const override {
    return h == HashAlg::kSha256 || h == HashAlg::kSha384 || h == HashAlg::kSha512;
  }
  bool supports(AeadAlg a) const override {
    return a == AeadAlg::kAes128Gcm || a == AeadAlg::kAes256Gcm ||
           a == AeadAlg::kChaCha20Poly1305;
  }
  bool supports(Group g) const override {
    return g == Group::kX25519 || g == Group::kSecp256r1 || g == Group::kSecp384r1 ||
           g == Group::kSecp521r1;
  }
  bool supports_verify(SignatureScheme s) const override {
    switch (s) {
      case SignatureScheme::kRsaPkcs1Sha256:
      case SignatureScheme::kRsaPkcs1Sha384:
      case SignatureScheme::kRsaPkcs1Sha512:
      case SignatureScheme::kEcdsaSecp256r1Sha256:
      case SignatureScheme::kEcdsaSecp384r1Sha384:
      case SignatureScheme::kEcdsaSecp521r1Sha512:
      case SignatureScheme::kRsaPssRsaeSha256:
      case SignatureScheme::kRsaPssRsaeSha384:
      case SignatureScheme::kRsaPssRsaeSha512:
      case SignatureScheme::kRsaPssPssSha256:
      case SignatureScheme::kRsaPssPssSha384:
      case SignatureScheme::kRsaPssPssSha512: return true;
      case SignatureScheme::kEd25519: return false;  // not in BearSSL
    }
    return false;
  }
  bool supports_signing(KeyType t) const override {
    switch (t) {
      case KeyType::kEcdsaP256:
      case KeyType::kEcdsaP384:
      case KeyType::kEcdsaP521:
      case KeyType::kRsa:
      case KeyType::kRsaPss: return true;
      case KeyType::kEd25519: return false;  // not in BearSSL
    }
    return false;
  }

  CResult<std::unique_ptr<Hash>> new_hash(HashAlg h) const override {
    if (!supports(h)) return Err(CryptoError::kUnsupported);
    return br::new_hash(h);
  }
  CStatus hmac_parts(HashAlg h, Bytes key, std::span<const Bytes> parts, MutBytes out) const override {
    return br::hmac_parts(h, key, parts, out);
  }
  CStatus hkdf_expand(HashAlg h, Bytes prk, Bytes info, MutBytes out) const override {
    const HkdfOutput one[] = {{info, out}};
    return hkdf_expand_several(h, prk, one);
  }
  CStatus hkdf_expand_several(HashAlg h, Bytes prk, std::span<const HkdfOutput> outputs) const override {
    if (!supports(h)) return Err(CryptoError::kUnsupported);
    return br::hkdf_expand(h, prk, outputs);
  }
  CStatus tls12_prf(HashAlg h, Bytes secret, std::span<const Bytes> seed, MutBytes out) const override {
    if (!supports(h)) return Err(CryptoError::kUnsupported);
    return br::tls12_prf(h, secret, seed, out);
  }
  CResult<std::unique_ptr<Mac>> new_hmac(HashAlg h, Bytes key) const override {
    if (!supports(h)) return Err(CryptoError::kUnsupported);
    return br::new_hmac(h, key);
  }
  CResult<std::unique_ptr<AeadKey>> new_aead(AeadAlg a, Bytes key) const override {
    if (!supports(a)) return Err(CryptoError::kUnsupported);
    return br::new_aead(a, key);
  }
  CResult<std::unique_ptr<KeyShare>> new_key_share(Group g) const override {
    if (!supports(g)) return Err(CryptoError::kUnsupported);
    return br::new_key_share(g);
  }
  CResult<std::unique_ptr<KeyShare>> key_share_from_private(Group g, Bytes priv) const override {
    if (!supports(g)) return Err(CryptoError::kUnsupported);
    return br::key_share_from_private(g, priv);
  }
  CStatus verify(SignatureScheme s, const PublicKey& key, Bytes message,
                 Bytes signature) const override {
    if (!supports_verify(s)) return Err(CryptoError::kUnsupported);
    if (is_ecdsa(s)) return br::ecdsa_verify(s, key, message, signature);
    return br::rsa_verify(s, key, message, signature);
  }
  CResult<std::unique_ptr<Signer>> new_signer(const PrivateKeyMaterial& m) const override {
    if (!supports_signing(m.type)) return Err(CryptoError::kUnsupported);
    if (is_rsa(m.type)) return br::new_rsa_signer(m);
    return br::new_ecdsa_signer(m);
  }
  CResult<PrivateKeyMaterial> generate_key(KeyType t, unsigned rsa_bits) const override {
    return br::generate_key(t, rsa_bits);
  }
  CStatus random(MutBytes out) const override { return system_random(out); }
};

}  // namespace

std::unique_ptr<Provider> make_bearssl_provider() {
  // Resolve the CPU-specific selection now rather than inside a handshake.
  (void)bearssl::impls();
  return std::make_unique<BearSslProvider>();
}

}  // namespace sluice::crypto
