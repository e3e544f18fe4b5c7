// AES-128/256-GCM and ChaCha20-Poly1305 over the library's direct AEAD
// functions, sealing and opening in place or from and to a second buffer.
//
// A GCM key expands its AES round keys and the GHASH key powers on first
// use (the VAES code keeps 48 powers: about 1 KB a key); a record then costs
// one call. The expansion is kept until release_schedule (an idle
// RELEASE_BUFFERS connection) and computed again from the key bytes after.
// Both constructions decrypt while they authenticate, so a failed open wipes
// the buffer before answering kAuthFailed, as AeadKey::open promises.
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
// mismatch the decrypted bytes (`head` and `rest`) are wiped. `expected` is
// wiped either way.
CStatus check_tag(MutBytes expected, Bytes tag, MutBytes head, MutBytes rest) {
  const bool ok = ct_equal(expected, tag);
  wipe(expected);
  if (!ok) {
    wipe(head);
    wipe(rest);
    return Err(CryptoError::kAuthFailed);
  }
  return {};
}

// Released schedules (AeadKey::release_schedule) wait here, wiped, for the
// next GCM key this thread expands: an idle RELEASE_BUFFERS connection holds
// none, and one that goes idle after every record, or the next connection,
// takes one back without a heap call. Four: both directions of a client and
// of a server served by one thread. Like the contexts' buffer freelists,
// this is the thread's memory (at most 4 KB), not a connection's; a
// destroyed key frees its schedule, so what a connection holds is what
// destroying it frees.
class SpareSchedules {
 public:
  SpareSchedules() = default;
  SpareSchedules(const SpareSchedules&) = delete;
  SpareSchedules& operator=(const SpareSchedules&) = delete;

  std::unique_ptr<gcm_key_data> take() {
    for (auto& s : spares_) {
      if (s) return std::move(s);
    }
    return std::make_unique<gcm_key_data>();
  }
  void give(std::unique_ptr<gcm_key_data> schedule) {
    wipe(MutBytes(reinterpret_cast<uint8_t*>(schedule.get()), sizeof *schedule));
    for (auto& s : spares_) {
      if (!s) {
        s = std::move(schedule);
        return;
      }
    }
  }

 private:
  std::unique_ptr<gcm_key_data> spares_[4];
};

thread_local SpareSchedules spare_schedules;

// GcmCalls are the library's calls for one key size. A key looks them up
// per call rather than keeping a copy: 64 bytes more per key would be 128
// more per idle connection.
struct GcmCalls {
  aes_gcm_enc_dec_t enc, dec;
  aes_gcm_init_t init;
  aes_gcm_enc_dec_update_t enc_update, dec_update;
  aes_gcm_enc_dec_finalize_t enc_finalize, dec_finalize;
  aes_gcm_pre_t pre;
};

GcmCalls gcm_calls(const IMB_MGR& m, AeadAlg alg) {
  if (alg == AeadAlg::kAes128Gcm) {
    return {m.gcm128_enc,        m.gcm128_dec,        m.gcm128_init,         m.gcm128_enc_update,
            m.gcm128_dec_update, m.gcm128_enc_finalize, m.gcm128_dec_finalize, m.gcm128_pre};
  }
  return {m.gcm256_enc,        m.gcm256_dec,        m.gcm256_init,         m.gcm256_enc_update,
          m.gcm256_dec_update, m.gcm256_enc_finalize, m.gcm256_dec_finalize, m.gcm256_pre};
}

class GcmKey final : public AeadKey {
 public:
  GcmKey(const IMB_MGR& mgr, AeadAlg alg, Bytes key) : mgr_(mgr), alg_(alg), key_len_(key.size()) {
    std::copy(key.begin(), key.end(), key_);
  }
  GcmKey(const GcmKey&) = delete;
  GcmKey& operator=(const GcmKey&) = delete;
  ~GcmKey() override {
    if (schedule_) wipe(MutBytes(reinterpret_cast<uint8_t*>(schedule_.get()), sizeof *schedule_));
    wipe(MutBytes(key_));
  }

  AeadAlg alg() const override { return alg_; }

