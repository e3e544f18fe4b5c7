#include "crypto/x25519/x25519_provider.h"

#include <array>

#include "base/secret.h"
#include "crypto/narrow_provider.h"
#include "crypto/system_random.h"
#include "crypto/x25519/x25519_ifma.h"

namespace sluice::crypto {
namespace {

constexpr size_t kX25519Len = 32;

class X25519IfmaShare final : public KeyShare {
 public:
  // The scalar is taken as given; x25519_ifma clamps a copy.
  explicit X25519IfmaShare(SecretBytes scalar) : scalar_(std::move(scalar)) {
    x25519::x25519_base_ifma(public_, std::span<const uint8_t, kX25519Len>(scalar_.data(), kX25519Len));
  }

  Group group() const override { return Group::kX25519; }
  Bytes public_key() const override { return public_; }

  CResult<SecretBytes> agree(Bytes peer_public) override {
    if (peer_public.size() != kX25519Len) return Err(CryptoError::kInvalidPeerPublic);
    SecretBytes shared(kX25519Len);
    // An all-zero result means a small-order peer point; RFC 8446 §7.4.2
    // says to abort.
    if (!x25519::x25519_ifma(std::span<uint8_t, kX25519Len>(shared.data(), kX25519Len),
                             std::span<const uint8_t, kX25519Len>(scalar_.data(), kX25519Len),
                             std::span<const uint8_t, kX25519Len>(peer_public.data(), kX25519Len))) {
      return Err(CryptoError::kInvalidPeerPublic);
    }
    return shared;
  }

 private:
  SecretBytes scalar_;
  std::array<uint8_t, kX25519Len> public_{};
};

class X25519IfmaProvider final : public NarrowProvider {
 public:
  std::string_view name() const override { return "x25519-ifma"; }

  bool supports(Group g) const override { return g == Group::kX25519; }

  CResult<std::unique_ptr<KeyShare>> new_key_share(Group g) const override {
    if (g != Group::kX25519) return Err(CryptoError::kUnsupported);
    SecretBytes scalar(kX25519Len);
    SLUICE_TRY(system_random(scalar.span()));
    return std::unique_ptr<KeyShare>(std::make_unique<X25519IfmaShare>(std::move(scalar)));
  }
  CResult<std::unique_ptr<KeyShare>> key_share_from_private(Group g, Bytes priv) const override {
    if (g != Group::kX25519) return Err(CryptoError::kUnsupported);
    if (priv.size() != kX25519Len) return Err(CryptoError::kInvalidKey);
    return std::unique_ptr<KeyShare>(std::make_unique<X25519IfmaShare>(SecretBytes(priv)));
  }
};

}  // namespace

std::unique_ptr<Provider> make_x25519_ifma_provider() {
  if (!x25519::ifma_available()) return nullptr;
  return std::make_unique<X25519IfmaProvider>();
}

}  // namespace sluice::crypto
