// Internal declarations shared by the BearSSL provider's files. Each family
// (hashes, AEAD, key shares, ECDSA, RSA, PSS, keygen) lives in its own .cc;
// provider.cc only routes requests to these functions.
#pragma once

#include <bearssl.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "crypto/provider.h"

namespace sluice::crypto::bearssl {

// Impls is the set of BearSSL implementations chosen for this CPU. BearSSL's
// *_get() functions return null when the CPU (or the build) lacks the
// instructions, so each slot falls back to the portable constant-time code.
struct Impls {
  const br_block_ctr_class* aes_ctr;
  br_ghash ghash;
  br_chacha20_run chacha20;
  br_poly1305_run poly1305;
  const br_ec_impl* x25519;
  const br_ec_impl* p256;
  const br_ec_impl* p384;
  const br_ec_impl* p521;
  br_rsa_public rsa_public;
  br_rsa_private rsa_private;
  br_rsa_keygen rsa_keygen;
  std::string description;
};

// impls returns the selection, made once (thread-safe static init).
const Impls& impls();

// ---- random.cc -----------------------------------------------------------

// Drbg is a short-lived HMAC-DRBG (SHA-256) seeded from getrandom, for the
// BearSSL key generators that want a br_prng_class. One per call, so no
// shared mutable state and no lock.
class Drbg {
 public:
  Drbg() = default;
  Drbg(const Drbg&) = delete;
  Drbg& operator=(const Drbg&) = delete;
  ~Drbg();
  [[nodiscard]] CStatus seed();
  const br_prng_class** prng() { return &ctx_.vtable; }

 private:
  br_hmac_drbg_context ctx_{};
};

// ---- hash.cc -------------------------------------------------------------

const br_hash_class* hash_class(HashAlg h);
CResult<std::unique_ptr<Hash>> new_hash(HashAlg h);
CResult<std::unique_ptr<Mac>> new_hmac(HashAlg h, Bytes key);
// hkdf_expand: HKDF-Expand for each of `outputs` under one keyed HMAC.
CStatus hkdf_expand(HashAlg h, Bytes prk, std::span<const HkdfOutput> outputs);
// tls12_prf: TLS 1.2's P_hash under one keyed HMAC.
CStatus tls12_prf(HashAlg h, Bytes secret, std::span<const Bytes> seed, MutBytes out);
// hmac_parts: one-shot HMAC over several parts, state on the stack.
CStatus hmac_parts(HashAlg h, Bytes key, std::span<const Bytes> parts, MutBytes out);

// digest computes hash_len(h) bytes of Hash(parts...) into out.
void digest(HashAlg h, std::initializer_list<Bytes> parts, MutBytes out);

// ---- aead.cc -------------------------------------------------------------

CResult<std::unique_ptr<AeadKey>> new_aead(AeadAlg alg, Bytes key);

// ---- key_share.cc --------------------------------------------------------

// Curve describes one NIST curve as BearSSL names it.
struct Curve {
  int id;              // BR_EC_secp256r1 / BR_EC_secp384r1 / BR_EC_secp521r1
  size_t scalar_len;   // field and order size in bytes (32 / 48 / 66)
  size_t point_len;    // uncompressed point: 1 + 2 * scalar_len
  const br_ec_impl* impl;
};
Curve curve_for(Group g);       // g must be a NIST group
Curve curve_for(KeyType t);     // t must be an ECDSA key type

// scalar_in_range says whether 1 <= scalar < n (scalar is big-endian,
// scalar_len bytes), in constant time for the secret.
bool scalar_in_range(const Curve& c, Bytes scalar);

// valid_point says whether p is an uncompressed point on the curve (BearSSL's
// mul rejects points off the curve and the point at infinity).
bool valid_point(const Curve& c, Bytes p);

CResult<std::unique_ptr<KeyShare>> new_key_share(Group g);
CResult<std::unique_ptr<KeyShare>> key_share_from_private(Group g, Bytes priv);

// ---- ecdsa_der.cc --------------------------------------------------------

// der_to_raw parses a strict DER ECDSA-Sig-Value (SEQUENCE of two minimal,
// positive INTEGERs, nothing after it) into r || s, each left-padded to
// scalar_len. Values longer than scalar_len are rejected.
[[nodiscard]] CStatus der_to_raw(Bytes der, size_t scalar_len, MutBytes raw);

// raw_to_der encodes r || s (two equal halves) as DER.
std::vector<uint8_t> raw_to_der(Bytes raw);

// ---- ecdsa.cc ------------------------------------------------------------

[[nodiscard]] CStatus ecdsa_verify(SignatureScheme s, const PublicKey& key, Bytes msg,
                                   Bytes sig);
CResult<std::unique_ptr<Signer>> new_ecdsa_signer(const PrivateKeyMaterial& m);

// ---- rsa.cc --------------------------------------------------------------

// Size limits. BearSSL 0.6 is compiled with a 4096-bit ceiling (fixed stack
// buffers), so larger keys are kUnsupported rather than "invalid". Below 1024
// bits a key is rejected outright: the RFC 8448 test keys are 1024-bit, and
// nothing smaller is acceptable in TLS.
inline constexpr size_t kMinRsaBits = 1024;
inline constexpr size_t kMaxRsaBits = 4096;

// rsa_verify checks PKCS#1 v1.5 and rsa_pss_rsae_* signatures by kRsa keys
// and rsa_pss_pss_* by kRsaPss keys; any other pairing is kInvalidKey.
[[nodiscard]] CStatus rsa_verify(SignatureScheme s, const PublicKey& key, Bytes msg,
                                 Bytes sig);
// new_rsa_signer builds a kRsa or kRsaPss signer (m.type decides which
// schemes it makes).
CResult<std::unique_ptr<Signer>> new_rsa_signer(const PrivateKeyMaterial& m);

// strip_zeros drops leading zero bytes of a big-endian integer.
Bytes strip_zeros(Bytes v);
// bit_length of a big-endian integer.
size_t bit_length(Bytes v);

// ---- rsa_pss.cc ----------------------------------------------------------

// pss_encode writes EMSA-PSS-ENCODE(mhash, salt) (RFC 8017 §9.1.1) into em,
// which must be exactly ceil(em_bits / 8) bytes.
[[nodiscard]] CStatus pss_encode(HashAlg h, Bytes mhash, Bytes salt, size_t em_bits,
                                 MutBytes em);
// pss_verify is EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with sLen = hLen.
[[nodiscard]] CStatus pss_verify(HashAlg h, Bytes mhash, Bytes em, size_t em_bits);

// ---- keygen.cc -----------------------------------------------------------

CResult<PrivateKeyMaterial> generate_key(KeyType t, unsigned rsa_bits);

}  // namespace sluice::crypto::bearssl
