// DangerFuzzingProvider: FOR FUZZING ONLY. Every cryptographic check passes
// for any well-formed input, so a fuzzer that mutates a recorded handshake
// reaches the code behind the checks instead of stopping at the first MAC.
// A TLS stack using it has no security at all; the name says so on purpose
// (STYLE.md practice 15) and the Bazel target is testonly.
//
// What each primitive does:
//   hashes     real (from `base`): the transcript hash stays meaningful and
//              costs little.
//   HMAC/HKDF  constant output (kDangerFuzzingMacByte repeated). Finished is
//              HMAC(finished_key, transcript_hash), which depends on every
//              fuzzed byte before it; with a real HMAC a mutated flight could
//              never carry a valid Finished and the fuzzer would stop there.
//              With a constant one the recorded Finished stays valid whatever
//              the fuzzer changes earlier, and the post-handshake machine
//              (NewSessionTicket, KeyUpdate, application data, close) is
//              reached. All traffic keys become equal, which is harmless here.
//   AEAD       plaintext is copied through unchanged and the tag is 16 bytes
//              of kDangerFuzzingTagByte; open() checks that tag, so the
//              bad_record_mac path stays reachable with one byte flip.
//   key shares public values are fixed, correctly sized encodings; agree()
//              accepts any peer value of the right length and form (0x04
//              prefix for the NIST curves) and returns a fixed secret.
//   signatures verify() accepts anything; signers return a fixed,
//              correctly shaped signature.
//   randomness a splitmix64 stream from a fixed seed, per provider object:
//              make a fresh provider per fuzz input for reproducibility.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>

#include "crypto/provider.h"

namespace sluice::crypto {

inline constexpr uint8_t kDangerFuzzingMacByte = 0x4d;
inline constexpr uint8_t kDangerFuzzingTagByte = 0x7a;
inline constexpr uint8_t kDangerFuzzingSecretByte = 0x5e;

class DangerFuzzingProvider final : public Provider {
 public:
  // `base` supplies the hash functions (SHA-256/384/512) and nothing else.
  // `seed` picks the random stream.
  explicit DangerFuzzingProvider(std::shared_ptr<const Provider> base, uint64_t seed = 0);

  std::string_view name() const override { return "danger-fuzzing"; }

  bool supports(HashAlg h) const override { return base_->supports(h); }
  bool supports(AeadAlg) const override { return true; }
  bool supports(Group) const override { return true; }
  bool supports_verify(SignatureScheme) const override { return true; }
  bool supports_signing(KeyType) const override { return true; }

  CResult<std::unique_ptr<Hash>> new_hash(HashAlg h) const override { return base_->new_hash(h); }
  // new_hmac: a Mac whose tag is always kDangerFuzzingMacByte repeated.
  CResult<std::unique_ptr<Mac>> new_hmac(HashAlg h, Bytes key) const override;
  // new_aead: the pass-through AEAD (key length still checked).
  CResult<std::unique_ptr<AeadKey>> new_aead(AeadAlg a, Bytes key) const override;
  CResult<std::unique_ptr<KeyShare>> new_key_share(Group g) const override;
  CResult<std::unique_ptr<KeyShare>> key_share_from_private(Group g, Bytes priv) const override;
  // verify accepts every signature.
  CStatus verify(SignatureScheme, const PublicKey&, Bytes, Bytes) const override { return {}; }
  CResult<std::unique_ptr<Signer>> new_signer(const PrivateKeyMaterial& material) const override;
  // generate_key: the secret comes from random(); the public key is a fixed,
  // correctly sized value (RSA: a fixed 2048-bit modulus whatever rsa_bits).
  CResult<PrivateKeyMaterial> generate_key(KeyType type, unsigned rsa_bits) const override;
  CStatus random(MutBytes out) const override;

  // HMAC and HKDF: constant outputs, without going through new_hmac.
  CStatus hmac(HashAlg h, Bytes key, Bytes data, MutBytes out) const override;
  CStatus hkdf_extract(HashAlg h, Bytes salt, Bytes ikm, MutBytes out_prk) const override;
  CStatus hkdf_expand(HashAlg h, Bytes prk, Bytes info, MutBytes out) const override;

 private:
  std::shared_ptr<const Provider> base_;
  // random() is const in the interface but advances the stream; a Provider
  // must be thread-safe, so the state is guarded.
  mutable std::mutex mu_;
  mutable uint64_t state_;
};

// make_danger_fuzzing_provider is a convenience factory.
std::shared_ptr<DangerFuzzingProvider> make_danger_fuzzing_provider(std::shared_ptr<const Provider> base,
                                                                    uint64_t seed = 0);

// danger_fuzzing_public_key is the fixed public key of `type` that this
// provider's signers and generated keys carry.
PublicKey danger_fuzzing_public_key(KeyType type);

}  // namespace sluice::crypto
