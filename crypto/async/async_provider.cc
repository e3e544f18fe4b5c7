#include "crypto/async/async_provider.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace sluice::crypto {
namespace {

// One signature in flight at a time (one per connection, DESIGN.md).
class AsyncSigner final : public Signer {
 public:
  explicit AsyncSigner(std::unique_ptr<Signer> base)
      : base_(std::move(base)), fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}
  ~AsyncSigner() override {
    if (worker_.joinable()) worker_.join();
    if (fd_ >= 0) ::close(fd_);
  }

  KeyType key_type() const override { return base_->key_type(); }
  const PublicKey& public_key() const override { return base_->public_key(); }
  bool supports(SignatureScheme s) const override { return base_->supports(s); }
  int completion_fd() const override { return fd_; }
  void wait_for_completion() override {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !started_ || done_; });
  }

  CResult<SignOutcome> sign(SignatureScheme scheme, Bytes message, std::vector<uint8_t>& out) override {
    if (fd_ < 0) return Err(CryptoError::kInternal);
    std::unique_lock<std::mutex> lock(mu_);
    if (!started_) {
      // Start the job on a copy of the input: the caller's buffer need not
      // outlive this call.
      started_ = true;
      done_ = false;
      scheme_ = scheme;
      message_.assign(message.begin(), message.end());
      lock.unlock();
      if (worker_.joinable()) worker_.join();
      worker_ = std::thread([this] { run(); });
      return SignOutcome::kPending;
    }
    if (!done_) return SignOutcome::kPending;
    // The repeated call must ask for the same signature.
    if (scheme != scheme_ || !std::equal(message.begin(), message.end(), message_.begin(), message_.end())) {
      return Err(CryptoError::kInvalidInput);
    }
    uint64_t v;
    (void)::read(fd_, &v, sizeof v);
    started_ = false;
    if (!ok_) return Err(error_);
    out = std::move(signature_);
    return SignOutcome::kDone;
  }

 private:
  void run() {
    std::vector<uint8_t> sig;
    auto r = base_->sign(scheme_, message_, sig);
    {
      std::lock_guard<std::mutex> lock(mu_);
      ok_ = r.ok() && *r == SignOutcome::kDone;
      error_ = r.ok() ? CryptoError::kInternal : r.error();
      signature_ = std::move(sig);
      done_ = true;
    }
    cv_.notify_all();
    const uint64_t one = 1;
    (void)::write(fd_, &one, sizeof one);
  }

  std::unique_ptr<Signer> base_;
  int fd_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread worker_;
  bool started_ = false;
  bool done_ = false;
  bool ok_ = false;
  CryptoError error_ = CryptoError::kInternal;
  SignatureScheme scheme_{};
  std::vector<uint8_t> message_, signature_;
};

class AsyncProvider final : public Provider {
 public:
  explicit AsyncProvider(std::shared_ptr<const Provider> base) : base_(std::move(base)) {}
  std::string_view name() const override { return "async"; }
  bool supports(HashAlg h) const override { return base_->supports(h); }
  bool supports(AeadAlg a) const override { return base_->supports(a); }
  bool supports(Group g) const override { return base_->supports(g); }
  bool supports_verify(SignatureScheme s) const override { return base_->supports_verify(s); }
  bool supports_signing(KeyType k) const override { return base_->supports_signing(k); }
  CResult<std::unique_ptr<Hash>> new_hash(HashAlg h) const override { return base_->new_hash(h); }
  CResult<std::unique_ptr<Mac>> new_hmac(HashAlg h, Bytes key) const override { return base_->new_hmac(h, key); }
  CResult<std::unique_ptr<AeadKey>> new_aead(AeadAlg a, Bytes key) const override { return base_->new_aead(a, key); }
  CResult<std::unique_ptr<KeyShare>> new_key_share(Group g) const override { return base_->new_key_share(g); }
  CResult<std::unique_ptr<KeyShare>> key_share_from_private(Group g, Bytes priv) const override {
    return base_->key_share_from_private(g, priv);
  }
  CStatus verify(SignatureScheme s, const PublicKey& k, Bytes m, Bytes sig) const override {
    return base_->verify(s, k, m, sig);
  }
  CResult<std::unique_ptr<Signer>> new_signer(const PrivateKeyMaterial& m) const override {
    auto base = SLUICE_TRY(base_->new_signer(m));
    return std::unique_ptr<Signer>(std::make_unique<AsyncSigner>(std::move(base)));
  }
  CResult<PrivateKeyMaterial> generate_key(KeyType k, unsigned bits) const override {
    return base_->generate_key(k, bits);
  }
  CStatus random(MutBytes out) const override { return base_->random(out); }
  CStatus hmac(HashAlg h, Bytes key, Bytes data, MutBytes out) const override { return base_->hmac(h, key, data, out); }
  CStatus hkdf_extract(HashAlg h, Bytes salt, Bytes ikm, MutBytes out) const override {
    return base_->hkdf_extract(h, salt, ikm, out);
  }
  CStatus hkdf_expand(HashAlg h, Bytes prk, Bytes info, MutBytes out) const override {
    return base_->hkdf_expand(h, prk, info, out);
  }

 private:
  std::shared_ptr<const Provider> base_;
};

}  // namespace

std::unique_ptr<Provider> make_async_provider(std::shared_ptr<const Provider> base) {
  return std::make_unique<AsyncProvider>(std::move(base));
}

}  // namespace sluice::crypto
