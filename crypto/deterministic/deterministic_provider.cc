// DangerDeterministicProvider: the seeded stream, the queues and the
// recorded-signature signer. FOR TESTS ONLY (see the header).
#include "crypto/deterministic/deterministic_provider.h"

#include <algorithm>

namespace sluice::crypto {
namespace {

// How many times new_key_share/generate_key redraw a private value the base
// rejects. A uniformly drawn P-256 scalar is >= n with probability ~2^-32,
// so a handful of attempts only guards against a broken base.
constexpr int kMaxPrivateDraws = 8;

size_t private_len(Group g) {
  switch (g) {
    case Group::kX25519: return 32;
    case Group::kSecp256r1: return 32;
    case Group::kSecp384r1: return 48;
    case Group::kSecp521r1: return 66;
  }
  return 32;
}

// top_mask clears the bits above a P-521 scalar's 521 (its order is below
// 2^521, so an unmasked 66-byte draw would be refused 127 times in 128).
void top_mask(KeyType t, MutBytes scalar) {
  if (t == KeyType::kEcdsaP521 && !scalar.empty()) scalar[0] &= 0x01;
}

// RecordingSigner answers recorded signatures for exact messages and passes
// everything else to the base provider's signer.
class RecordingSigner final : public Signer {
 public:
  RecordingSigner(std::unique_ptr<Signer> inner,
                  std::shared_ptr<DangerDeterministicProvider::RecordedSignatures> recorded)
      : inner_(std::move(inner)), recorded_(std::move(recorded)) {}

  KeyType key_type() const override { return inner_->key_type(); }
  const PublicKey& public_key() const override { return inner_->public_key(); }
  bool supports(SignatureScheme scheme) const override { return inner_->supports(scheme); }

  CResult<SignOutcome> sign(SignatureScheme scheme, Bytes message,
                            std::vector<uint8_t>& out_signature) override {
    // A recorded answer stands in only for schemes this key could use, so a
    // test cannot make an Ed25519 key "sign" with RSA-PSS by accident.
    if (!inner_->supports(scheme)) return Err(CryptoError::kUnsupported);
    {
      std::lock_guard lock(recorded_->mu);
      auto it = recorded_->by_message.find(std::vector<uint8_t>(message.begin(), message.end()));
      if (it != recorded_->by_message.end()) {
        out_signature = it->second;
        return SignOutcome::kDone;
      }
    }
    return inner_->sign(scheme, message, out_signature);
  }

