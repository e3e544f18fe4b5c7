// ECDSA P-256/SHA-256, P-384/SHA-384 and P-521/SHA-512 with DER signatures
// (RFC 8446 §4.2.3). P-521 runs on BearSSL's generic prime-curve code. Verification parses DER strictly (ecdsa_der.cc) and calls
// BearSSL's raw verifier; signing is BearSSL's deterministic RFC 6979 signer.
#include <algorithm>
#include <array>

#include "crypto/bearssl/internal.h"

namespace sluice::crypto::bearssl {
namespace {

constexpr size_t kMaxScalarLen = kMaxEcScalarLen;

bool is_ecdsa_scheme(SignatureScheme s) {
  return s == SignatureScheme::kEcdsaSecp256r1Sha256 ||
         s == SignatureScheme::kEcdsaSecp384r1Sha384 ||
         s == SignatureScheme::kEcdsaSecp521r1Sha512;
}

class EcdsaSigner final : public Signer {
 public:
  EcdsaSigner(KeyType type, SecretBytes scalar, PublicKey pub)
      : type_(type), scalar_(std::move(scalar)), public_(std::move(pub)) {}

  KeyType key_type() const override { return type_; }
  const PublicKey& public_key() const override { return public_; }
  bool supports(SignatureScheme s) const override {
    return is_ecdsa_scheme(s) && scheme_key_type(s) == type_;
  }

  CResult<SignOutcome> sign(SignatureScheme s, Bytes message,
                            std::vector<uint8_t>& out_signature) override {
    if (!supports(s)) return Err(CryptoError::kUnsupported);
    const Curve c = curve_for(type_);
    const HashAlg h = scheme_hash(s);
    uint8_t hash[kMaxHashLen];
    digest(h, {message}, hash);
    // BearSSL keeps a non-const pointer in its key struct but only reads it.
    br_ec_private_key sk{c.id, const_cast<uint8_t*>(scalar_.data()), scalar_.size()};
    std::array<uint8_t, 2 * kMaxScalarLen> raw{};
    const size_t n = br_ecdsa_i31_sign_raw(c.impl, hash_class(h), hash, &sk, raw.data());
    if (n != 2 * c.scalar_len) return Err(CryptoError::kInternal);
    out_signature = raw_to_der(Bytes(raw.data(), n));
    return SignOutcome::kDone;
  }

 private:
  KeyType type_;
  SecretBytes scalar_;
  PublicKey public_;
};

}  // namespace

CStatus ecdsa_verify(SignatureScheme s, const PublicKey& key, Bytes msg, Bytes sig) {
  if (!is_ecdsa_scheme(s)) return Err(CryptoError::kUnsupported);
  if (!verify_allows(key, s)) return Err(CryptoError::kInvalidKey);
  const Curve c = curve_for(key.type);
  if (key.point.size() != c.point_len || key.point[0] != 0x04) {
    return Err(CryptoError::kInvalidKey);
  }
  std::array<uint8_t, 2 * kMaxScalarLen> raw{};
  MutBytes raw_span(raw.data(), 2 * c.scalar_len);
  SLUICE_TRY(der_to_raw(sig, c.scalar_len, raw_span));

  const HashAlg h = scheme_hash(s);
  uint8_t hash[kMaxHashLen];
  digest(h, {msg}, hash);
  br_ec_public_key pk{c.id, const_cast<uint8_t*>(key.point.data()), key.point.size()};
  // vrfy_raw decodes the public point (rejecting points off the curve),
  // checks 0 < r, s < n and compares x(u1*G + u2*Q) mod n with r.
  if (br_ecdsa_i31_vrfy_raw(c.impl, hash, hash_len(h), &pk, raw_span.data(), raw_span.size()) !=
      1) {
    return Err(CryptoError::kBadSignature);
  }
  return {};
}

CResult<std::unique_ptr<Signer>> new_ecdsa_signer(const PrivateKeyMaterial& m) {
  const Curve c = curve_for(m.type);
  // The scalar should be padded to the field size; tolerate missing padding
  // or one extra zero byte (both occur in DER-derived key files).
  Bytes digits = strip_zeros(m.secret);
  if (digits.size() > c.scalar_len) return Err(CryptoError::kInvalidKey);
  SecretBytes scalar(c.scalar_len);
  std::copy(digits.begin(), digits.end(), scalar.data() + (c.scalar_len - digits.size()));
  if (!scalar_in_range(c, scalar)) return Err(CryptoError::kInvalidKey);

  PublicKey pub;
  pub.type = m.type;
  pub.point.resize(c.point_len);
  if (c.impl->mulgen(pub.point.data(), scalar.data(), scalar.size(), c.id) != c.point_len) {
    return Err(CryptoError::kInternal);
  }
  // A supplied public key must belong to the scalar: signing with a
  // mismatched pair would produce signatures no peer can verify.
  if (!m.public_key.point.empty() && m.public_key.point != pub.point) {
    return Err(CryptoError::kInvalidKey);
  }
  return std::unique_ptr<Signer>(
      std::make_unique<EcdsaSigner>(m.type, std::move(scalar), std::move(pub)));
}

}  // namespace sluice::crypto::bearssl
