// CountingProvider forwards to another provider and counts the calls tests
// ask about: signature checks (is a verification skipped?) and AEAD objects
// made (is a key replaced in place?).
#pragma once

#include <atomic>
#include <memory>

#include "crypto/provider.h"

namespace sluice::testing {

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
    return base_->new_aead(a, k);
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

 private:
  std::shared_ptr<const crypto::Provider> base_;
};

}  // namespace sluice::testing
