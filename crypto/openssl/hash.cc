// SHA-2 over EVP_MD_CTX, and HMAC (RFC 2104) built on the same digests.
//
// Why HMAC is not EVP_MAC: EVP_MAC_init takes the digest as a name
// parameter and fetches it again on every init, and each EVP_MAC_CTX holds
// three digest contexts. The TLS key schedule makes one short HMAC per
// HKDF step, so those costs dominate it. RFC 2104 over the pre-fetched
// EVP_MD needs one digest context and the same libcrypto compression code.
#include <algorithm>
#include <array>

#include "base/secret.h"
#include "crypto/keyed_hkdf.h"
#include "crypto/openssl/internal.h"

namespace sluice::crypto::ossl {
namespace {

// The largest block size among SHA-256/384/512 (SHA-384/512: 128 bytes).
constexpr size_t kMaxBlockLen = 128;

class OsslHash final : public Hash {
 public:
  OsslHash(std::shared_ptr<const Env> env, HashAlg alg, MdCtxPtr ctx)
      : env_(std::move(env)), alg_(alg), ctx_(std::move(ctx)) {}

  HashAlg alg() const override { return alg_; }
  void update(Bytes data) override {
    if (!finished_ && !data.empty()) (void)EVP_DigestUpdate(ctx_.get(), data.data(), data.size());
  }
  void finish(MutBytes out) override {
    // Hash into a local buffer so a short `out` is never overrun; a second
    // finish without reset() yields zeros, never a stale digest.
    std::array<uint8_t, kMaxHashLen> buf{};
    if (!finished_) (void)EVP_DigestFinal_ex(ctx_.get(), buf.data(), nullptr);
    finished_ = true;
    std::copy_n(buf.begin(), std::min(out.size(), hash_len(alg_)), out.begin());
  }
  void reset() override {
    (void)EVP_DigestInit_ex2(ctx_.get(), env_->md(alg_), nullptr);
    finished_ = false;
  }
  std::unique_ptr<Hash> clone() const override {
    MdCtxPtr copy(EVP_MD_CTX_new());
    // The interface has no error path here. EVP_MD_CTX_copy_ex fails only
    // when libcrypto is out of memory, which is reported as a null clone.
    if (!copy || EVP_MD_CTX_copy_ex(copy.get(), ctx_.get()) != 1) return nullptr;
    auto h = std::make_unique<OsslHash>(env_, alg_, std::move(copy));
    h->finished_ = finished_;
    return h;
  }

 private:
  std::shared_ptr<const Env> env_;
  HashAlg alg_;
  MdCtxPtr ctx_;
  bool finished_ = false;
};

// HMAC(K, m) = H((K' ^ opad) || H((K' ^ ipad) || m)), K' the key padded (or
// first hashed, if longer than a block) to the block size (RFC 2104 §2).
class OsslHmac final : public Mac {
 public:
  OsslHmac(std::shared_ptr<const Env> env, HashAlg alg, MdCtxPtr ctx)
      : env_(std::move(env)), alg_(alg), ctx_(std::move(ctx)) {}
  ~OsslHmac() override { wipe(opad_); }

  // init keys the MAC; false on a libcrypto failure.
  bool init(Bytes key) {
    const EVP_MD* md = env_->md(alg_);
    block_len_ = static_cast<size_t>(EVP_MD_get_block_size(md));
    if (block_len_ == 0 || block_len_ > kMaxBlockLen) return false;
    std::array<uint8_t, kMaxBlockLen> k{};
    if (key.size() > block_len_) {
      if (EVP_DigestInit_ex2(ctx_.get(), md, nullptr) != 1 ||
          EVP_DigestUpdate(ctx_.get(), key.data(), key.size()) != 1 ||
          EVP_DigestFinal_ex(ctx_.get(), k.data(), nullptr) != 1) {
        return false;
      }
    } else {
      std::copy(key.begin(), key.end(), k.begin());
    }
    std::array<uint8_t, kMaxBlockLen> ipad{};
    for (size_t i = 0; i < block_len_; ++i) {
      ipad[i] = k[i] ^ 0x36;
      opad_[i] = k[i] ^ 0x5c;
    }
    const bool ok = EVP_DigestInit_ex2(ctx_.get(), md, nullptr) == 1 &&
                    EVP_DigestUpdate(ctx_.get(), ipad.data(), block_len_) == 1;
    wipe(k);
    wipe(ipad);
    return ok;
  }

