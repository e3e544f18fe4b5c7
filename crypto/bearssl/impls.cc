// Run-time choice of BearSSL implementations. BearSSL ships several
// implementations of each primitive; the fast ones (AES-NI, PCLMULQDQ, SSE2,
// 64x64->128 multiplies) are only usable when the CPU has the instructions,
// which BearSSL's *_get() functions check, answering null otherwise.
#include "crypto/bearssl/bearssl_provider.h"
#include "crypto/bearssl/internal.h"

namespace sluice::crypto::bearssl {
namespace {

Impls select() {
  Impls s{};
  std::string d;

  if (const br_block_ctr_class* ni = br_aes_x86ni_ctr_get_vtable()) {
    s.aes_ctr = ni;
    d += "aes_ctr=x86ni";
  } else {
    s.aes_ctr = &br_aes_ct64_ctr_vtable;
    d += "aes_ctr=ct64";
  }
  if (br_ghash g = br_ghash_pclmul_get()) {
    s.ghash = g;
    d += " ghash=pclmul";
  } else {
    s.ghash = &br_ghash_ctmul64;
    d += " ghash=ctmul64";
  }
  if (br_chacha20_run c = br_chacha20_sse2_get()) {
    s.chacha20 = c;
    d += " chacha20=sse2";
  } else {
    s.chacha20 = &br_chacha20_ct_run;
    d += " chacha20=ct";
  }
  if (br_poly1305_run p = br_poly1305_ctmulq_get()) {
    s.poly1305 = p;
    d += " poly1305=ctmulq";
  } else {
    s.poly1305 = &br_poly1305_ctmul_run;
    d += " poly1305=ctmul";
  }

  // BearSSL 0.6 has no m62/m64 curve code (those arrived in later releases;
  // `nm -D libbearssl.so.0.6` lists only *_m15 and *_m31), so m31 is the
  // fastest available for P-256 and Curve25519, and the generic i31 code for
  // P-384 and P-521 (0.6 has no dedicated code for either).
  s.x25519 = &br_ec_c25519_m31;
  s.p256 = &br_ec_p256_m31;
  s.p384 = &br_ec_prime_i31;
  s.p521 = &br_ec_prime_i31;
  d += " x25519=c25519_m31 p256=p256_m31 p384=prime_i31 p521=prime_i31";

  br_rsa_public pub = br_rsa_i62_public_get();
  br_rsa_private priv = br_rsa_i62_private_get();
  br_rsa_keygen kg = br_rsa_i62_keygen_get();
  if (pub != nullptr && priv != nullptr && kg != nullptr) {
    s.rsa_public = pub;
    s.rsa_private = priv;
    s.rsa_keygen = kg;
    d += " rsa=i62";
  } else {
    s.rsa_public = &br_rsa_i31_public;
    s.rsa_private = &br_rsa_i31_private;
    s.rsa_keygen = &br_rsa_i31_keygen;
    d += " rsa=i31";
  }
  s.description = std::move(d);
  return s;
}

}  // namespace

const Impls& impls() {
  static const Impls kImpls = select();
  return kImpls;
}

}  // namespace sluice::crypto::bearssl

namespace sluice::crypto {

std::string describe_implementations() { return bearssl::impls().description; }

}  // namespace sluice::crypto
