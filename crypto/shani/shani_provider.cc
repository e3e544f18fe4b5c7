#include "crypto/shani/shani_provider.h"

#include <algorithm>

#include "base/secret.h"
#include "crypto/keyed_hkdf.h"
#include "crypto/narrow_provider.h"
#include "crypto/shani/sha256.h"

namespace sluice::crypto {
namespace {

using shani::Sha256;

void digest_into(Sha256& h, MutBytes out) {
  uint8_t digest[Sha256::kDigestLen];
  h.finish(digest);
  std::copy_n(digest, std::min(out.size(), sizeof digest), out.begin());
  wipe(MutBytes(digest));
}

// finished_again: a second finish without reset() yields zeros, never a
// stale digest.
void finished_again(MutBytes out) { std::fill_n(out.begin(), std::min(out.size(), Sha256::kDigestLen), 0); }

class ShaNiHash final : public Hash {
 public:
  HashAlg alg() const override { return HashAlg::kSha256; }
  void update(Bytes data) override {
    if (!finished_) h_.update(data);
  }
  void finish(MutBytes out) override {
    if (finished_) return finished_again(out);
    finished_ = true;
    digest_into(h_, out);
  }
  void reset() override {
    h_.reset();
    finished_ = false;
  }
  std::unique_ptr<Hash> clone() const override { return std::make_unique<ShaNiHash>(*this); }
  void peek(MutBytes out) const override {
    if (finished_) return finished_again(out);
    Sha256 copy = h_;
    digest_into(copy, out);
  }

 private:
  Sha256 h_;
  bool finished_ = false;
};

// Hmac keeps the inner and outer hashes keyed (RFC 2104 §2). A copy is an
// HMAC keyed with the same key, which HKDF-Expand uses for every block.
class Hmac {
 public:
  explicit Hmac(Bytes key) {
    uint8_t block[Sha256::kBlockLen] = {};
    if (key.size() > Sha256::kBlockLen) {
      Sha256 k;
      k.update(key);
      k.finish(std::span<uint8_t, Sha256::kDigestLen>(block, Sha256::kDigestLen));
    } else {
      std::copy(key.begin(), key.end(), block);
    }
    for (uint8_t& b : block) b ^= 0x36;
    inner_.update(block);
    for (uint8_t& b : block) b ^= 0x36 ^ 0x5c;
    outer_.update(block);
    wipe(MutBytes(block));
  }
  void update(Bytes data) { inner_.update(data); }
  void finish(MutBytes out) {
    uint8_t inner_digest[Sha256::kDigestLen];
    inner_.finish(inner_digest);
    outer_.update(inner_digest);
    wipe(MutBytes(inner_digest));
    digest_into(outer_, out);
  }

 private:
  Sha256 inner_, outer_;
};

class ShaNiMac final : public Mac {
 public:
  explicit ShaNiMac(Bytes key) : hmac_(key) {}
  void update(Bytes data) override {
    if (!finished_) hmac_.update(data);
  }
  void finish(MutBytes out) override {
    if (finished_) return finished_again(out);
    finished_ = true;
    hmac_.finish(out);
  }

 private:
  Hmac hmac_;
  bool finished_ = false;
};

class ShaNiProvider final : public NarrowProvider {
 public:
  std::string_view name() const override { return "sha-ni"; }

  bool supports(HashAlg h) const override { return h == HashAlg::kSha256; }

  CResult<std::unique_ptr<Hash>> new_hash(HashAlg h) const override {
    if (h != HashAlg::kSha256) return Err(CryptoError::kUnsupported);
    return std::unique_ptr<Hash>(std::make_unique<ShaNiHash>());
  }
  CResult<std::unique_ptr<Mac>> new_hmac(HashAlg h, Bytes key) const override {
    if (h != HashAlg::kSha256) return Err(CryptoError::kUnsupported);
    return std::unique_ptr<Mac>(std::make_unique<ShaNiMac>(key));
  }
  CStatus hash_parts(HashAlg h, std::span<const Bytes> parts, MutBytes out) const override {
    if (h != HashAlg::kSha256) return Err(CryptoError::kUnsupported);
    if (out.size() < Sha256::kDigestLen) return Err(CryptoError::kInvalidInput);
    Sha256 s;
    for (Bytes p : parts) s.update(p);
    digest_into(s, out);
    return {};
  }
  CStatus hmac_parts(HashAlg h, Bytes key, std::span<const Bytes> parts, MutBytes out) const override {
    if (h != HashAlg::kSha256) return Err(CryptoError::kUnsupported);
    if (out.size() < Sha256::kDigestLen) return Err(CryptoError::kInvalidInput);
    Hmac mac(key);
    for (Bytes p : parts) mac.update(p);
    mac.finish(out);
    return {};
  }
  CStatus hkdf_expand(HashAlg h, Bytes prk, Bytes info, MutBytes out) const override {
    const HkdfOutput one[] = {{info, out}};
    return hkdf_expand_several(h, prk, one);
  }
  CStatus hkdf_expand_several(HashAlg h, Bytes prk, std::span<const HkdfOutput> outputs) const override {
    if (h != HashAlg::kSha256) return Err(CryptoError::kUnsupported);
    return expand_keyed(Hmac(prk), h, outputs);
  }
  CStatus tls12_prf(HashAlg h, Bytes secret, std::span<const Bytes> seed, MutBytes out) const override {
    if (h != HashAlg::kSha256) return Err(CryptoError::kUnsupported);
    return p_hash_keyed(Hmac(secret), h, seed, out);
  }
};

}  // namespace

std::unique_ptr<Provider> make_shani_provider() {
  if (!shani::sha_extensions_available()) return nullptr;
  return std::make_unique<ShaNiProvider>();
}

}  // namespace sluice::crypto
