// Private-key signers (Ed25519, ECDSA P-256/P-384/P-521, RSA PSS and
// PKCS#1 v1.5, RSA-PSS keys) over EVP_DigestSign. Keys are imported once, when the signer is built.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "crypto/openssl/internal.h"

namespace sluice::crypto::ossl {
namespace {

class OsslSigner final : public Signer {
 public:
  OsslSigner(std::shared_ptr<const Env> env, KeyType type, PkeyPtr key, PublicKey pub)
      : env_(std::move(env)), type_(type), key_(std::move(key)), public_(std::move(pub)) {}

  KeyType key_type() const override { return type_; }
  const PublicKey& public_key() const override { return public_; }
  bool supports(SignatureScheme scheme) const override {
    return key_allows(public_, scheme) && (type_ == KeyType::kEd25519 || env_->md(scheme_hash(scheme))) &&
           fits_modulus(scheme);
  }

  CResult<SignOutcome> sign(SignatureScheme scheme, Bytes message, std::vector<uint8_t>& out_signature) override {
    if (!supports(scheme)) return Err(CryptoError::kUnsupported);
    MdCtxPtr md_ctx(EVP_MD_CTX_new());
    if (!md_ctx || !digest_init(*env_, md_ctx.get(), true, scheme, key_.get())) return Err(CryptoError::kInternal);
    // EVP_PKEY_get_size is the largest signature the key makes (a DER
    // ECDSA signature is usually a few bytes shorter).
    size_t len = static_cast<size_t>(EVP_PKEY_get_size(key_.get()));
    out_signature.assign(len, 0);
    if (EVP_DigestSign(md_ctx.get(), out_signature.data(), &len, nonnull(message), message.size()) != 1) {
      out_signature.clear();
      return Err(CryptoError::kInternal);
    }
    out_signature.resize(len);
    return SignOutcome::kDone;
  }

 private:
  // fits_modulus: an RSA key too small for the scheme's encoding is refused
  // here, so the handshake chooses another scheme (or fails to agree on
  // one) instead of meeting an internal error when it signs.
  bool fits_modulus(SignatureScheme scheme) const {
    if (!is_rsa(type_)) return true;
    const int bits = EVP_PKEY_get_bits(key_.get());
    if (bits <= 0) return false;
    const size_t h_len = hash_len(scheme_hash(scheme));
    // RFC 8017 §9.1.1 step 3 with sLen = hLen: emLen = ceil((modBits - 1) / 8).
    if (is_rsa_pss(scheme)) return (static_cast<size_t>(bits) - 1 + 7) / 8 >= 2 * h_len + 2;
    // RFC 8017 §9.2 step 3: the 19-byte DigestInfo prefix, the hash and at
    // least 11 bytes of padding.
    return (static_cast<size_t>(bits) + 7) / 8 >= 19 + h_len + 11;
  }

