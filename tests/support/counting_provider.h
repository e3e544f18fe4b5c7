// CountingProvider forwards to another provider and counts the calls tests
// ask about: signature checks (is a verification skipped?), AEAD objects
// made (is a key replaced in place?), AEAD key schedules released (does
// an idle connection give them up?), and where split seals and opens read
// from and write to (does write() seal from the caller's buffer?).
#pragma once

#include <atomic>
#include <memory>
#include <span>
#include <vector>

#include "crypto/provider.h"

namespace sluice::testing {

// AeadHeads lists the `head` spans of split seals (seal_from) and opens
// (open_to) with a non-empty head, in order. Single-threaded tests only.
struct AeadHeads {
  std::vector<std::span<const uint8_t>> sealed_from, opened_to;
};

// CountingAead forwards to the AEAD it wraps, counting release_schedule and
// noting split seals and opens.
class CountingAead final : public crypto::AeadKey {
  using Bytes = crypto::Bytes;
  using MutBytes = crypto::MutBytes;

 public:
  CountingAead(std::unique_ptr<crypto::AeadKey> base, std::atomic<int>& released, AeadHeads& heads)
      : base_(std::move(base)), released_(released), heads_(heads) {}
  crypto::AeadAlg alg() const override { return base_->alg(); }
  crypto::CStatus seal(Bytes nonce, Bytes aad, MutBytes in_out, MutBytes tag) override {
    return base_->seal(nonce, aad, in_out, tag);
  }
  crypto::CStatus open(Bytes nonce, Bytes aad, MutBytes in_out, Bytes tag) override {
    return base_->open(nonce, aad, in_out, tag);
  }
  crypto::CStatus seal_from(Bytes nonce, Bytes aad, Bytes head, MutBytes out, MutBytes tag) override {
    if (!head.empty()) heads_.sealed_from.push_back(head);
    return base_->seal_from(nonce, aad, head, out, tag);
  }
  crypto::CStatus open_to(Bytes nonce, Bytes aad, MutBytes in_out, MutBytes head, Bytes tag) override {
    if (!head.empty()) heads_.opened_to.push_back(head);
    return base_->open_to(nonce, aad, in_out, head, tag);
  }
  crypto::CStatus rekey(Bytes key) override { return base_->rekey(key); }
  void release_schedule() override {
    ++released_;
    base_->release_schedule();
  }

 private:
  std::unique_ptr<crypto::AeadKey> base_;
  std::atomic<int>& released_;
  AeadHeads& heads_;
};

class CountingProvider final : public crypto::Provider {
  using Bytes = crypto::Bytes;
  using MutBytes = crypto::MutBytes;

 public:
  explicit CountingProvider(std::shared_ptr<const crypto::Provider> base) : base_(std::move(base)) {}

  std::string_view name() const override { return "counting"; }
  bool supports(crypto::HashAlg h) const override { return base_->supports(h); }
  bool supports(crypto::AeadAlg a) const override { return base_->supports(a); }
  bool supports(crypto::Group g) const override { return base_->supports(g); }
  bool supports_verify(crypto::SignatureScheme s) const override { return base_->supports_verify(s); }
  bool supports_signing(crypto::KeyType k) const override { return base_->supports_signing(k); }
  crypto::CResult<std::unique_ptr<crypto::Hash>> new_hash(crypto::HashAlg h) const override {
    return base_->new_hash(h);
  }
  crypto::CResult<std::unique_ptr<crypto::Mac>> new_hmac(crypto::HashAlg h, Bytes k) const override {
    return base_->new_hmac(h, k);
  }
  crypto::CResult<std::unique_ptr<crypto::AeadKey>> new_aead(crypto::AeadAlg a, Bytes k) const override {
    ++aeads_made;
    auto key = base_->new_aead(a, k);
    if (!key.ok()) return key;
    return std::unique_ptr<crypto::AeadKey>(std::make_unique<CountingAead>(std::move(*key), schedules_released, aead_heads));
  }
  crypto::CResult<std::unique_ptr<crypto::KeyShare>> new_key_share(crypto::Group g) const override {
    return base_->new_key_share(g);
  }
  crypto::CResult<std::unique_ptr<crypto::KeyShare>> key_share_from_private(crypto::Group g, Bytes p) const override {
    return base_->key_share_from_private(g, p);
  }
  crypto::CStatus verify(crypto::SignatureScheme s, const crypto::PublicKey& k, Bytes m, Bytes sig) const override {
    ++verifies;
    return base_->verify(s, k, m, sig);
  }
  crypto::CResult<std::unique_ptr<crypto::Signer>> new_signer(const crypto::PrivateKeyMaterial& m) const override {
    return base_->new_signer(m);
  }
  crypto::CResult<crypto::PrivateKeyMaterial> generate_key(crypto::KeyType t, unsigned bits) const override {
    return base_->generate_key(t, bits);
  }
  crypto::CStatus random(MutBytes out) const override { return base_->random(out); }

  mutable std::atomic<int> verifies{0};
  mutable std::atomic<int> aeads_made{0};
  mutable std::atomic<int> schedules_released{0};
  mutable AeadHeads aead_heads;

 private:
  std::shared_ptr<const crypto::Provider> base_;
};

}  // namespace sluice::testing
