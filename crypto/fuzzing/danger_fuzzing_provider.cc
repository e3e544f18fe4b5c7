// DangerFuzzingProvider: pass-through primitives. FOR FUZZING ONLY (see the
// header for what each primitive does and why).
#include "crypto/fuzzing/danger_fuzzing_provider.h"

#include <algorithm>

namespace sluice::crypto {
namespace {

// Public-value sizes of the TLS key_share encodings (RFC 8446 §4.2.8.2).
size_t share_len(Group g) {
  switch (g) {
    case Group::kX25519: return 32;
    case Group::kSecp256r1: return 65;
    case Group::kSecp384r1: return 97;
    case Group::kSecp521r1: return 133;
  }
  return 0;
}

// secret_len is the shared secret's size: X25519's 32 bytes or the X
// coordinate of the NIST curves.
size_t secret_len(Group g) {
  switch (g) {
    case Group::kX25519:
    case Group::kSecp256r1: return 32;
    case Group::kSecp384r1: return 48;
    case Group::kSecp521r1: return 66;
  }
  return 32;
}

class ConstantMac final : public Mac {
 public:
  explicit ConstantMac(HashAlg h) : h_(h) {}
  void update(Bytes) override {}
  void finish(MutBytes out) override {
    std::fill_n(out.begin(), std::min(out.size(), hash_len(h_)), kDangerFuzzingMacByte);
  }

 private:
  HashAlg h_;
};

class PassThroughAead final : public AeadKey {
 public:
  explicit PassThroughAead(AeadAlg a) : a_(a) {}
  AeadAlg alg() const override { return a_; }
  CStatus seal(Bytes nonce, Bytes, MutBytes, MutBytes tag) override {
    if (nonce.size() != kAeadNonceLen || tag.size() != kAeadTagLen) return Err(CryptoError::kInvalidInput);
    std::fill(tag.begin(), tag.end(), kDangerFuzzingTagByte);
    return {};
  }
  CStatus open(Bytes nonce, Bytes, MutBytes, Bytes tag) override {
    if (nonce.size() != kAeadNonceLen || tag.size() != kAeadTagLen) return Err(CryptoError::kInvalidInput);
    // Checking the fixed tag keeps the bad_record_mac path one flip away.
    for (uint8_t b : tag) {
      if (b != kDangerFuzzingTagByte) return Err(CryptoError::kAuthFailed);
    }
    return {};
  }
  CStatus rekey(Bytes key) override {
    if (key.size() != aead_key_len(a_)) return Err(CryptoError::kInvalidKey);
    return {};
  }

 private:
  AeadAlg a_;
};

class FixedKeyShare final : public KeyShare {
 public:
  explicit FixedKeyShare(Group g) : g_(g), pub_(share_len(g), 0x20) {
    if (g != Group::kX25519) pub_[0] = 0x04;  // uncompressed point form
  }
  Group group() const override { return g_; }
  Bytes public_key() const override { return pub_; }
  CResult<SecretBytes> agree(Bytes peer) override {
    // Only the shape is checked, as a real provider would reject a value of
    // the wrong length or a compressed point before doing any arithmetic.
    if (peer.size() != share_len(g_)) return Err(CryptoError::kInvalidPeerPublic);
    if (g_ != Group::kX25519 && peer[0] != 0x04) return Err(CryptoError::kInvalidPeerPublic);
    SecretBytes s(secret_len(g_));
    std::fill(s.span().begin(), s.span().end(), kDangerFuzzingSecretByte);
    return s;
  }

 private:
  Group g_;
  std::vector<uint8_t> pub_;
};

// fixed_signature is shaped like a real one of `type` (ECDSA: DER
// SEQUENCE{INTEGER 1, INTEGER 1}), so peers that check shapes accept it.
std::vector<uint8_t> fixed_signature(KeyType type) {
  switch (type) {
    case KeyType::kEd25519: return std::vector<uint8_t>(64, 0x51);
    case KeyType::kEcdsaP256:
    case KeyType::kEcdsaP384:
    case KeyType::kEcdsaP521: return {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};
    case KeyType::kRsa:
    case KeyType::kRsaPss: return std::vector<uint8_t>(256, 0x52);
  }
  return {};
}

class FixedSigner final : public Signer {
 public:
  FixedSigner(KeyType type, PublicKey pub) : type_(type), pub_(std::move(pub)) {}
  KeyType key_type() const override { return type_; }
  const PublicKey& public_key() const override { return pub_; }
  bool supports(SignatureScheme s) const override {
    // The scheme must still fit the key: that is configuration, not crypto.
    if (scheme_key_type(s) != type_) return false;
    if (type_ == KeyType::kEcdsaP256) return s == SignatureScheme::kEcdsaSecp256r1Sha256;
    if (type_ == KeyType::kEcdsaP384) return s == SignatureScheme::kEcdsaSecp384r1Sha384;
    if (type_ == KeyType::kEcdsaP521) return s == SignatureScheme::kEcdsaSecp521r1Sha512;
    return true;
  }
  CResult<SignOutcome> sign(SignatureScheme s, Bytes, std::vector<uint8_t>& out) override {
    if (!supports(s)) return Err(CryptoError::kUnsupported);
    out = fixed_signature(type_);
    return SignOutcome::kDone;
  }

