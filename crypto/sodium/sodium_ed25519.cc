// Ed25519 (RFC 8032, pure, no context) over crypto_sign_*.
//
// PrivateKeyMaterial carries the 32-byte seed (RFC 8032 §5.1.5's private
// key); libsodium's 64-byte secret key (seed || public) is rebuilt from it
// and lives only inside the signer.
#include <sodium.h>

#include <array>
#include <memory>

#include "crypto/sodium/internal.h"

namespace sluice::crypto::sodium_internal {
namespace {

constexpr size_t kSeedLen = crypto_sign_ed25519_SEEDBYTES;         // 32
constexpr size_t kPublicLen = crypto_sign_ed25519_PUBLICKEYBYTES;  // 32
constexpr size_t kSignatureLen = crypto_sign_ed25519_BYTES;        // 64

class Ed25519Signer final : public Signer {
 public:
  Ed25519Signer() { public_.type = KeyType::kEd25519; }
  ~Ed25519Signer() override { sodium_memzero(secret_.data(), secret_.size()); }

  // init expands the seed; false if libsodium fails.
  bool init(Bytes seed) {
    public_.point.assign(kPublicLen, 0);
    return crypto_sign_ed25519_seed_keypair(public_.point.data(), secret_.data(), seed.data()) == 0;
  }

  KeyType key_type() const override { return KeyType::kEd25519; }
  const PublicKey& public_key() const override { return public_; }
  bool supports(SignatureScheme scheme) const override { return scheme == SignatureScheme::kEd25519; }

  CResult<SignOutcome> sign(SignatureScheme scheme, Bytes message,
                            std::vector<uint8_t>& out_signature) override {
    if (scheme != SignatureScheme::kEd25519) return Err(CryptoError::kUnsupported);
    out_signature.assign(kSignatureLen, 0);
    unsigned long long signature_len = 0;
    if (crypto_sign_ed25519_detached(out_signature.data(), &signature_len, nonnull(message),
                                     message.size(), secret_.data()) != 0 ||
        signature_len != kSignatureLen) {
      out_signature.clear();
      return Err(CryptoError::kInternal);
    }
    return SignOutcome::kDone;
  }

 private:
  std::array<uint8_t, crypto_sign_ed25519_SECRETKEYBYTES> secret_{};
  PublicKey public_;
};

}  // namespace

CStatus ed25519_verify(const PublicKey& key, Bytes message, Bytes signature) {
  if (key.type != KeyType::kEd25519 || key.point.size() != kPublicLen) return Err(CryptoError::kInvalidKey);
  if (signature.size() != kSignatureLen) return Err(CryptoError::kBadSignature);
  // libsodium 1.0.18 rejects non-canonical S, small-order R and A, and
  // non-canonical A encodings here (stricter than RFC 8032 §5.1.7 requires).
  if (crypto_sign_ed25519_verify_detached(signature.data(), nonnull(message), message.size(),
                                          key.point.data()) != 0) {
    return Err(CryptoError::kBadSignature);
  }
  return {};
}

CResult<std::unique_ptr<Signer>> new_ed25519_signer(const PrivateKeyMaterial& material) {
  if (material.type != KeyType::kEd25519) return Err(CryptoError::kUnsupported);
  if (material.secret.size() != kSeedLen) return Err(CryptoError::kInvalidKey);
  auto signer = std::make_unique<Ed25519Signer>();
  if (!signer->init(material.secret)) return Err(CryptoError::kInvalidKey);
  // A parsed key file may carry its public half; a mismatch means the two
  // halves do not belong together, and signing with them would only produce
  // signatures the peer rejects.
  const auto& given = material.public_key.point;
  if (!given.empty() && (material.public_key.type != KeyType::kEd25519 ||
                         !ct_equal(given, signer->public_key().point))) {
    return Err(CryptoError::kInvalidKey);
  }
  return std::unique_ptr<Signer>(std::move(signer));
}

CResult<PrivateKeyMaterial> generate_ed25519_key() {
  PrivateKeyMaterial material;
  material.type = KeyType::kEd25519;
  material.secret = SecretBytes(kSeedLen);
  randombytes_buf(material.secret.data(), material.secret.size());
  auto signer = SLUICE_TRY(new_ed25519_signer(material));
  material.public_key = signer->public_key();
  return material;
}

}  // namespace sluice::crypto::sodium_internal
