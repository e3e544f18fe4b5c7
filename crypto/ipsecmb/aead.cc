// AES-128/256-GCM and ChaCha20-Poly1305 over the library's direct AEAD
// functions, sealing and opening in place.
//
// A GCM key expands its AES round keys and the GHASH key powers once, when
// it is keyed (the VAES code keeps 48 powers: about 1 KB a key); a record
// then costs one call. Both constructions decrypt while they authenticate,
// so a failed open wipes the buffer before answering kAuthFailed, as
// AeadKey::open promises.
#include <algorithm>

#include "base/secret.h"
#include "crypto/ipsecmb/internal.h"

namespace sluice::crypto::ipsecmb {
namespace {

// The library's parameter checks refuse a null pointer even with a zero
// length, and an empty std::span may hold one.
const uint8_t* nonnull(Bytes b) {
  static constexpr uint8_t kEmpty = 0;
  return b.empty() ? &kEmpty : b.data();
}
uint8_t* nonnull(MutBytes b) {
  static thread_local uint8_t empty_scratch = 0;
  return b.empty() ? &empty_scratch : b.data();
}

// check_tag compares the tag the open computed with the one received; on a
// mismatch the decrypted bytes are wiped. `expected` is wiped either way.
CStatus check_tag(MutBytes expected, Bytes tag, MutBytes in_out) {
  const bool ok = ct_equal(expected, tag);
  wipe(expected);
  if (!ok) {
    wipe(in_out);
    return Err(CryptoError::kAuthFailed);
  }
  return {};
}

class GcmKey final : public AeadKey {
 public:
  GcmKey(const IMB_MGR& mgr, AeadAlg alg, Bytes key) : mgr_(mgr), alg_(alg) { expand(key); }
  GcmKey(const GcmKey&) = delete;
  GcmKey& operator=(const GcmKey&) = delete;
  ~GcmKey() override { wipe(MutBytes(reinterpret_cast<uint8_t*>(&keys_), sizeof keys_)); }

  AeadAlg alg() const override { return alg_; }

  CStatus seal(Bytes nonce, Bytes aad, MutBytes in_out, MutBytes tag) override {
    SLUICE_TRY(check_aead_shapes(nonce, tag.size(), in_out.size(), kMaxGcmBytes));
    gcm_context_data ctx;
    uint8_t* data = nonnull(in_out);
    if (alg_ == AeadAlg::kAes128Gcm) {
      IMB_AES128_GCM_ENC(&mgr_, &keys_, &ctx, data, data, in_out.size(), nonce.data(), nonnull(aad), aad.size(),
                         tag.data(), kAeadTagLen);
    } else {
      IMB_AES256_GCM_ENC(&mgr_, &keys_, &ctx, data, data, in_out.size(), nonce.data(), nonnull(aad), aad.size(),
                         tag.data(), kAeadTagLen);
    }
    wipe(MutBytes(reinterpret_cast<uint8_t*>(&ctx), sizeof ctx));
    return {};
  }

  CStatus open(Bytes nonce, Bytes aad, MutBytes in_out, Bytes tag) override {
    SLUICE_TRY(check_aead_shapes(nonce, tag.size(), in_out.size(), kMaxGcmBytes));
    gcm_context_data ctx;
    uint8_t expected[kAeadTagLen];
    uint8_t* data = nonnull(in_out);
    if (alg_ == AeadAlg::kAes128Gcm) {
      IMB_AES128_GCM_DEC(&mgr_, &keys_, &ctx, data, data, in_out.size(), nonce.data(), nonnull(aad), aad.size(),
                         expected, kAeadTagLen);
    } else {
      IMB_AES256_GCM_DEC(&mgr_, &keys_, &ctx, data, data, in_out.size(), nonce.data(), nonnull(aad), aad.size(),
                         expected, kAeadTagLen);
    }
    wipe(MutBytes(reinterpret_cast<uint8_t*>(&ctx), sizeof ctx));
    return check_tag(expected, tag, in_out);
  }

