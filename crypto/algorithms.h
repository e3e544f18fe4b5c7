// Algorithm identifiers shared by the provider interface and the engine.
// Values are the IANA TLS code points where one exists.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sluice::crypto {

enum class HashAlg : uint8_t { kSha256, kSha384, kSha512 };

enum class AeadAlg : uint8_t { kAes128Gcm, kAes256Gcm, kChaCha20Poly1305 };

// TLS NamedGroup.
enum class Group : uint16_t {
  kSecp256r1 = 0x0017,
  kSecp384r1 = 0x0018,
  kSecp521r1 = 0x0019,
  kX25519 = 0x001d,
};

// TLS SignatureScheme.
enum class SignatureScheme : uint16_t {
  kRsaPkcs1Sha256 = 0x0401,
  kRsaPkcs1Sha384 = 0x0501,
  kRsaPkcs1Sha512 = 0x0601,
  kEcdsaSecp256r1Sha256 = 0x0403,
  kEcdsaSecp384r1Sha384 = 0x0503,
  kEcdsaSecp521r1Sha512 = 0x0603,
  kRsaPssRsaeSha256 = 0x0804,
  kRsaPssRsaeSha384 = 0x0805,
  kRsaPssRsaeSha512 = 0x0806,
  kEd25519 = 0x0807,
  // RFC 8446 §4.2.3: RSASSA-PSS by a key whose certificate names
  // id-RSASSA-PSS (KeyType::kRsaPss), MGF1 with the same hash, salt = hash
  // length.
  kRsaPssPssSha256 = 0x0809,
  kRsaPssPssSha384 = 0x080a,
  kRsaPssPssSha512 = 0x080b,
};

// The kind of an asymmetric key, as found in a certificate or key file.
// kRsa is an rsaEncryption key (PKCS#1 v1.5 and rsa_pss_rsae_* signatures);
// kRsaPss is an RSA key whose SubjectPublicKeyInfo is id-RSASSA-PSS, which
// signs only rsa_pss_pss_* (RFC 8446 §4.2.3, RFC 4055 §1.2). New values go
// at the end: the numbering is hashed into signature-cache keys.
enum class KeyType : uint8_t { kEd25519, kEcdsaP256, kEcdsaP384, kRsa, kEcdsaP521, kRsaPss };

// is_rsa: the key is an RSA modulus and exponent, whichever its algorithm.
constexpr bool is_rsa(KeyType k) { return k == KeyType::kRsa || k == KeyType::kRsaPss; }
// is_ecdsa_key: a point on one of the NIST curves.
constexpr bool is_ecdsa_key(KeyType k) {
  return k == KeyType::kEcdsaP256 || k == KeyType::kEcdsaP384 || k == KeyType::kEcdsaP521;
}

inline constexpr size_t kAeadTagLen = 16;
inline constexpr size_t kAeadNonceLen = 12;
inline constexpr size_t kMaxHashLen = 64;

constexpr size_t hash_len(HashAlg h) {
  switch (h) {
    case HashAlg::kSha256: return 32;
    case HashAlg::kSha384: return 48;
    case HashAlg::kSha512: return 64;
  }
  return 0;
}

constexpr size_t aead_key_len(AeadAlg a) {
  switch (a) {
    case AeadAlg::kAes128Gcm: return 16;
    case AeadAlg::kAes256Gcm: return 32;
    case AeadAlg::kChaCha20Poly1305: return 32;
  }
  return 0;
}

// known_scheme: `s` is one of the schemes above (a value from the wire may
// be anything).
constexpr bool known_scheme(SignatureScheme s) {
  switch (s) {
    case SignatureScheme::kRsaPkcs1Sha256:
    case SignatureScheme::kRsaPkcs1Sha384:
    case SignatureScheme::kRsaPkcs1Sha512:
    case SignatureScheme::kEcdsaSecp256r1Sha256:
    case SignatureScheme::kEcdsaSecp384r1Sha384:
    case SignatureScheme::kEcdsaSecp521r1Sha512:
    case SignatureScheme::kRsaPssRsaeSha256:
    case SignatureScheme::kRsaPssRsaeSha384:
    case SignatureScheme::kRsaPssRsaeSha512:
    case SignatureScheme::kEd25519:
    case SignatureScheme::kRsaPssPssSha256:
    case SignatureScheme::kRsaPssPssSha384:
    case SignatureScheme::kRsaPssPssSha512: return true;
  }
  return false;
}

