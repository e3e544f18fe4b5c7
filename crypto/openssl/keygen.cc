// Key generation: EVP_PKEY_keygen, then the components exported into the
// raw PrivateKeyMaterial form every provider understands.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/rsa.h>

#include "crypto/openssl/internal.h"

namespace sluice::crypto::ossl {
namespace {

// export_bn writes a BIGNUM parameter big-endian, left-padded to `width`
// bytes when width > 0.
bool export_bn(EVP_PKEY* key, const char* name, size_t width, SecretBytes& out) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) return false;
  const size_t n = static_cast<size_t>(BN_num_bytes(bn));
  out = SecretBytes(width > 0 ? width : n);
  const bool ok = n <= out.size() &&
                  BN_bn2binpad(bn, out.data(), static_cast<int>(out.size())) == static_cast<int>(out.size());
  BN_clear_free(bn);
  return ok;
}

bool export_public_bn(EVP_PKEY* key, const char* name, std::vector<uint8_t>& out) {
  SecretBytes tmp;
  if (!export_bn(key, name, 0, tmp)) return false;
  out.assign(tmp.span().begin(), tmp.span().end());
  return true;
}

}  // namespace

CResult<PrivateKeyMaterial> generate_key(const Env& env, KeyType t, unsigned rsa_bits) {
  if (is_rsa(t) && (rsa_bits < kMinRsaBits || rsa_bits > kMaxRsaBits)) return Err(CryptoError::kInvalidKey);
  // An RSA-PSS key is generated as a plain RSA key: the components are the
  // same, and PrivateKeyMaterial records the type.
  const char* type = t == KeyType::kEd25519 ? "ED25519" : is_rsa(t) ? "RSA" : "EC";
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, env.propq()));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1) return Err(CryptoError::kInternal);
  if (ec_scalar_len(t) != 0 && EVP_PKEY_CTX_set_group_name(ctx.get(), curve_for(t).name) != 1) {
    return Err(CryptoError::kInternal);
  }
  if (is_rsa(t) && EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), static_cast<int>(rsa_bits)) != 1) {
    return Err(CryptoError::kInternal);
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_keygen(ctx.get(), &raw) != 1) return Err(CryptoError::kRandomFailed);
  PkeyPtr key(raw);

  PrivateKeyMaterial m;
  m.type = t;
  m.public_key.type = t;
  bool ok = true;
  switch (t) {
    case KeyType::kEd25519: {
      size_t len = 32;
      m.secret = SecretBytes(32);
      m.public_key.point.assign(32, 0);
      ok = EVP_PKEY_get_raw_private_key(key.get(), m.secret.data(), &len) == 1 && len == 32;
      len = 32;
      ok = ok && EVP_PKEY_get_raw_public_key(key.get(), m.public_key.point.data(), &len) == 1 && len == 32;
      break;
    }
    case KeyType::kEcdsaP256:
    case KeyType::kEcdsaP384:
    case KeyType::kEcdsaP521: {
      const Curve c = curve_for(t);
      size_t len = 0;
      m.public_key.point.assign(c.point_len(), 0);
      ok = export_bn(key.get(), OSSL_PKEY_PARAM_PRIV_KEY, c.scalar_len, m.secret) &&
           EVP_PKEY_get_octet_string_param(key.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                           m.public_key.point.data(), m.public_key.point.size(), &len) == 1 &&
           len == c.point_len();
      break;
    }
    case KeyType::kRsa:
    case KeyType::kRsaPss: {
      ok = export_public_bn(key.get(), OSSL_PKEY_PARAM_RSA_N, m.rsa_n) &&
           export_public_bn(key.get(), OSSL_PKEY_PARAM_RSA_E, m.rsa_e) &&
           export_bn(key.get(), OSSL_PKEY_PARAM_RSA_D, 0, m.rsa_d) &&
           export_bn(key.get(), OSSL_PKEY_PARAM_RSA_FACTOR1, 0, m.rsa_p) &&
           export_bn(key.get(), OSSL_PKEY_PARAM_RSA_FACTOR2, 0, m.rsa_q) &&
           export_bn(key.get(), OSSL_PKEY_PARAM_RSA_EXPONENT1, 0, m.rsa_dp) &&
           export_bn(key.get(), OSSL_PKEY_PARAM_RSA_EXPONENT2, 0, m.rsa_dq) &&
           export_bn(key.get(), OSSL_PKEY_PARAM_RSA_COEFFICIENT1, 0, m.rsa_qinv);
      m.public_key.rsa_n = m.rsa_n;
      m.public_key.rsa_e = m.rsa_e;
      break;
    }
  }
  if (!ok) return Err(CryptoError::kInternal);
  return m;
}

}  // namespace sluice::crypto::ossl
