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
  kX25519 = 0x001d,
};

// TLS SignatureScheme.
enum class SignatureScheme : uint16_t {
  kRsaPkcs1Sha256 = 0x0401,
  kRsaPkcs1Sha384 = 0x0501,
  kRsaPkcs1Sha512 = 0x0601,
  kEcdsaSecp256r1Sha256 = 0x0403,
  kEcdsaSecp384r1Sha384 = 0x0503,
  kRsaPssRsaeSha256 = 0x0804,
  kRsaPssRsaeSha384 = 0x0805,
  kRsaPssRsaeSha512 = 0x0806,
  kEd25519 = 0x0807,
};

// The kind of an asymmetric key, as found in a certificate or key file.
enum class KeyType : uint8_t { kEd25519, kEcdsaP256, kEcdsaP384, kRsa };

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
    case SignatureScheme::kRsaPssRsaeSha256:
    case SignatureScheme::kRsaPssRsaeSha384:
    case SignatureScheme::kRsaPssRsaeSha512:
    case SignatureScheme::kEd25519: return true;
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
    case SignatureScheme::kRsaPssRsaeSha384: return HashAlg::kSha384;
    case SignatureScheme::kRsaPkcs1Sha512:
    case SignatureScheme::kRsaPssRsaeSha512: return HashAlg::kSha512;
    case SignatureScheme::kEd25519:  // Ed25519 hashes internally; SHA-512.
      return HashAlg::kSha512;
    case SignatureScheme::kRsaPkcs1Sha256:
    case SignatureScheme::kEcdsaSecp256r1Sha256:
    case SignatureScheme::kRsaPssRsaeSha256: return HashAlg::kSha256;
  }
  return HashAlg::kSha256;
}

std::string_view name(HashAlg);
std::string_view name(AeadAlg);
std::string_view name(Group);
std::string_view name(SignatureScheme);
std::string_view name(KeyType);

}  // namespace sluice::crypto
