// Internal pieces of the libsodium provider: one factory per algorithm
// family, each in its own file so a binding can be read (or dropped) alone.
#pragma once

#include <memory>

#include "crypto/provider.h"

namespace sluice::crypto::sodium_internal {

// nonnull gives libsodium a valid pointer for empty spans: an empty
// std::span may hold nullptr, and memcpy(dst, nullptr, 0) is undefined
// behaviour that UBSan reports.
inline const uint8_t* nonnull(Bytes b) {
  static constexpr uint8_t kEmpty = 0;
  return b.empty() ? &kEmpty : b.data();
}
inline uint8_t* nonnull(MutBytes b) {
  static thread_local uint8_t empty_scratch = 0;
  return b.empty() ? &empty_scratch : b.data();
}

// new_sodium_hash: SHA-256 or SHA-512; kUnsupported otherwise.
CResult<std::unique_ptr<Hash>> new_sodium_hash(HashAlg alg);

// new_sodium_hmac: HMAC-SHA-256/512 with a key of any length.
CResult<std::unique_ptr<Mac>> new_sodium_hmac(HashAlg alg, Bytes key);
// sodium_hkdf_expand: HKDF-Expand for each of `outputs` under one keyed HMAC.
CStatus sodium_hkdf_expand(HashAlg alg, Bytes prk, std::span<const HkdfOutput> outputs);
// sodium_tls12_prf: TLS 1.2's P_hash under one keyed HMAC.
CStatus sodium_tls12_prf(HashAlg alg, Bytes secret, std::span<const Bytes> seed, MutBytes out);
// sodium_hash_parts: one-shot SHA-256/512 over several parts, state on the stack.
CStatus sodium_hash_parts(HashAlg alg, std::span<const Bytes> parts, MutBytes out);
// sodium_hmac_parts: one-shot HMAC over several parts, state on the stack.
CStatus sodium_hmac_parts(HashAlg alg, Bytes key, std::span<const Bytes> parts, MutBytes out);

// aes256gcm_available reports whether this CPU runs libsodium's AES-256-GCM
// (it needs AES-NI and PCLMUL; libsodium has no portable fallback).
bool aes256gcm_available();

// new_sodium_aead: ChaCha20-Poly1305, or AES-256-GCM where available.
CResult<std::unique_ptr<AeadKey>> new_sodium_aead(AeadAlg alg, Bytes key);

// X25519 key shares (RFC 7748). `priv` is the 32-byte scalar (clamped by
// libsodium at use); an empty span means "draw one from randombytes".
CResult<std::unique_ptr<KeyShare>> new_x25519_share(Bytes priv);

// Ed25519 (RFC 8032) verification, signing and key generation.
CStatus ed25519_verify(const PublicKey& key, Bytes message, Bytes signature);
CResult<std::unique_ptr<Signer>> new_ed25519_signer(const PrivateKeyMaterial& material);
CResult<PrivateKeyMaterial> generate_ed25519_key();

}  // namespace sluice::crypto::sodium_internal
