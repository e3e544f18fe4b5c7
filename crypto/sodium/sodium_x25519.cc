// X25519 key shares (RFC 7748 §5, §6.1) over crypto_scalarmult.
#include <sodium.h>

#include <array>
#include <memory>

#include "crypto/sodium/internal.h"
#include "crypto/sodium/x25519_base.h"
#include "crypto/system_random.h"

namespace sluice::crypto::sodium_internal {
namespace {

constexpr size_t kX25519Len = crypto_scalarmult_curve25519_BYTES;  // 32

class X25519Share final : public KeyShare {
 public:
  explicit X25519Share(SecretBytes priv) : priv_(std::move(priv)) {}

  // init derives the public value; false if libsodium refuses the scalar.
  // The Ed25519 table (x25519_base.h) is faster than the ladder behind
  // crypto_scalarmult_base, which stays as the fallback.
  bool init() {
    const std::span<const uint8_t, kX25519Len> scalar(priv_.data(), kX25519Len);
    if (x25519_public_from_edwards(scalar, public_)) return true;
    return crypto_scalarmult_base(public_.data(), priv_.data()) == 0;
  }

  Group group() const override { return Group::kX25519; }
  Bytes public_key() const override { return public_; }

  CResult<SecretBytes> agree(Bytes peer_public) override {
    if (peer_public.size() != kX25519Len) return Err(CryptoError::kInvalidPeerPublic);
    SecretBytes shared(kX25519Len);
    // crypto_scalarmult returns -1 when the result is all zeros (a
    // low-order peer point); RFC 8446 §7.4.2 says to abort then.
    if (crypto_scalarmult(shared.data(), priv_.data(), peer_public.data()) != 0) {
      return Err(CryptoError::kInvalidPeerPublic);
    }
    return shared;
  }

 private:
  SecretBytes priv_;
  std::array<uint8_t, kX25519Len> public_{};
};

}  // namespace

CResult<std::unique_ptr<KeyShare>> new_x25519_share(Bytes priv) {
  SecretBytes scalar(kX25519Len);
  if (priv.empty()) {
    SLUICE_TRY(system_random(scalar.span()));
  } else if (priv.size() == kX25519Len) {
    scalar.assign(priv);
  } else {
    return Err(CryptoError::kInvalidKey);
  }
  auto share = std::make_unique<X25519Share>(std::move(scalar));
  if (!share->init()) return Err(CryptoError::kInvalidKey);
  return std::unique_ptr<KeyShare>(std::move(share));
}

}  // namespace sluice::crypto::sodium_internal