  CStatus seal(Bytes nonce, Bytes aad, MutBytes in_out, MutBytes tag) override {
    return seal_from(nonce, aad, {}, in_out, tag);
  }
  CStatus open(Bytes nonce, Bytes aad, MutBytes in_out, Bytes tag) override {
    return open_to(nonce, aad, in_out, {}, tag);
  }

  // The split forms. A part that is the whole buffer takes the one-call
  // form with separate input and output. Otherwise a head below
  // kMinStreamedHead is copied and the one-call form runs in place: the
  // library's init/update/finalize calls cost more than such a copy (they
  // made 64-byte TLS 1.3 records 10% slower); longer heads are streamed,
  // one update per part.
  static constexpr size_t kMinStreamedHead = 4096;

  CStatus seal_from(Bytes nonce, Bytes aad, Bytes head, MutBytes out, MutBytes tag) override {
    SLUICE_TRY(check_aead_shapes(nonce, tag.size(), out.size(), kMaxGcmBytes));
    SLUICE_TRY(check_aead_split(head, out));
    const gcm_key_data& keys = schedule();
    const GcmCalls gcm = calls();
    gcm_context_data ctx;
    const MutBytes rest = out.subspan(head.size());
    if (head.size() >= kMinStreamedHead && !rest.empty()) {
      gcm.init(&keys, &ctx, nonce.data(), nonnull(aad), aad.size());
      gcm.enc_update(&keys, &ctx, out.data(), head.data(), head.size());
      gcm.enc_update(&keys, &ctx, rest.data(), rest.data(), rest.size());
      gcm.enc_finalize(&keys, &ctx, tag.data(), kAeadTagLen);
    } else {
      const uint8_t* in = nonnull(out);
      if (rest.empty() && !head.empty()) {
        in = head.data();
      } else {
        std::copy(head.begin(), head.end(), out.begin());
      }
      gcm.enc(&keys, &ctx, nonnull(out), in, out.size(), nonce.data(), nonnull(aad), aad.size(), tag.data(),
               kAeadTagLen);
    }
    wipe(MutBytes(reinterpret_cast<uint8_t*>(&ctx), sizeof ctx));
    return {};
  }

  CStatus open_to(Bytes nonce, Bytes aad, MutBytes in_out, MutBytes head, Bytes tag) override {
    SLUICE_TRY(check_aead_shapes(nonce, tag.size(), in_out.size(), kMaxGcmBytes));
    SLUICE_TRY(check_aead_split(head, in_out));
    const gcm_key_data& keys = schedule();
    const GcmCalls gcm = calls();
    gcm_context_data ctx;
    uint8_t expected[kAeadTagLen];
    const MutBytes rest = in_out.subspan(head.size());
    if (head.size() >= kMinStreamedHead && !rest.empty()) {
      gcm.init(&keys, &ctx, nonce.data(), nonnull(aad), aad.size());
      gcm.dec_update(&keys, &ctx, head.data(), in_out.data(), head.size());
      gcm.dec_update(&keys, &ctx, rest.data(), rest.data(), rest.size());
      gcm.dec_finalize(&keys, &ctx, expected, kAeadTagLen);
      wipe(MutBytes(reinterpret_cast<uint8_t*>(&ctx), sizeof ctx));
      return check_tag(expected, tag, head, rest);
    }
    // One call: into `head` when it takes everything, else in place (and
    // the head copied out once the tag is checked).
    const bool to_head = rest.empty() && !head.empty();
    gcm.dec(&keys, &ctx, to_head ? head.data() : nonnull(in_out), nonnull(in_out), in_out.size(), nonce.data(),
             nonnull(aad), aad.size(), expected, kAeadTagLen);
    wipe(MutBytes(reinterpret_cast<uint8_t*>(&ctx), sizeof ctx));
    SLUICE_TRY(check_tag(expected, tag, head, to_head ? MutBytes() : in_out));
    if (!to_head) std::copy(in_out.begin(), in_out.begin() + static_cast<ptrdiff_t>(head.size()), head.begin());
    return {};
  }

  CStatus rekey(Bytes key) override {
    if (key.size() != key_len_) return Err(CryptoError::kInvalidKey);
    std::copy(key.begin(), key.end(), key_);
    if (schedule_) expand();
    return {};
  }