  CStatus rekey(Bytes key) override {
    if (key.size() != aead_key_len(alg_)) return Err(CryptoError::kInvalidKey);
    expand(key);
    return {};
  }

 private:
  void expand(Bytes key) {
    if (alg_ == AeadAlg::kAes128Gcm) {
      IMB_AES128_GCM_PRE(&mgr_, key.data(), &keys_);
    } else {
      IMB_AES256_GCM_PRE(&mgr_, key.data(), &keys_);
    }
  }

  const IMB_MGR& mgr_;
  AeadAlg alg_;
  gcm_key_data keys_;  // 64-byte aligned (LINUX); C++17 aligned new honours it.
};

class ChaChaPolyKey final : public AeadKey {
 public:
  ChaChaPolyKey(const IMB_MGR& mgr, Bytes key) : mgr_(mgr) { std::copy(key.begin(), key.end(), key_); }
  ChaChaPolyKey(const ChaChaPolyKey&) = delete;
  ChaChaPolyKey& operator=(const ChaChaPolyKey&) = delete;
  ~ChaChaPolyKey() override { wipe(MutBytes(key_)); }

  AeadAlg alg() const override { return AeadAlg::kChaCha20Poly1305; }

  CStatus seal(Bytes nonce, Bytes aad, MutBytes in_out, MutBytes tag) override {
    SLUICE_TRY(check_aead_shapes(nonce, tag.size(), in_out.size(), kMaxChaChaBytes));
    chacha20_poly1305_context_data ctx;
    IMB_CHACHA20_POLY1305_INIT(&mgr_, key_, &ctx, nonce.data(), nonnull(aad), aad.size());
    if (!in_out.empty()) {
      IMB_CHACHA20_POLY1305_ENC_UPDATE(&mgr_, key_, &ctx, in_out.data(), in_out.data(), in_out.size());
    }
    IMB_CHACHA20_POLY1305_ENC_FINALIZE(&mgr_, &ctx, tag.data(), kAeadTagLen);
    wipe(MutBytes(reinterpret_cast<uint8_t*>(&ctx), sizeof ctx));
    return {};
  }

  CStatus open(Bytes nonce, Bytes aad, MutBytes in_out, Bytes tag) override {
    SLUICE_TRY(check_aead_shapes(nonce, tag.size(), in_out.size(), kMaxChaChaBytes));
    chacha20_poly1305_context_data ctx;
    uint8_t expected[kAeadTagLen];
    IMB_CHACHA20_POLY1305_INIT(&mgr_, key_, &ctx, nonce.data(), nonnull(aad), aad.size());
    if (!in_out.empty()) {
      IMB_CHACHA20_POLY1305_DEC_UPDATE(&mgr_, key_, &ctx, in_out.data(), in_out.data(), in_out.size());
    }
    IMB_CHACHA20_POLY1305_DEC_FINALIZE(&mgr_, &ctx, expected, kAeadTagLen);
    wipe(MutBytes(reinterpret_cast<uint8_t*>(&ctx), sizeof ctx));
    return check_tag(expected, tag, in_out);
  }

  CStatus rekey(Bytes key) override {
    if (key.size() != sizeof key_) return Err(CryptoError::kInvalidKey);
    std::copy(key.begin(), key.end(), key_);
    return {};
  }

 private:
  const IMB_MGR& mgr_;
  uint8_t key_[32];
};

}  // namespace

CResult<std::unique_ptr<AeadKey>> new_aead(const IMB_MGR& mgr, AeadAlg alg, Bytes key) {
  if (key.size() != aead_key_len(alg)) return Err(CryptoError::kInvalidKey);
  switch (alg) {
    case AeadAlg::kAes128Gcm:
    case AeadAlg::kAes256Gcm: return std::unique_ptr<AeadKey>(std::make_unique<GcmKey>(mgr, alg, key));
    case AeadAlg::kChaCha20Poly1305: return std::unique_ptr<AeadKey>(std::make_unique<ChaChaPolyKey>(mgr, key));
  }
  return Err(CryptoError::kUnsupported);
}

}  // namespace sluice::crypto::ipsecmb
