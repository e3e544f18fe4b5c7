// ChaCha20-Poly1305 (RFC 8439, IETF 96-bit nonce) and AES-256-GCM over
// libsodium's detached, in-place AEAD calls.
//
// libsodium aborts the process (sodium_misuse) on a message longer than its
// *_MESSAGEBYTES_MAX, so every length is checked here first and reported as
// kInvalidInput instead.
#include <sodium.h>

#include <memory>

#include "crypto/sodium/internal.h"

namespace sluice::crypto::sodium_internal {
namespace {

class ChaChaPolyKey final : public AeadKey {
 public:
  explicit ChaChaPolyKey(Bytes key) { std::copy(key.begin(), key.end(), key_); }
  ~ChaChaPolyKey() override { sodium_memzero(key_, sizeof key_); }

  AeadAlg alg() const override { return AeadAlg::kChaCha20Poly1305; }

  CStatus seal(Bytes nonce, Bytes aad, MutBytes in_out, MutBytes tag) override {
    SLUICE_TRY(check_aead_shapes(nonce, tag.size(), in_out.size(),
                            crypto_aead_chacha20poly1305_ietf_MESSAGEBYTES_MAX));
    unsigned long long tag_len = 0;
    // libsodium documents in-place operation (c == m) as supported.
    if (crypto_aead_chacha20poly1305_ietf_encrypt_detached(
            nonnull(in_out), tag.data(), &tag_len, nonnull(in_out), in_out.size(), nonnull(aad),
            aad.size(), nullptr, nonce.data(), key_) != 0 ||
        tag_len != kAeadTagLen) {
      return Err(CryptoError::kInternal);
    }
    return {};
  }

  CStatus open(Bytes nonce, Bytes aad, MutBytes in_out, Bytes tag) override {
    SLUICE_TRY(check_aead_shapes(nonce, tag.size(), in_out.size(),
                            crypto_aead_chacha20poly1305_ietf_MESSAGEBYTES_MAX));
    // The IETF construction checks the tag before decrypting, so on failure
    // in_out still holds the ciphertext, never unauthenticated plaintext.
    if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(
            nonnull(in_out), nullptr, nonnull(in_out), in_out.size(), tag.data(), nonnull(aad),
            aad.size(), nonce.data(), key_) != 0) {
      return Err(CryptoError::kAuthFailed);
    }
    return {};
  }

  CStatus rekey(Bytes key) override {
    if (key.size() != sizeof key_) return Err(CryptoError::kInvalidKey);
    std::copy(key.begin(), key.end(), key_);
    return {};
  }

 private:
  uint8_t key_[crypto_aead_chacha20poly1305_ietf_KEYBYTES];
};

class Aes256GcmKey final : public AeadKey {
 public:
  // The expanded key schedule and GHASH powers are computed once here
  // (libsodium's "beforenm"), not per record.
  explicit Aes256GcmKey(Bytes key) { crypto_aead_aes256gcm_beforenm(&state_, key.data()); }
  ~Aes256GcmKey() override { sodium_memzero(&state_, sizeof state_); }

  AeadAlg alg() const override { return AeadAlg::kAes256Gcm; }

  CStatus seal(Bytes nonce, Bytes aad, MutBytes in_out, MutBytes tag) override {
    SLUICE_TRY(check_aead_shapes(nonce, tag.size(), in_out.size(), crypto_aead_aes256gcm_MESSAGEBYTES_MAX));
    unsigned long long tag_len = 0;
    if (crypto_aead_aes256gcm_encrypt_detached_afternm(nonnull(in_out), tag.data(), &tag_len,
                                                       nonnull(in_out), in_out.size(), nonnull(aad),
                                                       aad.size(), nullptr, nonce.data(), &state_) != 0 ||
        tag_len != kAeadTagLen) {
      return Err(CryptoError::kInternal);
    }
    return {};
  }

  CStatus open(Bytes nonce, Bytes aad, MutBytes in_out, Bytes tag) override {
    SLUICE_TRY(check_aead_shapes(nonce, tag.size(), in_out.size(), crypto_aead_aes256gcm_MESSAGEBYTES_MAX));
    if (crypto_aead_aes256gcm_decrypt_detached_afternm(nonnull(in_out), nullptr, nonnull(in_out),
                                                       in_out.size(), tag.data(), nonnull(aad),
                                                       aad.size(), nonce.data(), &state_) != 0) {
      // libsodium's AES-NI code decrypts while it authenticates; wipe so
      // no unauthenticated plaintext survives, as AeadKey::open promises.
      sodium_memzero(nonnull(in_out), in_out.size());
      return Err(CryptoError::kAuthFailed);
    }
    return {};
  }

  CStatus rekey(Bytes key) override {
    if (key.size() != crypto_aead_aes256gcm_KEYBYTES) return Err(CryptoError::kInvalidKey);
    crypto_aead_aes256gcm_beforenm(&state_, key.data());
    return {};
  }

 private:
  crypto_aead_aes256gcm_state state_;  // 16-byte aligned; C++17 aligned new honours it.
};

}  // namespace

bool aes256gcm_available() { return crypto_aead_aes256gcm_is_available() == 1; }

CResult<std::unique_ptr<AeadKey>> new_sodium_aead(AeadAlg alg, Bytes key) {
  switch (alg) {
    case AeadAlg::kChaCha20Poly1305:
      if (key.size() != crypto_aead_chacha20poly1305_ietf_KEYBYTES) return Err(CryptoError::kInvalidKey);
      return std::unique_ptr<AeadKey>(std::make_unique<ChaChaPolyKey>(key));
    case AeadAlg::kAes256Gcm:
      if (!aes256gcm_available()) return Err(CryptoError::kUnsupported);
      if (key.size() != crypto_aead_aes256gcm_KEYBYTES) return Err(CryptoError::kInvalidKey);
      return std::unique_ptr<AeadKey>(std::make_unique<Aes256GcmKey>(key));
    case AeadAlg::kAes128Gcm: break;  // libsodium has no AES-128-GCM.
  }
  return Err(CryptoError::kUnsupported);
}

}  // namespace sluice::crypto::sodium_internal
