// NIST-curve keys (P-256, P-384, P-521) as EVP_PKEYs, built from the raw forms the
// provider interface carries: uncompressed points and big-endian scalars.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "crypto/openssl/internal.h"

namespace sluice::crypto::ossl {
namespace {

struct BnFree {
  void operator()(BIGNUM* b) const { BN_clear_free(b); }
};
struct GroupFree {
  void operator()(EC_GROUP* g) const { EC_GROUP_free(g); }
};
struct PointFree {
  void operator()(EC_POINT* p) const { EC_POINT_free(p); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

// from_params imports a key of `selection` (public or key pair) from params.
CResult<PkeyPtr> from_params(const Env& env, int selection, OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", env.propq()));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, selection, params.get()) != 1) {
    return Err(CryptoError::kInvalidKey);
  }
  return PkeyPtr(key);
}

}  // namespace

Curve curve_for(Group g) {
  if (g == Group::kSecp384r1) return Curve{"P-384", NID_secp384r1, 48};
  if (g == Group::kSecp521r1) return Curve{"P-521", NID_secp521r1, 66};
  return Curve{"P-256", NID_X9_62_prime256v1, 32};
}

Curve curve_for(KeyType t) {
  if (t == KeyType::kEcdsaP384) return curve_for(Group::kSecp384r1);
  if (t == KeyType::kEcdsaP521) return curve_for(Group::kSecp521r1);
  return curve_for(Group::kSecp256r1);
}

CResult<PkeyPtr> ec_public_pkey(const Env& env, const Curve& c, Bytes point) {
  // TLS 1.3 carries only uncompressed points (RFC 8446 §4.2.8.2).
  if (point.size() != c.point_len() || point[0] != 0x04) return Err(CryptoError::kInvalidKey);
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, c.name, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1) {
    return Err(CryptoError::kInternal);
  }
  return from_params(env, EVP_PKEY_PUBLIC_KEY, bld.get());
}

CResult<PkeyPtr> ec_private_pkey(const Env& env, const Curve& c, Bytes scalar, std::vector<uint8_t>& out_point) {
  Bytes digits = strip_zeros(scalar);
  if (digits.empty() || digits.size() > c.scalar_len) return Err(CryptoError::kInvalidKey);
  std::unique_ptr<EC_GROUP, GroupFree> group(EC_GROUP_new_by_curve_name_ex(nullptr, env.propq(), c.nid));
  BnPtr d(BN_secure_new());
  if (!group || !d || BN_bin2bn(digits.data(), static_cast<int>(digits.size()), d.get()) == nullptr) {
    return Err(CryptoError::kInternal);
  }
  // 1 <= d < n (SEC 1 §3.2.1); zero was excluded above.
  if (BN_cmp(d.get(), EC_GROUP_get0_order(group.get())) >= 0) return Err(CryptoError::kInvalidKey);

  std::unique_ptr<EC_POINT, PointFree> pub(EC_POINT_new(group.get()));
  out_point.assign(c.point_len(), 0);
  if (!pub || EC_POINT_mul(group.get(), pub.get(), d.get(), nullptr, nullptr, nullptr) != 1 ||
      EC_POINT_point2oct(group.get(), pub.get(), POINT_CONVERSION_UNCOMPRESSED, out_point.data(),
                         out_point.size(), nullptr) != c.point_len()) {
    return Err(CryptoError::kInternal);
  }
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, c.name, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, out_point.data(), out_point.size()) !=
          1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) != 1) {
    return Err(CryptoError::kInternal);
  }
  return from_params(env, EVP_PKEY_KEYPAIR, bld.get());
}

}  // namespace sluice::crypto::ossl