  std::shared_ptr<const Env> env_;
  KeyType type_;
  PkeyPtr key_;
  PublicKey public_;
};

struct BnFree {
  void operator()(BIGNUM* b) const { BN_clear_free(b); }
};
struct BldFree {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamFree {
  // Private components come from secure BIGNUMs, so the builder put them in
  // the block that OSSL_PARAM_free clears before freeing.
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};

CResult<PkeyPtr> rsa_private_pkey(const Env& env, const PrivateKeyMaterial& m) {
  if (m.rsa_n.empty() || m.rsa_e.empty() || m.rsa_d.empty()) return Err(CryptoError::kInvalidKey);
  // Builds each component as a BIGNUM kept alive until the params are made.
  std::vector<std::unique_ptr<BIGNUM, BnFree>> bns;
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld) return Err(CryptoError::kInternal);
  auto push = [&](const char* name, Bytes v, bool secret = true) {
    bns.emplace_back(secret ? BN_secure_new() : BN_new());
    if (bns.back() && !BN_bin2bn(v.data(), static_cast<int>(v.size()), bns.back().get())) bns.back().reset();
    return bns.back() && OSSL_PARAM_BLD_push_BN(bld.get(), name, bns.back().get()) == 1;
  };
  bool ok = push(OSSL_PKEY_PARAM_RSA_N, m.rsa_n, false) && push(OSSL_PKEY_PARAM_RSA_E, m.rsa_e, false) &&
            push(OSSL_PKEY_PARAM_RSA_D, m.rsa_d.span());
  // The CRT components are optional, but all or none (without them
  // libcrypto signs with d alone, about three times slower).
  const bool crt = !m.rsa_p.empty() && !m.rsa_q.empty() && !m.rsa_dp.empty() && !m.rsa_dq.empty() &&
                   !m.rsa_qinv.empty();
  if (ok && crt) {
    ok = push(OSSL_PKEY_PARAM_RSA_FACTOR1, m.rsa_p.span()) && push(OSSL_PKEY_PARAM_RSA_FACTOR2, m.rsa_q.span()) &&
         push(OSSL_PKEY_PARAM_RSA_EXPONENT1, m.rsa_dp.span()) &&
         push(OSSL_PKEY_PARAM_RSA_EXPONENT2, m.rsa_dq.span()) &&
         push(OSSL_PKEY_PARAM_RSA_COEFFICIENT1, m.rsa_qinv.span());
  }
  if (!ok) return Err(CryptoError::kInternal);
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", env.propq()));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_KEYPAIR, params.get()) != 1) {
    return Err(CryptoError::kInvalidKey);
  }
  return PkeyPtr(key);
}

// matches says whether a supplied public half (if any) belongs to the key:
// signing with a mismatched pair only makes signatures no peer verifies.
bool matches(const PublicKey& given, const PublicKey& derived) {
  if (given.point.empty() && given.rsa_n.empty()) return true;
  if (given.type != derived.type) return false;
  if (is_rsa(derived.type)) {
    return strip_zeros(given.rsa_n).size() == strip_zeros(derived.rsa_n).size() &&
           std::equal(strip_zeros(given.rsa_n).begin(), strip_zeros(given.rsa_n).end(),
                      strip_zeros(derived.rsa_n).begin());
  }
  return given.point == derived.point;
}

}  // namespace

CResult<std::unique_ptr<Signer>> new_signer(std::shared_ptr<const Env> env, const PrivateKeyMaterial& m) {
  PublicKey pub;
  pub.type = m.type;
  PkeyPtr key;
  switch (m.type) {
    case KeyType::kEd25519: {
      if (m.secret.size() != 32) return Err(CryptoError::kInvalidKey);
      key.reset(EVP_PKEY_new_raw_private_key_ex(nullptr, "ED25519", env->propq(), m.secret.data(), m.secret.size()));
      size_t len = 32;
      pub.point.assign(len, 0);
      if (!key || EVP_PKEY_get_raw_public_key(key.get(), pub.point.data(), &len) != 1 || len != 32) {
        return Err(CryptoError::kInvalidKey);
      }
      break;
    }
    case KeyType::kEcdsaP256:
    case KeyType::kEcdsaP384:
    case KeyType::kEcdsaP521: key = SLUICE_TRY(ec_private_pkey(*env, curve_for(m.type), m.secret, pub.point)); break;
    case KeyType::kRsa:
    case KeyType::kRsaPss: {
      key = SLUICE_TRY(rsa_private_pkey(*env, m));
      pub.rsa_n.assign(strip_zeros(m.rsa_n).begin(), strip_zeros(m.rsa_n).end());
      pub.rsa_e.assign(strip_zeros(m.rsa_e).begin(), strip_zeros(m.rsa_e).end());
      // The key file's hash restriction (RFC 4055 §3.1) stays with the key.
      if (m.type == KeyType::kRsaPss) pub.pss_hash = m.public_key.pss_hash;
      break;
    }
  }
  if (!matches(m.public_key, pub)) return Err(CryptoError::kInvalidKey);
  return std::unique_ptr<Signer>(std::make_unique<OsslSigner>(std::move(env), m.type, std::move(key), std::move(pub)));
}

}  // namespace sluice::crypto::ossl
