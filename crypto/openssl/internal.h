// Internal declarations shared by the libcrypto (OpenSSL 3 EVP) provider's
// files. Each family (hashes and HMAC, AEADs, key shares, signatures, key
// generation) lives in its own .cc; provider.cc only routes requests.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "crypto/provider.h"

namespace sluice::crypto::ossl {

// ---- owning handles ------------------------------------------------------

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

// PublicKeyCache keeps the last few public keys verify() decoded, as
// EVP_PKEYs: building one from a point or a modulus (EVP_PKEY_fromdata)
// costs OpenSSL 3 some hundred heap calls, and a client meets the same
// server keys again and again. An entry matches only on every byte of the
// key (type, point or n and e); a public key holds nothing secret, and an
// EVP_PKEY that no one modifies may be used by many threads at once (each
// user holds its own reference).
class PublicKeyCache {
 public:
  PublicKeyCache() = default;
  PublicKeyCache(const PublicKeyCache&) = delete;
  PublicKeyCache& operator=(const PublicKeyCache&) = delete;
  ~PublicKeyCache();

  // find returns a new reference to the cached key for (type, a, b), or
  // nullptr. `a` is the point (n for RSA), `b` empty (e for RSA).
  EVP_PKEY* find(KeyType type, Bytes a, Bytes b) const;
  // put stores a reference to `key`, replacing the oldest entry.
  void put(KeyType type, Bytes a, Bytes b, EVP_PKEY* key) const;

 private:
  struct Entry {
    KeyType type{};
    std::vector<uint8_t> a, b;
    EVP_PKEY* key = nullptr;
  };
  static constexpr size_t kEntries = 8;
  mutable std::mutex mu_;
  mutable Entry entries_[kEntries];
  mutable size_t next_ = 0;  // the entry put() replaces next
};

// Env is what every object of one provider instance shares: the property
// query (e.g. "fips=yes") and the digests and ciphers fetched once with it.
// OpenSSL 3 re-fetches an algorithm on every init when given the legacy
// EVP_sha256()-style getters; fetching once up front keeps that lookup (a
// lock and a hash-table probe) out of every record and every hash.
// Fetched EVP_MD/EVP_CIPHER objects are immutable and safe to share between
// threads, so one Env serves all connections.
struct Env {
  std::string properties;  // empty: the default provider's algorithms
  EVP_MD* sha256 = nullptr;
  EVP_MD* sha384 = nullptr;
  EVP_MD* sha512 = nullptr;
  EVP_CIPHER* aes128gcm = nullptr;
  EVP_CIPHER* aes256gcm = nullptr;
  EVP_CIPHER* chacha20poly1305 = nullptr;
  PublicKeyCache public_keys;

  Env() = default;
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;
  ~Env();

  // propq is the property query for fetches, or nullptr for none.
  const char* propq() const { return properties.empty() ? nullptr : properties.c_str(); }
  const EVP_MD* md(HashAlg h) const;
  const EVP_CIPHER* cipher(AeadAlg a) const;
};

// make_env fetches every algorithm; a slot stays null when the loaded
// OpenSSL providers lack it (a FIPS build without ChaCha20, say), and the
// provider then answers kUnsupported for it.
std::shared_ptr<const Env> make_env(std::string properties);

// ---- hash.cc -------------------------------------------------------------

CResult<std::unique_ptr<Hash>> new_hash(std::shared_ptr<const Env> env, HashAlg h);
CResult<std::unique_ptr<Mac>> new_hmac(std::shared_ptr<const Env> env, HashAlg h, Bytes key);
// hkdf_expand: HKDF-Expand for each of `outputs` under one keyed HMAC.
CStatus hkdf_expand(const Env& env, HashAlg h, Bytes prk, std::span<const HkdfOutput> outputs);

// ---- aead.cc -------------------------------------------------------------

CResult<std::unique_ptr<AeadKey>> new_aead(const Env& env, AeadAlg alg, Bytes key);

// ---- ec.cc ---------------------------------------------------------------

// NIST curve facts: OpenSSL's group name and the scalar (= field) size.
struct Curve {
  const char* name;   // "P-256" / "P-384" / "P-521"
  int nid;            // NID_X9_62_prime256v1 / NID_secp384r1 / NID_secp521r1
  size_t scalar_len;  // 32 / 48 / 66
  size_t point_len() const { return 1 + 2 * scalar_len; }
};
Curve curve_for(Group g);     // g must be a NIST group
Curve curve_for(KeyType t);   // t must be an ECDSA key type

// ec_public_pkey builds a public key from an uncompressed point. The point
// must be exactly point_len() bytes, start with 0x04 and lie on the curve
// (OpenSSL's import decodes it with EC_POINT_oct2point, which checks).
CResult<PkeyPtr> ec_public_pkey(const Env& env, const Curve& c, Bytes point);
// ec_private_pkey builds a key pair from a big-endian scalar (1 <= d < n),
// computing the public point; out_point receives it, uncompressed.
CResult<PkeyPtr> ec_private_pkey(const Env& env, const Curve& c, Bytes scalar,
                                 std::vector<uint8_t>& out_point);

// ---- key_share.cc --------------------------------------------------------

CResult<std::unique_ptr<KeyShare>> new_key_share(std::shared_ptr<const Env> env, Group g);
CResult<std::unique_ptr<KeyShare>> key_share_from_private(std::shared_ptr<const Env> env,
                                                          Group g, Bytes priv);

// ---- verify.cc -----------------------------------------------------------

// RSA moduli outside these bounds are refused: below 1024 bits is no
// protection at all (the RFC 8448 keys are 1024-bit, hence not 2048), and
// above 8192 bits a peer could make every verification arbitrarily slow.
inline constexpr size_t kMinRsaBits = 1024;
inline constexpr size_t kMaxRsaBits = 8192;

[[nodiscard]] CStatus verify(const Env& env, SignatureScheme s, const PublicKey& key, Bytes msg,
                             Bytes sig);

// digest_sign_init prepares md_ctx to sign (or verify) under `scheme`,
// with RSA-PSS padding and salt = hash length where the scheme asks for it
// (RFC 8446 §4.2.3).
[[nodiscard]] bool digest_init(const Env& env, EVP_MD_CTX* md_ctx, bool sign, SignatureScheme scheme,
                               EVP_PKEY* key);

// rsa_public_pkey builds an RSA public key from big-endian n and e.
CResult<PkeyPtr> rsa_public_pkey(const Env& env, Bytes n, Bytes e);

// ---- sign.cc -------------------------------------------------------------

CResult<std::unique_ptr<Signer>> new_signer(std::shared_ptr<const Env> env, const PrivateKeyMaterial& m);

// ---- keygen.cc -----------------------------------------------------------

CResult<PrivateKeyMaterial> generate_key(const Env& env, KeyType t, unsigned rsa_bits);

// ---- helpers (provider.cc) -----------------------------------------------

// fits_int says whether a length can be passed to an EVP call taking int.
inline bool fits_int(size_t n) { return n <= static_cast<size_t>(INT32_MAX); }

// nonnull gives OpenSSL a valid pointer for empty spans (an empty span may
// hold nullptr, which some EVP calls treat as "query only").
inline const uint8_t* nonnull(Bytes b) {
  static constexpr uint8_t kEmpty = 0;
  return b.empty() ? &kEmpty : b.data();
}

// strip_zeros drops leading zero bytes of a big-endian integer.
Bytes strip_zeros(Bytes v);

}  // namespace sluice::crypto::ossl
