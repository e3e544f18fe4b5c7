// Signing-key generation: ECDSA P-256/P-384/P-521 (br_ec_keygen) and RSA
// or RSA-PSS with e = 65537 (the selected br_rsa_*_keygen; the two differ
// only in the type recorded), filling PrivateKeyMaterial the way a key parser
// would, plus the public key.
#include <array>

#include "crypto/bearssl/internal.h"

namespace sluice::crypto::bearssl {
namespace {

constexpr uint32_t kRsaPublicExponent = 65537;

CResult<PrivateKeyMaterial> generate_ecdsa(KeyType t) {
  const Curve c = curve_for(t);
  Drbg drbg;
  SLUICE_TRY(drbg.seed());
  std::array<uint8_t, BR_EC_KBUF_PRIV_MAX_SIZE> priv_buf{};
  std::array<uint8_t, BR_EC_KBUF_PUB_MAX_SIZE> pub_buf{};
  br_ec_private_key sk{};
  br_ec_public_key pk{};
  const size_t x_len = br_ec_keygen(drbg.prng(), c.impl, &sk, priv_buf.data(), c.id);
  if (x_len != c.scalar_len ||
      br_ec_compute_pub(c.impl, &pk, pub_buf.data(), &sk) != c.point_len) {
    wipe(priv_buf);
    return Err(CryptoError::kInternal);
  }
  PrivateKeyMaterial m;
  m.type = t;
  m.secret.assign(Bytes(sk.x, sk.xlen));
  m.public_key.type = t;
  m.public_key.point.assign(pk.q, pk.q + pk.qlen);
  wipe(priv_buf);
  return m;
}

CResult<PrivateKeyMaterial> generate_rsa(KeyType t, unsigned bits) {
  if (bits < kMinRsaBits) return Err(CryptoError::kInvalidKey);
  if (bits > kMaxRsaBits) return Err(CryptoError::kUnsupported);
  Drbg drbg;
  SLUICE_TRY(drbg.seed());
  std::array<uint8_t, BR_RSA_KBUF_PRIV_SIZE(kMaxRsaBits)> priv_buf{};
  std::array<uint8_t, BR_RSA_KBUF_PUB_SIZE(kMaxRsaBits)> pub_buf{};
  std::array<uint8_t, kMaxRsaBits / 8> d_buf{};
  br_rsa_private_key sk{};
  br_rsa_public_key pk{};
  if (impls().rsa_keygen(drbg.prng(), &sk, priv_buf.data(), &pk, pub_buf.data(), bits,
                         kRsaPublicExponent) != 1) {
    wipe(priv_buf);
    return Err(CryptoError::kInternal);
  }
  const size_t d_len = br_rsa_i31_compute_privexp(d_buf.data(), &sk, kRsaPublicExponent);
  if (d_len == 0) {
    wipe(priv_buf);
    return Err(CryptoError::kInternal);
  }
  PrivateKeyMaterial m;
  m.type = t;
  m.rsa_n.assign(pk.n, pk.n + pk.nlen);
  m.rsa_e.assign(pk.e, pk.e + pk.elen);
  m.rsa_d.assign(Bytes(d_buf.data(), d_len));
  m.rsa_p.assign(Bytes(sk.p, sk.plen));
  m.rsa_q.assign(Bytes(sk.q, sk.qlen));
  m.rsa_dp.assign(Bytes(sk.dp, sk.dplen));
  m.rsa_dq.assign(Bytes(sk.dq, sk.dqlen));
  m.rsa_qinv.assign(Bytes(sk.iq, sk.iqlen));
  m.public_key.type = t;
  m.public_key.rsa_n = m.rsa_n;
  m.public_key.rsa_e = m.rsa_e;
  wipe(priv_buf);
  wipe(d_buf);
  return m;
}

}  // namespace

CResult<PrivateKeyMaterial> generate_key(KeyType t, unsigned rsa_bits) {
  switch (t) {
    case KeyType::kEcdsaP256:
    case KeyType::kEcdsaP384:
    case KeyType::kEcdsaP521: return generate_ecdsa(t);
    case KeyType::kRsa:
    case KeyType::kRsaPss: return generate_rsa(t, rsa_bits);
    case KeyType::kEd25519: return Err(CryptoError::kUnsupported);
  }
  return Err(CryptoError::kUnsupported);
}

}  // namespace sluice::crypto::bearssl
