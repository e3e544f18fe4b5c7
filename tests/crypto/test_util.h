// Shared helpers for the crypto suites: the algorithm lists and a per-process
// cache of generated signing keys (RSA generation is slow).
#pragma once

#include <cstdint>
#include <vector>

#include "crypto/provider.h"

namespace sluice::testing {

inline constexpr crypto::HashAlg kAllHashes[] = {crypto::HashAlg::kSha256, crypto::HashAlg::kSha384,
                                                 crypto::HashAlg::kSha512};
inline constexpr crypto::AeadAlg kAllAeads[] = {crypto::AeadAlg::kAes128Gcm, crypto::AeadAlg::kAes256Gcm,
                                                crypto::AeadAlg::kChaCha20Poly1305};
inline constexpr crypto::Group kAllGroups[] = {crypto::Group::kX25519, crypto::Group::kSecp256r1,
                                               crypto::Group::kSecp384r1, crypto::Group::kSecp521r1};
inline constexpr crypto::KeyType kAllKeyTypes[] = {crypto::KeyType::kEd25519,   crypto::KeyType::kEcdsaP256,
                                                   crypto::KeyType::kEcdsaP384, crypto::KeyType::kEcdsaP521,
                                                   crypto::KeyType::kRsa,       crypto::KeyType::kRsaPss};
inline constexpr crypto::SignatureScheme kAllSchemes[] = {
    crypto::SignatureScheme::kEd25519,           crypto::SignatureScheme::kEcdsaSecp256r1Sha256,
    crypto::SignatureScheme::kEcdsaSecp384r1Sha384, crypto::SignatureScheme::kRsaPssRsaeSha256,
    crypto::SignatureScheme::kRsaPssRsaeSha384,  crypto::SignatureScheme::kRsaPssRsaeSha512,
    crypto::SignatureScheme::kRsaPkcs1Sha256,    crypto::SignatureScheme::kRsaPkcs1Sha384,
    crypto::SignatureScheme::kRsaPkcs1Sha512,    crypto::SignatureScheme::kEcdsaSecp521r1Sha512,
    crypto::SignatureScheme::kRsaPssPssSha256,   crypto::SignatureScheme::kRsaPssPssSha384,
    crypto::SignatureScheme::kRsaPssPssSha512,
};

// share_len is the key_share size of `g` (X25519: 32; NIST: the
// uncompressed point) and secret_len the shared secret's (X: field size).
constexpr size_t secret_len(crypto::Group g) {
  return g == crypto::Group::kSecp384r1 ? 48 : g == crypto::Group::kSecp521r1 ? 66 : 32;
}
constexpr size_t share_len(crypto::Group g) {
  return g == crypto::Group::kX25519 ? 32 : 1 + 2 * secret_len(g);
}

// random_bytes draws n bytes from `p` (failing the test if it cannot).
std::vector<uint8_t> random_bytes(const crypto::Provider& p, size_t n);

// cached_signing_key returns a key of `type` generated once per process by
// `p` (RSA: 2048 bits), or nullptr if `p` cannot generate that type.
const crypto::PrivateKeyMaterial* cached_signing_key(const crypto::Provider& p, crypto::KeyType type);

// any_signing_key returns a cached key of `type` from the first provider
// under test that can generate one, or nullptr if none can.
const crypto::PrivateKeyMaterial* any_signing_key(crypto::KeyType type);

}  // namespace sluice::testing
