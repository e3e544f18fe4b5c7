// CompositeProvider: per-algorithm dispatch over an ordered member list.
#include "crypto/composite/composite_provider.h"

#include <algorithm>
#include <string>

namespace sluice::crypto {
namespace {

class CompositeProvider final : public Provider {
 public:
  explicit CompositeProvider(std::vector<std::shared_ptr<const Provider>> members) {
    name_ = "composite(";
    for (auto& m : members) {
      if (!m) continue;
      if (!members_.empty()) name_ += "+";
      name_ += m->name();
      members_.push_back(std::move(m));
    }
    name_ += ")";
  }

  std::string_view name() const override { return name_; }

  bool supports(HashAlg h) const override { return for_alg(h) != nullptr; }
  bool supports(AeadAlg a) const override { return for_alg(a) != nullptr; }
  bool supports(Group g) const override { return for_alg(g) != nullptr; }
  bool supports_verify(SignatureScheme s) const override { return for_verify(s) != nullptr; }
  bool supports_signing(KeyType k) const override { return for_signing(k) != nullptr; }

  CResult<std::unique_ptr<Hash>> new_hash(HashAlg h) const override {
    if (auto* p = for_alg(h)) return p->new_hash(h);
    return Err(CryptoError::kUnsupported);
  }
  CResult<std::unique_ptr<Mac>> new_hmac(HashAlg h, Bytes key) const override {
    if (auto* p = for_alg(h)) return p->new_hmac(h, key);
    return Err(CryptoError::kUnsupported);
  }
  CResult<std::unique_ptr<AeadKey>> new_aead(AeadAlg a, Bytes key) const override {
    if (auto* p = for_alg(a)) return p->new_aead(a, key);
    return Err(CryptoError::kUnsupported);
  }
  CResult<std::unique_ptr<KeyShare>> new_key_share(Group g) const override {
    if (auto* p = for_alg(g)) return p->new_key_share(g);
    return Err(CryptoError::kUnsupported);
  }
  CResult<std::unique_ptr<KeyShare>> key_share_from_private(Group g, Bytes priv) const override {
    if (auto* p = for_alg(g)) return p->key_share_from_private(g, priv);
    return Err(CryptoError::kUnsupported);
  }
  CStatus verify(SignatureScheme s, const PublicKey& key, Bytes message, Bytes signature) const override {
    if (auto* p = for_verify(s)) return p->verify(s, key, message, signature);
    return Err(CryptoError::kUnsupported);
  }
  CResult<std::unique_ptr<Signer>> new_signer(const PrivateKeyMaterial& material) const override {
    if (auto* p = for_signing(material.type)) return p->new_signer(material);
    return Err(CryptoError::kUnsupported);
  }
  CResult<PrivateKeyMaterial> generate_key(KeyType k, unsigned rsa_bits) const override {
    if (auto* p = for_signing(k)) return p->generate_key(k, rsa_bits);
    return Err(CryptoError::kUnsupported);
  }
  // random comes from the first member with a generator (a member that
  // only accelerates a hash has none).
  CStatus random(MutBytes out) const override {
    for (const auto& m : members_) {
      auto r = m->random(out);
      if (r || r.error() != CryptoError::kUnsupported) return r;
    }
    return Err(CryptoError::kUnsupported);
  }

  // HMAC and HKDF go to the member that owns the hash, so a member's own
  // (possibly faster) HKDF is used rather than the generic one over new_hmac.
  CStatus hash_parts(HashAlg h, std::span<const Bytes> parts, MutBytes out) const override {
    if (auto* p = for_alg(h)) return p->hash_parts(h, parts, out);
    return Err(CryptoError::kUnsupported);
  }
  CStatus hmac(HashAlg h, Bytes key, Bytes data, MutBytes out) const override {
    if (auto* p = for_alg(h)) return p->hmac(h, key, data, out);
    return Err(CryptoError::kUnsupported);
  }
  CStatus hmac_parts(HashAlg h, Bytes key, std::span<const Bytes> parts, MutBytes out) const override {
    if (auto* p = for_alg(h)) return p->hmac_parts(h, key, parts, out);
    return Err(CryptoError::kUnsupported);
  }
  CStatus hkdf_extract(HashAlg h, Bytes salt, Bytes ikm, MutBytes out_prk) const override {
    if (auto* p = for_alg(h)) return p->hkdf_extract(h, salt, ikm, out_prk);
    return Err(CryptoError::kUnsupported);
  }
  CStatus hkdf_expand(HashAlg h, Bytes prk, Bytes info, MutBytes out) const override {
    if (auto* p = for_alg(h)) return p->hkdf_expand(h, prk, info, out);
    return Err(CryptoError::kUnsupported);
  }
  CStatus hkdf_expand_several(HashAlg h, Bytes prk, std::span<const HkdfOutput> outputs) const override {
    if (auto* p = for_alg(h)) return p->hkdf_expand_several(h, prk, outputs);
    return Err(CryptoError::kUnsupported);
  }
  CStatus tls12_prf(HashAlg h, Bytes secret, std::span<const Bytes> seed, MutBytes out) const override {
    if (auto* p = for_alg(h)) return p->tls12_prf(h, secret, seed, out);
    return Err(CryptoError::kUnsupported);
  }

