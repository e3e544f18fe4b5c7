// SHA-256/512 and HMAC-SHA-256/512 over libsodium's incremental APIs.
#include <sodium.h>

#include <algorithm>
#include <array>

#include "crypto/keyed_hkdf.h"
#include "crypto/sodium/internal.h"

namespace sluice::crypto::sodium_internal {
namespace {

// Traits map a HashAlg onto libsodium's per-hash state types and calls, so
// one template serves both hashes without a switch in every method.
struct Sha256Traits {
  static constexpr HashAlg kAlg = HashAlg::kSha256;
  using State = crypto_hash_sha256_state;
  using MacState = crypto_auth_hmacsha256_state;
  static void init(State* s) { crypto_hash_sha256_init(s); }
  static void update(State* s, Bytes d) { crypto_hash_sha256_update(s, nonnull(d), d.size()); }
  static void final(State* s, uint8_t* out) { crypto_hash_sha256_final(s, out); }
  static void mac_init(MacState* s, Bytes k) { crypto_auth_hmacsha256_init(s, nonnull(k), k.size()); }
  static void mac_update(MacState* s, Bytes d) { crypto_auth_hmacsha256_update(s, nonnull(d), d.size()); }
  static void mac_final(MacState* s, uint8_t* out) { crypto_auth_hmacsha256_final(s, out); }
};

struct Sha512Traits {
  static constexpr HashAlg kAlg = HashAlg::kSha512;
  using State = crypto_hash_sha512_state;
  using MacState = crypto_auth_hmacsha512_state;
  static void init(State* s) { crypto_hash_sha512_init(s); }
  static void update(State* s, Bytes d) { crypto_hash_sha512_update(s, nonnull(d), d.size()); }
  static void final(State* s, uint8_t* out) { crypto_hash_sha512_final(s, out); }
  static void mac_init(MacState* s, Bytes k) { crypto_auth_hmacsha512_init(s, nonnull(k), k.size()); }
  static void mac_update(MacState* s, Bytes d) { crypto_auth_hmacsha512_update(s, nonnull(d), d.size()); }
  static void mac_final(MacState* s, uint8_t* out) { crypto_auth_hmacsha512_final(s, out); }
};

// copy_digest writes a full digest to `out`. The interface's finish() has no
// error path, so a too-short `out` receives a prefix rather than an overrun;
// callers that need a check use Provider::hash/hmac, which validate sizes.
void copy_digest(std::span<const uint8_t> digest, MutBytes out) {
  const size_t n = std::min(digest.size(), out.size());
  std::copy_n(digest.begin(), n, out.begin());
}

template <class Traits>
class SodiumHash final : public Hash {
 public:
  SodiumHash() { Traits::init(&state_); }
  ~SodiumHash() override { sodium_memzero(&state_, sizeof state_); }

  HashAlg alg() const override { return Traits::kAlg; }
  void update(Bytes data) override {
    if (!finished_) Traits::update(&state_, data);
  }
  void finish(MutBytes out) override {
    std::array<uint8_t, hash_len(Traits::kAlg)> digest{};
    if (!finished_) Traits::final(&state_, digest.data());
    // A second finish without reset() yields zeros, never a stale digest.
    finished_ = true;
    copy_digest(digest, out);
    sodium_memzero(digest.data(), digest.size());
  }
  void reset() override {
    Traits::init(&state_);
    finished_ = false;
  }
  std::unique_ptr<Hash> clone() const override {
    // libsodium's hash states are plain structs: a copy is an independent
    // hash of the same prefix.
    return std::make_unique<SodiumHash>(*this);
  }
  void peek(MutBytes out) const override {
    std::array<uint8_t, hash_len(Traits::kAlg)> digest{};
    if (!finished_) {
      typename Traits::State copy = state_;
      Traits::final(&copy, digest.data());
      sodium_memzero(&copy, sizeof copy);
    }
    copy_digest(digest, out);
  }

 private:
  typename Traits::State state_;
  bool finished_ = false;
};

template <class Traits>
class SodiumHmac final : public Mac {
 public:
  explicit SodiumHmac(Bytes key) { Traits::mac_init(&state_, key); }
  ~SodiumHmac() override { sodium_memzero(&state_, sizeof state_); }

  void update(Bytes data) override {
    if (!finished_) Traits::mac_update(&state_, data);
  }
  void finish(MutBytes out) override {
    std::array<uint8_t, hash_len(Traits::kAlg)> tag{};
    if (!finished_) Traits::mac_final(&state_, tag.data());
    finished_ = true;
    copy_digest(tag, out);
    sodium_memzero(tag.data(), tag.size());
  }

