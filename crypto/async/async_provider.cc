#include "crypto/async/async_provider.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace sluice::crypto {
namespace {

// Job is one signature's shared state: the worker and the PendingSignature
// handle both hold it, so whichever goes last frees it.
struct Job {
  std::shared_ptr<Signer> signer;
  SignatureScheme scheme{};
  std::vector<uint8_t> message;  // a copy: the caller's buffer need not outlive the call

  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  bool abandoned = false;
  CResult<std::vector<uint8_t>> result = Err(CryptoError::kInternal);
  std::function<void()> callback;
  // Held while the callback runs, so a handle being destroyed waits for it
  // (recursive: the callback may itself destroy the handle).
  std::recursive_mutex callback_mu;
  int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

  ~Job() {
    if (fd >= 0) ::close(fd);
  }

  void finish(CResult<std::vector<uint8_t>> r) {
    std::lock_guard<std::recursive_mutex> cb_lock(callback_mu);
    std::function<void()> cb;
    {
      std::lock_guard<std::mutex> lock(mu);
      result = std::move(r);
      done = true;
      cb = callback;
    }
    cv.notify_all();
    if (fd >= 0) {
      const uint64_t one = 1;
      (void)::write(fd, &one, sizeof one);
    }
    if (cb) cb();
  }
};

// Workers sign queued jobs in order.
class Pool {
 public:
  explicit Pool(unsigned n) {
    for (unsigned i = 0; i < std::max(1u, n); ++i) threads_.emplace_back([this] { run(); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
    // Whatever is still queued completes with an error: nobody waits forever.
    for (auto& job : queue_) job->finish(Err(CryptoError::kInternal));
  }
  void submit(std::shared_ptr<Job> job) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(job));
    }
    cv_.notify_one();
  }

 private:
  void run() {
    while (true) {
      std::shared_ptr<Job> job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
        if (stop_) return;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      bool abandoned;
      {
        std::lock_guard<std::mutex> lock(job->mu);
        abandoned = job->abandoned;
      }
      if (abandoned) continue;  // its connection is gone
      std::vector<uint8_t> sig;
      auto r = job->signer->sign(job->scheme, job->message, sig);
      if (!r) {
        job->finish(Err(r.error()));
      } else if (*r != SignOutcome::kDone) {
        job->finish(Err(CryptoError::kInternal));
      } else {
        job->finish(std::move(sig));
      }
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<Job>> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

class Pending final : public PendingSignature {
 public:
  explicit Pending(std::shared_ptr<Job> job) : job_(std::move(job)) {}
  ~Pending() override {
    std::lock_guard<std::recursive_mutex> cb_lock(job_->callback_mu);
    std::lock_guard<std::mutex> lock(job_->mu);
    job_->abandoned = true;
    job_->callback = nullptr;
  }
  bool done() const override {
    std::lock_guard<std::mutex> lock(job_->mu);
    return job_->done;
  }
  int completion_fd() const override { return job_->fd; }
  void wait() override {
    std::unique_lock<std::mutex> lock(job_->mu);
    job_->cv.wait(lock, [this] { return job_->done; });
  }
  void on_done(std::function<void()> callback) override {
    bool now;
    {
      std::lock_guard<std::mutex> lock(job_->mu);
      now = job_->done;
      if (!now) job_->callback = std::move(callback);
    }
    if (now && callback) callback();
  }
  CResult<std::vector<uint8_t>> result() override {
    std::lock_guard<std::mutex> lock(job_->mu);
    if (!job_->done) return Err(CryptoError::kInternal);
    return std::move(job_->result);
  }

 private:
  std::shared_ptr<Job> job_;
};

class AsyncSigner final : public Signer {
 public:
  AsyncSigner(std::shared_ptr<Signer> base, std::shared_ptr<Pool> pool)
      : base_(std::move(base)), pool_(std::move(pool)) {}

  KeyType key_type() const override { return base_->key_type(); }
  const PublicKey& public_key() const override { return base_->public_key(); }
  bool supports(SignatureScheme s) const override { return base_->supports(s); }
  // sign is the synchronous path (certificate generation and the like).
  CResult<SignOutcome> sign(SignatureScheme scheme, Bytes message, std::vector<uint8_t>& out) override {
    return base_->sign(scheme, message, out);
  }
  CResult<SignStart> start_sign(SignatureScheme scheme, Bytes message) override {
    auto job = std::make_shared<Job>();
    if (job->fd < 0) return Err(CryptoError::kInternal);
    job->signer = base_;
    job->scheme = scheme;
    job->message.assign(message.begin(), message.end());
    pool_->submit(job);
    SignStart out;
    out.pending = std::make_unique<Pending>(std::move(job));
    return out;
  }

 private:
  std::shared_ptr<Signer> base_;
  std::shared_ptr<Pool> pool_;
};

class AsyncProvider final : public Provider {
 public:
  AsyncProvider(std::shared_ptr<const Provider> base, unsigned workers)
      : base_(std::move(base)), pool_(std::make_shared<Pool>(workers)) {}
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
    std::shared_ptr<Signer> base = SLUICE_TRY(base_->new_signer(m));
    return std::unique_ptr<Signer>(std::make_unique<AsyncSigner>(std::move(base), pool_));
  }
  CResult<PrivateKeyMaterial> generate_key(KeyType k, unsigned bits) const override {
    return base_->generate_key(k, bits);
  }
  CStatus random(MutBytes out) const override { return base_->random(out); }
  CStatus hmac_parts(HashAlg h, Bytes key, std::span<const Bytes> parts, MutBytes out) const override {
    return base_->hmac_parts(h, key, parts, out);
  }
  CStatus hmac(HashAlg h, Bytes key, Bytes data, MutBytes out) const override { return base_->hmac(h, key, data, out); }
  CStatus hkdf_extract(HashAlg h, Bytes salt, Bytes ikm, MutBytes out) const override {
    return base_->hkdf_extract(h, salt, ikm, out);
  }
  CStatus hkdf_expand_several(HashAlg h, Bytes prk, std::span<const HkdfOutput> outputs) const override {
    return base_->hkdf_expand_several(h, prk, outputs);
  }
  CStatus tls12_prf(HashAlg h, Bytes secret, std::span<const Bytes> seed, MutBytes out) const override {
    return base_->tls12_prf(h, secret, seed, out);
  }
  CStatus hkdf_expand(HashAlg h, Bytes prk, Bytes info, MutBytes out) const override {
    return base_->hkdf_expand(h, prk, info, out);
  }
  CStatus hash_parts(HashAlg h, std::span<const Bytes> parts, MutBytes out) const override {
    return base_->hash_parts(h, parts, out);
  }

 private:
  std::shared_ptr<const Provider> base_;
  std::shared_ptr<Pool> pool_;
};

}  // namespace

std::unique_ptr<Provider> make_async_provider(std::shared_ptr<const Provider> base, unsigned workers) {
  return std::make_unique<AsyncProvider>(std::move(base), workers);
}

}  // namespace sluice::crypto
