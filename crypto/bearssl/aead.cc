// AES-GCM (br_gcm over the selected AES-CTR and GHASH code) and
// ChaCha20-Poly1305 (br_poly1305_*_run over the selected ChaCha20), sealing
// and opening in place.
//
// Both BearSSL constructions decrypt while they authenticate, so a failed
// open has already written plaintext into the buffer; open() wipes it before
// reporting kAuthFailed, as the AeadKey contract requires.
#include <cstring>

#include "crypto/bearssl/internal.h"

namespace sluice::crypto::bearssl {
namespace {

// GcmKey keeps one br_gcm_context (with H precomputed) and resets it per
// record, so like every AeadKey it serves one direction of one connection at
// a time; it is not meant to be shared between threads.
class GcmKey final : public AeadKey {
 public:
  GcmKey(AeadAlg alg, Bytes key) : alg_(alg) { set_key(key); }
  GcmKey(const GcmKey&) = delete;
  GcmKey& operator=(const GcmKey&) = delete;
  ~GcmKey() override {
    wipe(MutBytes(reinterpret_cast<uint8_t*>(&keys_), sizeof(keys_)));
    wipe(MutBytes(reinterpret_cast<uint8_t*>(&gcm_), sizeof(gcm_)));
  }

  AeadAlg alg() const override { return alg_; }

  CStatus seal(Bytes nonce, Bytes aad, MutBytes in_out, MutBytes tag) override {
    SLUICE_TRY(check_aead_shapes(nonce, tag.size(), in_out.size(), kMaxGcmBytes));
    start(nonce, aad);
    br_gcm_run(&gcm_, 1, in_out.data(), in_out.size());
    br_gcm_get_tag(&gcm_, tag.data());
    return {};
  }

  CStatus open(Bytes nonce, Bytes aad, MutBytes in_out, Bytes tag) override {
    SLUICE_TRY(check_aead_shapes(nonce, tag.size(), in_out.size(), kMaxGcmBytes));
    start(nonce, aad);
    br_gcm_run(&gcm_, 0, in_out.data(), in_out.size());
    // br_gcm_check_tag compares in constant time.
    if (br_gcm_check_tag(&gcm_, tag.data()) != 1) {
      wipe(in_out);
      return Err(CryptoError::kAuthFailed);
    }
    return {};
  }

  CStatus rekey(Bytes key) override {
    if (key.size() != aead_key_len(alg_)) return Err(CryptoError::kInvalidKey);
    set_key(key);
    return {};
  }

 private:
  void set_key(Bytes key) {
    const Impls& im = impls();
    im.aes_ctr->init(&keys_.vtable, key.data(), key.size());
    // br_gcm_init computes the GHASH key H = AES_K(0) once per key.
    br_gcm_init(&gcm_, &keys_.vtable, im.ghash);
  }

  void start(Bytes nonce, Bytes aad) {
    br_gcm_reset(&gcm_, nonce.data(), nonce.size());
    br_gcm_aad_inject(&gcm_, aad.data(), aad.size());
    br_gcm_flip(&gcm_);
  }

  AeadAlg alg_;
  br_aes_gen_ctr_keys keys_{};
  br_gcm_context gcm_{};
};

class ChaChaPolyKey final : public AeadKey {
 public:
  explicit ChaChaPolyKey(Bytes key) { std::memcpy(key_, key.data(), sizeof(key_)); }
  ~ChaChaPolyKey() override { wipe(key_); }

  AeadAlg alg() const override { return AeadAlg::kChaCha20Poly1305; }

  CStatus seal(Bytes nonce, Bytes aad, MutBytes in_out, MutBytes tag) override {
    SLUICE_TRY(check_aead_shapes(nonce, tag.size(), in_out.size(), kMaxChaChaBytes));
    const Impls& im = impls();
    im.poly1305(key_, nonce.data(), in_out.data(), in_out.size(), aad.data(), aad.size(),
                tag.data(), im.chacha20, 1);
    return {};
  }

  CStatus open(Bytes nonce, Bytes aad, MutBytes in_out, Bytes tag) override {
    SLUICE_TRY(check_aead_shapes(nonce, tag.size(), in_out.size(), kMaxChaChaBytes));
    const Impls& im = impls();
    uint8_t computed[kAeadTagLen];
    im.poly1305(key_, nonce.data(), in_out.data(), in_out.size(), aad.data(), aad.size(),
                computed, im.chacha20, 0);
    if (!ct_equal(computed, tag)) {
      wipe(in_out);
      return Err(CryptoError::kAuthFailed);
    }
    return {};
  }

  CStatus rekey(Bytes key) override {
    if (key.size() != sizeof key_) return Err(CryptoError::kInvalidKey);
    std::memcpy(key_, key.data(), sizeof key_);
    return {};
  }

 private:
  uint8_t key_[32];
};

}  // namespace

CResult<std::unique_ptr<AeadKey>> new_aead(AeadAlg alg, Bytes key) {
  if (key.size() != aead_key_len(alg)) return Err(CryptoError::kInvalidKey);
  switch (alg) {
    case AeadAlg::kAes128Gcm:
    case AeadAlg::kAes256Gcm: return std::unique_ptr<AeadKey>(std::make_unique<GcmKey>(alg, key));
    case AeadAlg::kChaCha20Poly1305:
      return std::unique_ptr<AeadKey>(std::make_unique<ChaChaPolyKey>(key));
  }
  return Err(CryptoError::kUnsupported);
}

}  // namespace sluice::crypto::bearssl