// The key type a signature scheme needs, and the hash it signs with (for a
// scheme known_scheme() accepts).
constexpr KeyType scheme_key_type(SignatureScheme s) {
  switch (s) {
    case SignatureScheme::kEd25519: return KeyType::kEd25519;
    case SignatureScheme::kEcdsaSecp256r1Sha256: return KeyType::kEcdsaP256;
    case SignatureScheme::kEcdsaSecp384r1Sha384: return KeyType::kEcdsaP384;
    case SignatureScheme::kEcdsaSecp521r1Sha512: return KeyType::kEcdsaP521;
    case SignatureScheme::kRsaPssPssSha256:
    case SignatureScheme::kRsaPssPssSha384:
    case SignatureScheme::kRsaPssPssSha512: return KeyType::kRsaPss;
    case SignatureScheme::kRsaPkcs1Sha256:
    case SignatureScheme::kRsaPkcs1Sha384:
    case SignatureScheme::kRsaPkcs1Sha512:
    case SignatureScheme::kRsaPssRsaeSha256:
    case SignatureScheme::kRsaPssRsaeSha384:
    case SignatureScheme::kRsaPssRsaeSha512: return KeyType::kRsa;
  }
  return KeyType::kRsa;
}

constexpr HashAlg scheme_hash(SignatureScheme s) {
  switch (s) {
    case SignatureScheme::kRsaPkcs1Sha384:
    case SignatureScheme::kEcdsaSecp384r1Sha384:
    case SignatureScheme::kRsaPssRsaeSha384:
    case SignatureScheme::kRsaPssPssSha384: return HashAlg::kSha384;
    case SignatureScheme::kRsaPkcs1Sha512:
    case SignatureScheme::kEcdsaSecp521r1Sha512:
    case SignatureScheme::kRsaPssRsaeSha512:
    case SignatureScheme::kRsaPssPssSha512: return HashAlg::kSha512;
    case SignatureScheme::kEd25519:  // Ed25519 hashes internally; SHA-512.
      return HashAlg::kSha512;
    case SignatureScheme::kRsaPkcs1Sha256:
    case SignatureScheme::kEcdsaSecp256r1Sha256:
    case SignatureScheme::kRsaPssRsaeSha256:
    case SignatureScheme::kRsaPssPssSha256: return HashAlg::kSha256;
  }
  return HashAlg::kSha256;
}

// is_rsa_pss: RSASSA-PSS with salt = hash length, by an rsaEncryption
// (rsae) or an id-RSASSA-PSS (pss) key.
constexpr bool is_rsa_pss(SignatureScheme s) {
  switch (s) {
    case SignatureScheme::kRsaPssRsaeSha256:
    case SignatureScheme::kRsaPssRsaeSha384:
    case SignatureScheme::kRsaPssRsaeSha512:
    case SignatureScheme::kRsaPssPssSha256:
    case SignatureScheme::kRsaPssPssSha384:
    case SignatureScheme::kRsaPssPssSha512: return true;
    case SignatureScheme::kRsaPkcs1Sha256:
    case SignatureScheme::kRsaPkcs1Sha384:
    case SignatureScheme::kRsaPkcs1Sha512:
    case SignatureScheme::kEcdsaSecp256r1Sha256:
    case SignatureScheme::kEcdsaSecp384r1Sha384:
    case SignatureScheme::kEcdsaSecp521r1Sha512:
    case SignatureScheme::kEd25519: return false;
  }
  return false;
}

// ec_scalar_len is the field (and order) size in bytes of a NIST curve key,
// 0 for other key types; the uncompressed point is 1 + 2 * that.
constexpr size_t ec_scalar_len(KeyType k) {
  switch (k) {
    case KeyType::kEcdsaP256: return 32;
    case KeyType::kEcdsaP384: return 48;
    case KeyType::kEcdsaP521: return 66;
    case KeyType::kEd25519:
    case KeyType::kRsa:
    case KeyType::kRsaPss: return 0;
  }
  return 0;
}

// The largest NIST field (P-521: 521 bits in 66 bytes) and point.
inline constexpr size_t kMaxEcScalarLen = 66;
inline constexpr size_t kMaxEcPointLen = 1 + 2 * kMaxEcScalarLen;

std::string_view name(HashAlg);
std::string_view name(AeadAlg);
std::string_view name(Group);
std::string_view name(SignatureScheme);
std::string_view name(KeyType);

}  // namespace sluice::crypto
