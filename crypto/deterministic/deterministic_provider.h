// DangerDeterministicProvider: FOR TESTS ONLY. It makes randomness, key
// shares and (optionally) signatures reproducible so a handshake can be
// replayed byte for byte (RFC 8448 traces, golden transcripts, fuzzing).
// A TLS stack using it has no secrecy at all: its "random" values are a
// public function of the seed. The name says so on purpose (STYLE.md
// practice 15: dangerous knobs have "danger" in their names), and Bazel
// marks the target testonly.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "crypto/provider.h"

namespace sluice::crypto {

class DangerDeterministicProvider final : public Provider {
 public:
  // Wraps `base`, which does all real cryptography (it must support SHA-256
  // for the stream). `seed` picks the deterministic stream.
  DangerDeterministicProvider(std::shared_ptr<const Provider> base, Bytes seed);
  ~DangerDeterministicProvider() override;

  // queue_random appends bytes that random() hands out, in order, before it
  // falls back to the seeded stream. A random() call may span queued bytes
  // and stream bytes.
  void queue_random(Bytes bytes);

  // queue_key_share queues a private value (X25519 scalar, or big-endian
  // NIST scalar) for the next new_key_share(group). Queues are per group and
  // first in, first out. An unusable value makes that new_key_share fail
  // with the base provider's error.
  void queue_key_share(Group group, Bytes private_bytes);

  // record_signature makes every signer from new_signer() answer `signature`
  // when asked to sign exactly `message` (any scheme the key supports).
  // Needed for traces made with randomized schemes (RSA-PSS, ECDSA without
  // RFC 6979). Recording the same message again replaces the signature.
  void record_signature(Bytes message, Bytes signature);

  std::string_view name() const override { return "danger-deterministic"; }

  // random: queued bytes first, then SHA-256(seed || counter) blocks
  // (counter big-endian 64-bit, from 0), via the base provider.
  CStatus random(MutBytes out) const override;
  // new_key_share: a queued private value for `group` if any, else one drawn
  // from random() (redrawn if the base rejects it, e.g. a NIST scalar >= n).
  CResult<std::unique_ptr<KeyShare>> new_key_share(Group group) const override;
  // new_signer: the base signer, wrapped to answer recorded signatures.
  CResult<std::unique_ptr<Signer>> new_signer(const PrivateKeyMaterial& material) const override;
  // generate_key: Ed25519 and ECDSA keys come from random(); RSA keys come
  // from the base and are not reproducible.
  CResult<PrivateKeyMaterial> generate_key(KeyType type, unsigned rsa_bits) const override;

  // Everything else is the base provider's.
  bool supports(HashAlg h) const override { return base_->supports(h); }
  bool supports(AeadAlg a) const override { return base_->supports(a); }
  bool supports(Group g) const override { return base_->supports(g); }
  bool supports_verify(SignatureScheme s) const override { return base_->supports_verify(s); }
  bool supports_signing(KeyType k) const override { return base_->supports_signing(k); }
  CResult<std::unique_ptr<Hash>> new_hash(HashAlg h) const override { return base_->new_hash(h); }
  CResult<std::unique_ptr<Mac>> new_hmac(HashAlg h, Bytes key) const override {
    return base_->new_hmac(h, key);
  }
  CResult<std::unique_ptr<AeadKey>> new_aead(AeadAlg a, Bytes key) const override {
    return base_->new_aead(a, key);
  }
  CResult<std::unique_ptr<KeyShare>> key_share_from_private(Group g, Bytes priv) const override {
    return base_->key_share_from_private(g, priv);
  }
  CStatus verify(SignatureScheme s, const PublicKey& key, Bytes message, Bytes signature) const override {
    return base_->verify(s, key, message, signature);
  }
  CStatus hmac(HashAlg h, Bytes key, Bytes data, MutBytes out) const override {
    return base_->hmac(h, key, data, out);
  }
  CStatus hkdf_extract(HashAlg h, Bytes salt, Bytes ikm, MutBytes out_prk) const override {
    return base_->hkdf_extract(h, salt, ikm, out_prk);
  }
  CStatus hkdf_expand(HashAlg h, Bytes prk, Bytes info, MutBytes out) const override {
    return base_->hkdf_expand(h, prk, info, out);
  }
  CStatus hkdf_expand_several(HashAlg h, Bytes prk, std::span<const HkdfOutput> outputs) const override {
    return base_->hkdf_expand_several(h, prk, outputs);
  }

  // Shared with the signers this provider hands out, so a signature recorded
  // after new_signer() still applies. Public only so signer.cc can name it.
  struct RecordedSignatures {
    std::mutex mu;
    std::map<std::vector<uint8_t>, std::vector<uint8_t>> by_message;
  };

 private:
  // The stream state. random() is const in the interface but advances it,
  // so it is mutable and guarded by mu_ (a Provider must be thread-safe).
  struct Stream {
    std::deque<uint8_t> queued;
    std::map<Group, std::deque<SecretBytes>> queued_key_shares;
    SecretBytes seed;
    uint64_t counter = 0;
    uint8_t block[32] = {};
    size_t block_used = sizeof block;  // no block computed yet
  };

  std::shared_ptr<const Provider> base_;
  mutable std::mutex mu_;
  mutable Stream stream_;
  std::shared_ptr<RecordedSignatures> recorded_;
};

// make_danger_deterministic_provider is a convenience factory returning a
// shared_ptr, since tests usually keep a handle to queue values while a
// Context holds the provider.
std::shared_ptr<DangerDeterministicProvider> make_danger_deterministic_provider(
    std::shared_ptr<const Provider> base, Bytes seed);

}  // namespace sluice::crypto