 private:
  std::unique_ptr<Signer> inner_;
  std::shared_ptr<DangerDeterministicProvider::RecordedSignatures> recorded_;
};

}  // namespace

DangerDeterministicProvider::DangerDeterministicProvider(std::shared_ptr<const Provider> base, Bytes seed)
    : base_(std::move(base)), recorded_(std::make_shared<RecordedSignatures>()) {
  stream_.seed.assign(seed);
}

DangerDeterministicProvider::~DangerDeterministicProvider() { wipe(stream_.block); }

void DangerDeterministicProvider::queue_random(Bytes bytes) {
  std::lock_guard lock(mu_);
  stream_.queued.insert(stream_.queued.end(), bytes.begin(), bytes.end());
}

void DangerDeterministicProvider::queue_key_share(Group group, Bytes private_bytes) {
  std::lock_guard lock(mu_);
  stream_.queued_key_shares[group].emplace_back(private_bytes);
}

void DangerDeterministicProvider::record_signature(Bytes message, Bytes signature) {
  std::lock_guard lock(recorded_->mu);
  recorded_->by_message[std::vector<uint8_t>(message.begin(), message.end())] =
      std::vector<uint8_t>(signature.begin(), signature.end());
}

CStatus DangerDeterministicProvider::random(MutBytes out) const {
  std::lock_guard lock(mu_);
  size_t done = 0;
  while (done < out.size() && !stream_.queued.empty()) {
    out[done++] = stream_.queued.front();
    stream_.queued.pop_front();
  }
  while (done < out.size()) {
    if (stream_.block_used == sizeof stream_.block) {
      // Block i = SHA-256(seed || i as 8 big-endian bytes).
      uint8_t counter_be[8];
      for (int i = 0; i < 8; ++i) counter_be[i] = static_cast<uint8_t>(stream_.counter >> (56 - 8 * i));
      auto h = SLUICE_TRY(base_->new_hash(HashAlg::kSha256));
      h->update(stream_.seed);
      h->update(counter_be);
      h->finish(stream_.block);
      ++stream_.counter;
      stream_.block_used = 0;
    }
    const size_t take = std::min(out.size() - done, sizeof stream_.block - stream_.block_used);
    std::copy_n(stream_.block + stream_.block_used, take, out.begin() + done);
    stream_.block_used += take;
    done += take;
  }
  return {};
}

CResult<std::unique_ptr<KeyShare>> DangerDeterministicProvider::new_key_share(Group group) const {
  SecretBytes queued;
  {
    std::lock_guard lock(mu_);
    auto it = stream_.queued_key_shares.find(group);
    if (it != stream_.queued_key_shares.end() && !it->second.empty()) {
      queued = std::move(it->second.front());
      it->second.pop_front();
    }
  }
  if (!queued.empty()) return base_->key_share_from_private(group, queued);
  if (!base_->supports(group)) return Err(CryptoError::kUnsupported);

  CryptoError last = CryptoError::kInternal;
  for (int attempt = 0; attempt < kMaxPrivateDraws; ++attempt) {
    SecretBytes priv(private_len(group));
    SLUICE_TRY(random(priv.span()));
    if (group == Group::kSecp521r1) top_mask(KeyType::kEcdsaP521, priv.span());
    auto share = base_->key_share_from_private(group, priv);
    if (share.ok()) return share;
    last = share.error();
  }
  return Err(last);
}

CResult<std::unique_ptr<Signer>> DangerDeterministicProvider::new_signer(
    const PrivateKeyMaterial& material) const {
  auto inner = SLUICE_TRY(base_->new_signer(material));
  return std::unique_ptr<Signer>(std::make_unique<RecordingSigner>(std::move(inner), recorded_));
}

CResult<PrivateKeyMaterial> DangerDeterministicProvider::generate_key(KeyType type, unsigned rsa_bits) const {
  size_t secret_len = 0;
  switch (type) {
    case KeyType::kEd25519: secret_len = 32; break;    // RFC 8032 seed
    case KeyType::kEcdsaP256: secret_len = 32; break;  // scalar, field size
    case KeyType::kEcdsaP384: secret_len = 48; break;
    case KeyType::kEcdsaP521: secret_len = 66; break;
    case KeyType::kRsa:
    case KeyType::kRsaPss: return base_->generate_key(type, rsa_bits);
  }
  if (!base_->supports_signing(type)) return Err(CryptoError::kUnsupported);
  CryptoError last = CryptoError::kInternal;
  for (int attempt = 0; attempt < kMaxPrivateDraws; ++attempt) {
    PrivateKeyMaterial material;
    material.type = type;
    material.secret = SecretBytes(secret_len);
    SLUICE_TRY(random(material.secret.span()));
    top_mask(type, material.secret.span());
    // The base signer validates the scalar and derives the public key.
    auto signer = base_->new_signer(material);
    if (!signer.ok()) {
      last = signer.error();
      continue;
    }
    material.public_key = (*signer)->public_key();
    return material;
  }
  return Err(last);
}

std::shared_ptr<DangerDeterministicProvider> make_danger_deterministic_provider(
    std::shared_ptr<const Provider> base, Bytes seed) {
  return std::make_shared<DangerDeterministicProvider>(std::move(base), seed);
}

}  // namespace sluice::crypto
