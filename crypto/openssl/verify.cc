// Signature verification (Ed25519, ECDSA with DER signatures, RSA-PSS with
// salt = hash length by rsaEncryption or id-RSASSA-PSS keys, RSA PKCS#1
// v1.5) over EVP_DigestVerify, and the EVP_MD_CTX set-up that signing shares.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <algorithm>

#include "crypto/openssl/internal.h"

namespace sluice::crypto::ossl {
namespace {


size_t bit_length(Bytes v) {
  Bytes d = strip_zeros(v);
  if (d.empty()) return 0;
  size_t bits = 8 * (d.size() - 1);
  for (uint8_t top = d[0]; top != 0; top >>= 1) ++bits;
  return bits;
}

// decode_public is `key` as an EVP_PKEY of its own type: in TLS 1.2 an
// ECDSA scheme names only the hash (RFC 8422 §5.1.3), so the key's curve
// decides, not the scheme's.
CResult<PkeyPtr> decode_public(const Env& env, const PublicKey& key) {
  switch (key.type) {
    case KeyType::kEd25519: {
      if (key.point.size() != 32) return Err(CryptoError::kInvalidKey);
      PkeyPtr k(EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", env.propq(), key.point.data(), key.point.size()));
      if (!k) return Err(CryptoError::kInvalidKey);
      return k;
    }
    case KeyType::kEcdsaP256:
    case KeyType::kEcdsaP384:
    case KeyType::kEcdsaP521: return ec_public_pkey(env, curve_for(key.type), key.point);
    case KeyType::kRsa:
    case KeyType::kRsaPss: return rsa_public_pkey(env, key.rsa_n, key.rsa_e);
  }
  return Err(CryptoError::kUnsupported);
}

// public_pkey is `key` as an EVP_PKEY for `s`, decoded once and then taken
// from the Env's cache.
CResult<PkeyPtr> public_pkey(const Env& env, SignatureScheme s, const PublicKey& key) {
  // Also refuses an rsaEncryption key for rsa_pss_pss_* and the reverse,
  // and an RSA-PSS key restricted to another hash.
  if (!verify_allows(key, s)) return Err(CryptoError::kInvalidKey);
  // rsaEncryption and RSA-PSS keys decode alike: the cache tells them
  // apart by the key type alone, verify_allows having judged the scheme.
  const bool rsa = is_rsa(key.type);
  const Bytes a = rsa ? Bytes(key.rsa_n) : Bytes(key.point), b = rsa ? Bytes(key.rsa_e) : Bytes();
  if (EVP_PKEY* cached = env.public_keys.find(key.type, a, b)) return PkeyPtr(cached);
  PkeyPtr decoded = SLUICE_TRY(decode_public(env, key));
  env.public_keys.put(key.type, a, b, decoded.get());
  return decoded;
}

}  // namespace

PublicKeyCache::~PublicKeyCache() {
  for (Entry& e : entries_) EVP_PKEY_free(e.key);
}

EVP_PKEY* PublicKeyCache::find(KeyType type, Bytes a, Bytes b) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const Entry& e : entries_) {
    if (e.key && e.type == type && std::equal(a.begin(), a.end(), e.a.begin(), e.a.end()) &&
        std::equal(b.begin(), b.end(), e.b.begin(), e.b.end())) {
      return EVP_PKEY_up_ref(e.key) == 1 ? e.key : nullptr;
    }
  }
  return nullptr;
}

void PublicKeyCache::put(KeyType type, Bytes a, Bytes b, EVP_PKEY* key) const {
  if (EVP_PKEY_up_ref(key) != 1) return;
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = entries_[next_];
  next_ = (next_ + 1) % kEntries;
  EVP_PKEY_free(e.key);
  e.type = type;
  e.a.assign(a.begin(), a.end());
  e.b.assign(b.begin(), b.end());
  e.key = key;
}

CResult<PkeyPtr> rsa_public_pkey(const Env& env, Bytes n, Bytes e) {
  const size_t bits = bit_length(n);
  if (bits < kMinRsaBits || bits > kMaxRsaBits || strip_zeros(e).empty()) return Err(CryptoError::kInvalidKey);
  struct BldFree {
    void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
  };
  struct ParamFree {
    void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
  };
  struct BnFree {
    void operator()(BIGNUM* b) const { BN_free(b); }
  };
  std::unique_ptr<BIGNUM, BnFree> bn_n(BN_bin2bn(n.data(), static_cast<int>(n.size()), nullptr));
  std::unique_ptr<BIGNUM, BnFree> bn_e(BN_bin2bn(e.data(), static_cast<int>(e.size()), nullptr));
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return Err(CryptoError::kInternal);
  }
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", env.propq()));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return Err(CryptoError::kInvalidKey);
  }
  return PkeyPtr(key);
}

bool digest_init(const Env& env, EVP_MD_CTX* md_ctx, bool sign, SignatureScheme scheme, EVP_PKEY* key) {
  // Ed25519 hashes internally: no digest is named (RFC 8032 PureEdDSA).
  const char* md = nullptr;
  if (scheme != SignatureScheme::kEd25519) md = EVP_MD_get0_name(env.md(scheme_hash(scheme)));
  EVP_PKEY_CTX* pctx = nullptr;  // owned by md_ctx
  const int ok = sign ? EVP_DigestSignInit_ex(md_ctx, &pctx, md, nullptr, env.propq(), key, nullptr)
                      : EVP_DigestVerifyInit_ex(md_ctx, &pctx, md, nullptr, env.propq(), key, nullptr);
  if (ok != 1) return false;
  if (is_rsa_pss(scheme)) {
    // RFC 8446 §4.2.3: MGF1 with the signature's hash, salt as long as the
    // hash. On verify, RSA_PSS_SALTLEN_DIGEST demands exactly that length.
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
  }
  if (is_rsa(scheme_key_type(scheme))) return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
  return true;
}

CStatus verify(const Env& env, SignatureScheme s, const PublicKey& key, Bytes msg, Bytes sig) {
  PkeyPtr pkey = SLUICE_TRY(public_pkey(env, s, key));
  if (s == SignatureScheme::kEd25519 && sig.size() != 64) return Err(CryptoError::kBadSignature);
  MdCtxPtr md_ctx(EVP_MD_CTX_new());
  if (!md_ctx || !digest_init(env, md_ctx.get(), false, s, pkey.get())) return Err(CryptoError::kInternal);
  // ECDSA: libcrypto decodes the DER and re-encodes it, refusing anything
  // but the one strict DER form (and r, s outside [1, n-1]).
  if (EVP_DigestVerify(md_ctx.get(), nonnull(sig), sig.size(), nonnull(msg), msg.size()) != 1) {
    return Err(CryptoError::kBadSignature);
  }
  return {};
}

}  // namespace sluice::crypto::ossl