 private:
  typename Traits::MacState state_;
  bool finished_ = false;
};

}  // namespace

CResult<std::unique_ptr<Hash>> new_sodium_hash(HashAlg alg) {
  switch (alg) {
    case HashAlg::kSha256: return std::unique_ptr<Hash>(std::make_unique<SodiumHash<Sha256Traits>>());
    case HashAlg::kSha512: return std::unique_ptr<Hash>(std::make_unique<SodiumHash<Sha512Traits>>());
    case HashAlg::kSha384: break;  // libsodium has no SHA-384.
  }
  return Err(CryptoError::kUnsupported);
}

CResult<std::unique_ptr<Mac>> new_sodium_hmac(HashAlg alg, Bytes key) {
  // libsodium's *_init hashes keys longer than the block size itself, as
  // RFC 2104 §2 asks, so any key length is accepted.
  switch (alg) {
    case HashAlg::kSha256: return std::unique_ptr<Mac>(std::make_unique<SodiumHmac<Sha256Traits>>(key));
    case HashAlg::kSha512: return std::unique_ptr<Mac>(std::make_unique<SodiumHmac<Sha512Traits>>(key));
    case HashAlg::kSha384: break;
  }
  return Err(CryptoError::kUnsupported);
}

namespace {
// KeyedMac is an HMAC state keyed once and copied for each HKDF block
// (crypto/keyed_hkdf.h); libsodium's HMAC state is plain data.
template <class Traits>
class KeyedMac {
 public:
  explicit KeyedMac(Bytes key) { Traits::mac_init(&state_, key); }
  KeyedMac(const KeyedMac&) = default;
  KeyedMac& operator=(const KeyedMac&) = delete;
  ~KeyedMac() { sodium_memzero(&state_, sizeof state_); }
  void update(Bytes d) {
    if (!d.empty()) Traits::mac_update(&state_, d);
  }
  void finish(MutBytes out) { Traits::mac_final(&state_, out.data()); }

 private:
  typename Traits::MacState state_;
};
}  // namespace

CStatus sodium_hkdf_expand(HashAlg alg, Bytes prk, std::span<const HkdfOutput> outputs) {
  switch (alg) {
    case HashAlg::kSha256: return expand_keyed(KeyedMac<Sha256Traits>(prk), alg, outputs);
    case HashAlg::kSha512: return expand_keyed(KeyedMac<Sha512Traits>(prk), alg, outputs);
    case HashAlg::kSha384: break;
  }
  return Err(CryptoError::kUnsupported);
}

CStatus sodium_tls12_prf(HashAlg alg, Bytes secret, std::span<const Bytes> seed, MutBytes out) {
  switch (alg) {
    case HashAlg::kSha256: return p_hash_keyed(KeyedMac<Sha256Traits>(secret), alg, seed, out);
    case HashAlg::kSha512: return p_hash_keyed(KeyedMac<Sha512Traits>(secret), alg, seed, out);
    case HashAlg::kSha384: break;
  }
  return Err(CryptoError::kUnsupported);
}

}  // namespace sluice::crypto::sodium_internal

namespace sluice::crypto::sodium_internal {

namespace {
template <class Traits>
void hash_parts_with(std::span<const Bytes> parts, MutBytes out) {
  typename Traits::State st;
  Traits::init(&st);
  for (Bytes p : parts) Traits::update(&st, p);
  Traits::final(&st, out.data());
}
}  // namespace

CStatus sodium_hash_parts(HashAlg alg, std::span<const Bytes> parts, MutBytes out) {
  if (out.size() < hash_len(alg)) return Err(CryptoError::kInvalidInput);
  switch (alg) {
    case HashAlg::kSha256: hash_parts_with<Sha256Traits>(parts, out); return {};
    case HashAlg::kSha512: hash_parts_with<Sha512Traits>(parts, out); return {};
    case HashAlg::kSha384: break;
  }
  return Err(CryptoError::kUnsupported);
}

CStatus sodium_hmac_parts(HashAlg alg, Bytes key, std::span<const Bytes> parts, MutBytes out) {
  // libsodium reads `key` even when empty: give it a valid pointer.
  static const uint8_t kNoKey = 0;
  const uint8_t* k = key.empty() ? &kNoKey : key.data();
  if (out.size() < hash_len(alg)) return Err(CryptoError::kInvalidInput);
  switch (alg) {
    case HashAlg::kSha256: {
      crypto_auth_hmacsha256_state st;
      crypto_auth_hmacsha256_init(&st, k, key.size());
      for (Bytes p : parts) {
        if (!p.empty()) crypto_auth_hmacsha256_update(&st, p.data(), p.size());
      }
      crypto_auth_hmacsha256_final(&st, out.data());
      sodium_memzero(&st, sizeof st);
      return {};
    }
    case HashAlg::kSha512: {
      crypto_auth_hmacsha512_state st;
      crypto_auth_hmacsha512_init(&st, k, key.size());
      for (Bytes p : parts) {
        if (!p.empty()) crypto_auth_hmacsha512_update(&st, p.data(), p.size());
      }
      crypto_auth_hmacsha512_final(&st, out.data());
      sodium_memzero(&st, sizeof st);
      return {};
    }
    case HashAlg::kSha384:
      break;
  }
  return Err(CryptoError::kUnsupported);
}

}  // namespace sluice::crypto::sodium_internal
