// SHA-2 hashes and HMAC over BearSSL's generic hash vtables. BearSSL contexts
// are plain structs, so clone() is a struct copy.
#include <algorithm>

#include "crypto/bearssl/internal.h"
#include "crypto/keyed_hkdf.h"

namespace sluice::crypto::bearssl {
namespace {

template <class T>
void wipe_struct(T& v) {
  wipe(MutBytes(reinterpret_cast<uint8_t*>(&v), sizeof(v)));
}

class BrHash final : public Hash {
 public:
  explicit BrHash(HashAlg alg) : alg_(alg) { reset(); }
  BrHash(const BrHash&) = default;
  ~BrHash() override { wipe_struct(ctx_); }

  HashAlg alg() const override { return alg_; }
  void update(Bytes data) override { ctx_.vtable->update(&ctx_.vtable, data.data(), data.size()); }
  void finish(MutBytes out) override {
    // Hash into a local buffer so a short `out` is never overrun.
    uint8_t buf[kMaxHashLen];
    ctx_.vtable->out(&ctx_.vtable, buf);
    const size_t n = std::min(out.size(), hash_len(alg_));
    std::copy(buf, buf + n, out.begin());
  }
  void reset() override { hash_class(alg_)->init(&ctx_.vtable); }
  std::unique_ptr<Hash> clone() const override { return std::make_unique<BrHash>(*this); }
  void peek(MutBytes out) const override {
    br_hash_compat_context copy = ctx_;
    uint8_t buf[kMaxHashLen];
    copy.vtable->out(&copy.vtable, buf);
    const size_t n = std::min(out.size(), hash_len(alg_));
    std::copy(buf, buf + n, out.begin());
    wipe_struct(copy);
  }

 private:
  HashAlg alg_;
  br_hash_compat_context ctx_{};
};

class BrHmac final : public Mac {
 public:
  BrHmac(HashAlg alg, Bytes key) : alg_(alg) {
    br_hmac_key_init(&key_, hash_class(alg), key.data(), key.size());
    br_hmac_init(&ctx_, &key_, 0);
  }
  ~BrHmac() override {
    wipe_struct(key_);
    wipe_struct(ctx_);
  }
  void update(Bytes data) override { br_hmac_update(&ctx_, data.data(), data.size()); }
  void finish(MutBytes out) override {
    uint8_t buf[kMaxHashLen];
    br_hmac_out(&ctx_, buf);
    const size_t n = std::min(out.size(), hash_len(alg_));
    std::copy(buf, buf + n, out.begin());
    wipe(buf);
  }

 private:
  HashAlg alg_;
  br_hmac_key_context key_{};
  br_hmac_context ctx_{};
};

}  // namespace

const br_hash_class* hash_class(HashAlg h) {
  switch (h) {
    case HashAlg::kSha256: return &br_sha256_vtable;
    case HashAlg::kSha384: return &br_sha384_vtable;
    case HashAlg::kSha512: return &br_sha512_vtable;
  }
  return &br_sha256_vtable;
}

CResult<std::unique_ptr<Hash>> new_hash(HashAlg h) {
  return std::unique_ptr<Hash>(std::make_unique<BrHash>(h));
}

CResult<std::unique_ptr<Mac>> new_hmac(HashAlg h, Bytes key) {
  return std::unique_ptr<Mac>(std::make_unique<BrHmac>(h, key));
}

CStatus hmac_parts(HashAlg h, Bytes key, std::span<const Bytes> parts, MutBytes out) {
  if (out.size() < hash_len(h)) return Err(CryptoError::kInvalidInput);
  br_hmac_key_context kc;
  br_hmac_key_init(&kc, hash_class(h), key.data(), key.size());
  br_hmac_context hc;
  br_hmac_init(&hc, &kc, 0);
  for (Bytes p : parts) br_hmac_update(&hc, p.data(), p.size());
  br_hmac_out(&hc, out.data());
  wipe(MutBytes(reinterpret_cast<uint8_t*>(&kc), sizeof kc));
  wipe(MutBytes(reinterpret_cast<uint8_t*>(&hc), sizeof hc));
  return {};
}

namespace {
// KeyedMac is an HMAC context started from a key context, copied for each
// HKDF block (crypto/keyed_hkdf.h); BearSSL's contexts are plain structs.
class KeyedMac {
 public:
  explicit KeyedMac(const br_hmac_key_context& key) { br_hmac_init(&ctx_, &key, 0); }
  KeyedMac(const KeyedMac&) = default;
  KeyedMac& operator=(const KeyedMac&) = delete;
  ~KeyedMac() { wipe_struct(ctx_); }
  void update(Bytes d) { br_hmac_update(&ctx_, d.data(), d.size()); }
  void finish(MutBytes out) { br_hmac_out(&ctx_, out.data()); }

 private:
  br_hmac_context ctx_;
};
}  // namespace

CStatus hkdf_expand(HashAlg h, Bytes prk, std::span<const HkdfOutput> outputs) {
  br_hmac_key_context kc;
  br_hmac_key_init(&kc, hash_class(h), prk.data(), prk.size());
  CStatus r = expand_keyed(KeyedMac(kc), h, outputs);
  wipe_struct(kc);
  return r;
}

CStatus tls12_prf(HashAlg h, Bytes secret, std::span<const Bytes> seed, MutBytes out) {
  br_hmac_key_context kc;
  br_hmac_key_init(&kc, hash_class(h), secret.data(), secret.size());
  CStatus r = p_hash_keyed(KeyedMac(kc), h, seed, out);
  wipe_struct(kc);
  return r;
}

void digest(HashAlg h, std::initializer_list<Bytes> parts, MutBytes out) {
  BrHash ctx(h);
  for (Bytes p : parts) ctx.update(p);
  ctx.finish(out);
}

}  // namespace sluice::crypto::bearssl