  void release_schedule() override {
    if (schedule_) spare_schedules.give(std::move(schedule_));
  }

 private:
  // schedule is the expanded key, computed on first use after keying or a
  // release_schedule.
  const gcm_key_data& schedule() {
    if (!schedule_) {
      schedule_ = spare_schedules.take();
      expand();
    }
    return *schedule_;
  }
  void expand() { calls().pre(key_, schedule_.get()); }

  GcmCalls calls() const { return gcm_calls(mgr_, alg_); }

  const IMB_MGR& mgr_;
  AeadAlg alg_;
  size_t key_len_;
  uint8_t key_[32];
  // The round keys and the GHASH key powers (about 1 KB, 64-byte aligned:
  // C++17 aligned new honours it), or null while released.
  std::unique_ptr<gcm_key_data> schedule_;
};

class ChaChaPolyKey final : public AeadKey {
 public:
  ChaChaPolyKey(const IMB_MGR& mgr, Bytes key) : mgr_(mgr) { std::copy(key.begin(), key.end(), key_); }
  ChaChaPolyKey(const ChaChaPolyKey&) = delete;
  ChaChaPolyKey& operator=(const ChaChaPolyKey&) = delete;
  ~ChaChaPolyKey() override { wipe(MutBytes(key_)); }

  AeadAlg alg() const override { return AeadAlg::kChaCha20Poly1305; }

  CStatus seal(Bytes nonce, Bytes aad, MutBytes in_out, MutBytes tag) override {
    return seal_from(nonce, aad, {}, in_out, tag);
  }
  CStatus open(Bytes nonce, Bytes aad, MutBytes in_out, Bytes tag) override {
    return open_to(nonce, aad, in_out, {}, tag);
  }

  CStatus seal_from(Bytes nonce, Bytes aad, Bytes head, MutBytes out, MutBytes tag) override {
    SLUICE_TRY(check_aead_shapes(nonce, tag.size(), out.size(), kMaxChaChaBytes));
    SLUICE_TRY(check_aead_split(head, out));
    chacha20_poly1305_context_data ctx;
    const MutBytes rest = out.subspan(head.size());
    IMB_CHACHA20_POLY1305_INIT(&mgr_, key_, &ctx, nonce.data(), nonnull(aad), aad.size());
    if (!head.empty()) IMB_CHACHA20_POLY1305_ENC_UPDATE(&mgr_, key_, &ctx, out.data(), head.data(), head.size());
    if (!rest.empty()) IMB_CHACHA20_POLY1305_ENC_UPDATE(&mgr_, key_, &ctx, rest.data(), rest.data(), rest.size());
    IMB_CHACHA20_POLY1305_ENC_FINALIZE(&mgr_, &ctx, tag.data(), kAeadTagLen);
    wipe(MutBytes(reinterpret_cast<uint8_t*>(&ctx), sizeof ctx));
    return {};
  }

  CStatus open_to(Bytes nonce, Bytes aad, MutBytes in_out, MutBytes head, Bytes tag) override {
    SLUICE_TRY(check_aead_shapes(nonce, tag.size(), in_out.size(), kMaxChaChaBytes));
    SLUICE_TRY(check_aead_split(head, in_out));
    chacha20_poly1305_context_data ctx;
    uint8_t expected[kAeadTagLen];
    const MutBytes rest = in_out.subspan(head.size());
    IMB_CHACHA20_POLY1305_INIT(&mgr_, key_, &ctx, nonce.data(), nonnull(aad), aad.size());
    if (!head.empty()) IMB_CHACHA20_POLY1305_DEC_UPDATE(&mgr_, key_, &ctx, head.data(), in_out.data(), head.size());
    if (!rest.empty()) IMB_CHACHA20_POLY1305_DEC_UPDATE(&mgr_, key_, &ctx, rest.data(), rest.data(), rest.size());
    IMB_CHACHA20_POLY1305_DEC_FINALIZE(&mgr_, &ctx, expected, kAeadTagLen);
    wipe(MutBytes(reinterpret_cast<uint8_t*>(&ctx), sizeof ctx));
    return check_tag(expected, tag, head, head.empty() ? in_out : rest);
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