 private:
  template <class Alg>
  const Provider* for_alg(Alg alg) const {
    for (const auto& m : members_)
      if (m->supports(alg)) return m.get();
    return nullptr;
  }
  const Provider* for_verify(SignatureScheme s) const {
    for (const auto& m : members_)
      if (m->supports_verify(s)) return m.get();
    return nullptr;
  }
  const Provider* for_signing(KeyType k) const {
    for (const auto& m : members_)
      if (m->supports_signing(k)) return m.get();
    return nullptr;
  }

  std::vector<std::shared_ptr<const Provider>> members_;
  std::string name_;
};

// SubsetProvider forwards the public-key requests its subset names to its
// member and refuses everything else.
class SubsetProvider final : public Provider {
 public:
  SubsetProvider(std::shared_ptr<const Provider> member, ProviderSubset subset)
      : member_(std::move(member)), subset_(std::move(subset)) {
    name_ = std::string(member_->name()) + "[public-key]";
  }

  std::string_view name() const override { return name_; }

  bool supports(HashAlg) const override { return false; }
  bool supports(AeadAlg) const override { return false; }
  bool supports(Group g) const override { return has_group(g) && member_->supports(g); }
  bool supports_verify(SignatureScheme s) const override {
    return has_key_type(scheme_key_type(s)) && member_->supports_verify(s);
  }
  bool supports_signing(KeyType k) const override { return has_key_type(k) && member_->supports_signing(k); }

  CResult<std::unique_ptr<KeyShare>> new_key_share(Group g) const override {
    if (!has_group(g)) return Err(CryptoError::kUnsupported);
    return member_->new_key_share(g);
  }
  CResult<std::unique_ptr<KeyShare>> key_share_from_private(Group g, Bytes priv) const override {
    if (!has_group(g)) return Err(CryptoError::kUnsupported);
    return member_->key_share_from_private(g, priv);
  }
  CStatus verify(SignatureScheme s, const PublicKey& key, Bytes message, Bytes signature) const override {
    if (!has_key_type(scheme_key_type(s))) return Err(CryptoError::kUnsupported);
    return member_->verify(s, key, message, signature);
  }
  CResult<std::unique_ptr<Signer>> new_signer(const PrivateKeyMaterial& material) const override {
    if (!has_key_type(material.type)) return Err(CryptoError::kUnsupported);
    return member_->new_signer(material);
  }
  CResult<PrivateKeyMaterial> generate_key(KeyType k, unsigned rsa_bits) const override {
    if (!has_key_type(k)) return Err(CryptoError::kUnsupported);
    return member_->generate_key(k, rsa_bits);
  }

  CResult<std::unique_ptr<Hash>> new_hash(HashAlg) const override { return Err(CryptoError::kUnsupported); }
  CResult<std::unique_ptr<Mac>> new_hmac(HashAlg, Bytes) const override { return Err(CryptoError::kUnsupported); }
  CResult<std::unique_ptr<AeadKey>> new_aead(AeadAlg, Bytes) const override { return Err(CryptoError::kUnsupported); }
  CStatus hash_parts(HashAlg, std::span<const Bytes>, MutBytes) const override {
    return Err(CryptoError::kUnsupported);
  }
  CStatus hmac_parts(HashAlg, Bytes, std::span<const Bytes>, MutBytes) const override {
    return Err(CryptoError::kUnsupported);
  }
  CStatus random(MutBytes) const override { return Err(CryptoError::kUnsupported); }

 private:
  bool has_group(Group g) const {
    return std::find(subset_.groups.begin(), subset_.groups.end(), g) != subset_.groups.end();
  }
  bool has_key_type(KeyType k) const {
    return std::find(subset_.key_types.begin(), subset_.key_types.end(), k) != subset_.key_types.end();
  }

  std::shared_ptr<const Provider> member_;
  ProviderSubset subset_;
  std::string name_;
};

}  // namespace

std::unique_ptr<Provider> make_subset_provider(std::shared_ptr<const Provider> member, ProviderSubset subset) {
  return std::make_unique<SubsetProvider>(std::move(member), std::move(subset));
}

std::unique_ptr<Provider> make_composite_provider(std::vector<std::shared_ptr<const Provider>> members) {
  return std::make_unique<CompositeProvider>(std::move(members));
}

}  // namespace sluice::crypto