 private:
  KeyType type_;
  PublicKey pub_;
};

}  // namespace

PublicKey danger_fuzzing_public_key(KeyType type) {
  PublicKey k;
  k.type = type;
  switch (type) {
    case KeyType::kEd25519: k.point.assign(32, 0x21); break;
    case KeyType::kEcdsaP256:
      k.point.assign(65, 0x22);
      k.point[0] = 0x04;
      break;
    case KeyType::kEcdsaP384:
      k.point.assign(97, 0x23);
      k.point[0] = 0x04;
      break;
    case KeyType::kEcdsaP521:
      k.point.assign(133, 0x24);
      k.point[0] = 0x04;
      break;
    case KeyType::kRsa:
    case KeyType::kRsaPss:
      k.rsa_n.assign(256, 0xc5);  // top bit set: a full 2048-bit modulus
      k.rsa_e = {0x01, 0x00, 0x01};
      break;
  }
  return k;
}

DangerFuzzingProvider::DangerFuzzingProvider(std::shared_ptr<const Provider> base, uint64_t seed)
    : base_(std::move(base)), state_(seed) {}

CResult<std::unique_ptr<Mac>> DangerFuzzingProvider::new_hmac(HashAlg h, Bytes) const {
  if (!supports(h)) return Err(CryptoError::kUnsupported);
  return std::unique_ptr<Mac>(std::make_unique<ConstantMac>(h));
}

CResult<std::unique_ptr<AeadKey>> DangerFuzzingProvider::new_aead(AeadAlg a, Bytes key) const {
  if (key.size() != aead_key_len(a)) return Err(CryptoError::kInvalidKey);
  return std::unique_ptr<AeadKey>(std::make_unique<PassThroughAead>(a));
}

CResult<std::unique_ptr<KeyShare>> DangerFuzzingProvider::new_key_share(Group g) const {
  if (share_len(g) == 0) return Err(CryptoError::kUnsupported);
  return std::unique_ptr<KeyShare>(std::make_unique<FixedKeyShare>(g));
}

CResult<std::unique_ptr<KeyShare>> DangerFuzzingProvider::key_share_from_private(Group g, Bytes) const {
  return new_key_share(g);
}

CResult<std::unique_ptr<Signer>> DangerFuzzingProvider::new_signer(const PrivateKeyMaterial& m) const {
  PublicKey pub = m.public_key;
  const bool empty = pub.point.empty() && pub.rsa_n.empty();
  if (empty || pub.type != m.type) pub = danger_fuzzing_public_key(m.type);
  return std::unique_ptr<Signer>(std::make_unique<FixedSigner>(m.type, std::move(pub)));
}

CResult<PrivateKeyMaterial> DangerFuzzingProvider::generate_key(KeyType type, unsigned) const {
  PrivateKeyMaterial m;
  m.type = type;
  m.public_key = danger_fuzzing_public_key(type);
  switch (type) {
    case KeyType::kEd25519:
    case KeyType::kEcdsaP256: m.secret = SecretBytes(32); break;
    case KeyType::kEcdsaP384: m.secret = SecretBytes(48); break;
    case KeyType::kEcdsaP521: m.secret = SecretBytes(66); break;
    case KeyType::kRsa:
    case KeyType::kRsaPss:
      m.rsa_n = m.public_key.rsa_n;
      m.rsa_e = m.public_key.rsa_e;
      m.rsa_d = SecretBytes(256);
      SLUICE_TRY(random(m.rsa_d.span()));
      return m;
  }
  SLUICE_TRY(random(m.secret.span()));
  return m;
}

CStatus DangerFuzzingProvider::random(MutBytes out) const {
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < out.size(); i += 8) {
    // splitmix64: tiny, fast, and reproducible from the seed alone.
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    for (size_t j = 0; j < 8 && i + j < out.size(); ++j) out[i + j] = static_cast<uint8_t>(z >> (8 * j));
  }
  return {};
}

CStatus DangerFuzzingProvider::hmac(HashAlg h, Bytes, Bytes, MutBytes out) const {
  if (!supports(h)) return Err(CryptoError::kUnsupported);
  if (out.size() < hash_len(h)) return Err(CryptoError::kInvalidInput);
  std::fill_n(out.begin(), hash_len(h), kDangerFuzzingMacByte);
  return {};
}

CStatus DangerFuzzingProvider::hkdf_extract(HashAlg h, Bytes, Bytes, MutBytes out_prk) const {
  return hmac(h, {}, {}, out_prk);
}

CStatus DangerFuzzingProvider::hkdf_expand(HashAlg h, Bytes, Bytes, MutBytes out) const {
  if (!supports(h)) return Err(CryptoError::kUnsupported);
  // RFC 5869 §2.3: L <= 255 * HashLen, kept so misuse is still refused.
  if (out.size() > 255 * hash_len(h)) return Err(CryptoError::kInvalidInput);
  std::fill(out.begin(), out.end(), kDangerFuzzingMacByte);
  return {};
}

std::shared_ptr<DangerFuzzingProvider> make_danger_fuzzing_provider(std::shared_ptr<const Provider> base,
                                                                    uint64_t seed) {
  return std::make_shared<DangerFuzzingProvider>(std::move(base), seed);
}

}  // namespace sluice::crypto
