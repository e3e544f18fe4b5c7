// HPKE (RFC 9180) in base mode, built from a Provider's primitives: the one
// public-key encryption Encrypted Client Hello needs. Only the KEM that ECH
// deployments use, DHKEM(X25519, HKDF-SHA256); the KDF and AEAD are any the
// provider supports.
#pragma once

#include <cstdint>
#include <array>
#include <memory>
#include <optional>
#include <vector>

#include "base/secret.h"
#include "crypto/provider.h"

namespace sluice::crypto {

// RFC 9180 §7 identifiers.
inline constexpr uint16_t kHpkeKemX25519Sha256 = 0x0020;
inline constexpr uint16_t kHpkeKdfSha256 = 0x0001, kHpkeKdfSha384 = 0x0002, kHpkeKdfSha512 = 0x0003;
inline constexpr uint16_t kHpkeAeadAes128Gcm = 0x0001, kHpkeAeadAes256Gcm = 0x0002,
                          kHpkeAeadChaCha20Poly1305 = 0x0003;

// An HPKE symmetric suite: a KDF and an AEAD.
struct HpkeSuite {
  uint16_t kdf = kHpkeKdfSha256;
  uint16_t aead = kHpkeAeadAes128Gcm;
  friend bool operator==(const HpkeSuite&, const HpkeSuite&) = default;
};

// hpke_supported: `provider` has the KDF's hash and the AEAD.
bool hpke_supported(const Provider& provider, HpkeSuite suite);

// HpkeContext is one side of an HPKE context: each seal (or open) uses the
// next nonce, so a sender's k-th message opens as the recipient's k-th.
class HpkeContext {
 public:
  // seal encrypts `plaintext` with `aad`; the ciphertext and its 16-byte tag
  // are appended to `out`.
  CStatus seal(Bytes aad, Bytes plaintext, std::vector<uint8_t>& out);
  // open checks and decrypts `ciphertext` (tag included) into `out`
  // (replaced). kAuthFailed on a bad tag; the sequence advances only on
  // success.
  CStatus open(Bytes aad, Bytes ciphertext, std::vector<uint8_t>& out);

 private:
  friend class HpkeSetup;
  // nonce is base_nonce XOR the sequence number (RFC 9180 §5.2).
  std::array<uint8_t, kAeadNonceLen> nonce() const;
  std::unique_ptr<AeadKey> key_;
  std::array<uint8_t, kAeadNonceLen> base_nonce_{};
  uint64_t seq_ = 0;
};

// What SetupBaseS gives the sender: the encapsulated key to send, and the
// context.
struct HpkeSender {
  std::vector<uint8_t> enc;
  HpkeContext context;
};

class HpkeSetup {
 public:
  // sender is SetupBaseS(pkR, info) with a fresh ephemeral key from the
  // provider's RNG (RFC 9180 §5.1.1).
  static CResult<HpkeSender> sender(const Provider& provider, uint16_t kem, HpkeSuite suite, Bytes recipient_public,
                                    Bytes info);
  // sender_with_ephemeral is the same with a given ephemeral private key
  // (the known-answer tests of RFC 9180 Appendix A).
  static CResult<HpkeSender> sender_with_ephemeral(const Provider& provider, uint16_t kem, HpkeSuite suite,
                                                   Bytes recipient_public, Bytes info, Bytes ephemeral_private);
  // recipient is SetupBaseR(enc, skR, info). kInvalidPeerPublic for an
  // `enc` that is not a public key of the KEM.
  static CResult<HpkeContext> recipient(const Provider& provider, uint16_t kem, HpkeSuite suite,
                                        Bytes recipient_private, Bytes enc, Bytes info);

 private:
  static CResult<HpkeSender> encap(const Provider& p, uint16_t kem, HpkeSuite suite, Bytes recipient_public,
                                   Bytes info, std::unique_ptr<KeyShare> ephemeral);
  // key_schedule is RFC 9180 §5.1 in base mode (no PSK).
  static CResult<HpkeContext> key_schedule(const Provider& p, uint16_t kem, HpkeSuite suite, Bytes shared, Bytes info);
};

// hpke_public_key derives the KEM public key of a private key (for checking
// a configured ECH key pair).
CResult<std::vector<uint8_t>> hpke_public_key(const Provider& provider, uint16_t kem, Bytes private_key);

}  // namespace sluice::crypto