  void update(Bytes data) override {
    if (!finished_ && !data.empty()) (void)EVP_DigestUpdate(ctx_.get(), data.data(), data.size());
  }
  void finish(MutBytes out) override {
    std::array<uint8_t, kMaxHashLen> tag{};
    if (!finished_) {
      std::array<uint8_t, kMaxHashLen> inner{};
      const size_t n = hash_len(alg_);
      (void)EVP_DigestFinal_ex(ctx_.get(), inner.data(), nullptr);
      (void)EVP_DigestInit_ex2(ctx_.get(), env_->md(alg_), nullptr);
      (void)EVP_DigestUpdate(ctx_.get(), opad_.data(), block_len_);
      (void)EVP_DigestUpdate(ctx_.get(), inner.data(), n);
      (void)EVP_DigestFinal_ex(ctx_.get(), tag.data(), nullptr);
      wipe(inner);
    }
    finished_ = true;
    std::copy_n(tag.begin(), std::min(out.size(), hash_len(alg_)), out.begin());
    wipe(tag);
  }

 private:
  std::shared_ptr<const Env> env_;
  HashAlg alg_;
  MdCtxPtr ctx_;
  size_t block_len_ = 0;
  std::array<uint8_t, kMaxBlockLen> opad_{};
  bool finished_ = false;
};

}  // namespace

CResult<std::unique_ptr<Hash>> new_hash(std::shared_ptr<const Env> env, HashAlg h) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex2(ctx.get(), env->md(h), nullptr) != 1) return Err(CryptoError::kInternal);
  return std::unique_ptr<Hash>(std::make_unique<OsslHash>(std::move(env), h, std::move(ctx)));
}

CStatus hkdf_expand(const Env& env, HashAlg h, Bytes prk, std::span<const HkdfOutput> outputs) {
  // The key's pad blocks are made once per call, but each block absorbs
  // them again: OpenSSL 3.0 copies a digest context only through a fresh
  // provider context (a heap call per copy), which costs more here than the
  // two compression calls a kept keyed state would save. One working
  // context serves every block of every output.
  const EVP_MD* md = env.md(h);
  const size_t block_len = static_cast<size_t>(EVP_MD_get_block_size(md));
  if (block_len == 0 || block_len > kMaxBlockLen) return Err(CryptoError::kInternal);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return Err(CryptoError::kInternal);
  std::array<uint8_t, kMaxBlockLen> k{};
  if (prk.size() > block_len) {
    if (EVP_Digest(prk.data(), prk.size(), k.data(), nullptr, md, nullptr) != 1) return Err(CryptoError::kInternal);
  } else {
    std::copy(prk.begin(), prk.end(), k.begin());
  }
  std::array<uint8_t, kMaxBlockLen> ipad{}, opad{};
  for (size_t i = 0; i < block_len; ++i) {
    ipad[i] = k[i] ^ 0x36;
    opad[i] = k[i] ^ 0x5c;
  }
  wipe(k);
  const size_t n = hash_len(h);
  CStatus r = expand_with(
      [&](std::span<const Bytes> parts, MutBytes out) {
        // HMAC(K, m) = H((K' ^ opad) || H((K' ^ ipad) || m)) (RFC 2104 §2).
        if (EVP_DigestInit_ex2(ctx.get(), md, nullptr) != 1 ||
            EVP_DigestUpdate(ctx.get(), ipad.data(), block_len) != 1) {
          return false;
        }
        for (Bytes p : parts) {
          if (!p.empty() && EVP_DigestUpdate(ctx.get(), p.data(), p.size()) != 1) return false;
        }
        std::array<uint8_t, kMaxHashLen> inner{};
        const bool done = EVP_DigestFinal_ex(ctx.get(), inner.data(), nullptr) == 1 &&
                          EVP_DigestInit_ex2(ctx.get(), md, nullptr) == 1 &&
                          EVP_DigestUpdate(ctx.get(), opad.data(), block_len) == 1 &&
                          EVP_DigestUpdate(ctx.get(), inner.data(), n) == 1 &&
                          EVP_DigestFinal_ex(ctx.get(), out.data(), nullptr) == 1;
        wipe(inner);
        return done;
      },
      h, outputs);
  wipe(ipad);
  wipe(opad);
  return r;
}

CResult<std::unique_ptr<Mac>> new_hmac(std::shared_ptr<const Env> env, HashAlg h, Bytes key) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return Err(CryptoError::kInternal);
  auto mac = std::make_unique<OsslHmac>(std::move(env), h, std::move(ctx));
  if (!mac->init(key)) return Err(CryptoError::kInternal);
  return std::unique_ptr<Mac>(std::move(mac));
}

}  // namespace sluice::crypto::ossl
