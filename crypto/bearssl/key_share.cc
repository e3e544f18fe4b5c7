// Ephemeral key shares: X25519 (RFC 7748) and ECDH on P-256 / P-384 / P-521
// (RFC 8446 §4.2.8.2: uncompressed points, the shared secret is X, padded
// to the field size: 66 bytes for P-521).
#include <algorithm>
#include <array>

#include "crypto/bearssl/internal.h"
#include "crypto/system_random.h"

namespace sluice::crypto::bearssl {
namespace {

constexpr size_t kX25519Len = 32;
constexpr size_t kMaxPointLen = kMaxEcPointLen;
// Rejection sampling of a NIST scalar (its top byte masked to the order's
// bit length, see top_byte_mask) fails with probability < 2^-32 per try for
// P-256 and far less for P-384 and P-521; a bound keeps a broken RNG from
// looping.
constexpr int kMaxScalarTries = 64;

// top_byte_mask keeps the bits of a scalar's first byte that the group
// order can have: P-521's order is 521 bits in 66 bytes, so without the mask
// 127 in 128 random values would exceed it.
uint8_t top_byte_mask(const Curve& c) {
  size_t order_len = 0;
  const uint8_t* order = c.impl->order(c.id, &order_len);
  uint8_t mask = 0;
  for (uint8_t top = order_len ? order[0] : 0xff; top != 0; top >>= 1) mask = static_cast<uint8_t>(mask << 1 | 1);
  return mask;
}

// copy_scalar keeps the RFC 7748 byte string as is: BearSSL's Curve25519
// code reads it little-endian and clamps it inside mul/mulgen (unlike its
// NIST curves, which take big-endian scalars). The RFC 7748 §5.2 and §6.1
// vectors in the unit test pin this down.
std::array<uint8_t, kX25519Len> copy_scalar(Bytes k) {
  std::array<uint8_t, kX25519Len> out{};
  std::copy(k.begin(), k.end(), out.begin());
  return out;
}

class X25519Share final : public KeyShare {
 public:
  explicit X25519Share(Bytes priv) : scalar_(copy_scalar(priv)) {
    const br_ec_impl* ec = impls().x25519;
    ec->mulgen(public_.data(), scalar_.data(), scalar_.size(), BR_EC_curve25519);
  }
  ~X25519Share() override { wipe(scalar_); }

  Group group() const override { return Group::kX25519; }
  Bytes public_key() const override { return public_; }

  CResult<SecretBytes> agree(Bytes peer) override {
    if (peer.size() != kX25519Len) return Err(CryptoError::kInvalidPeerPublic);
    SecretBytes out(peer);
    const br_ec_impl* ec = impls().x25519;
    if (ec->mul(out.data(), out.size(), scalar_.data(), scalar_.size(), BR_EC_curve25519) != 1) {
      return Err(CryptoError::kInvalidPeerPublic);
    }
    // RFC 7748 §6.1 / RFC 8446 §7.4.2: an all-zero output means the peer
    // sent a low-order point; check it without branching on secret bytes.
    uint8_t acc = 0;
    for (uint8_t b : out.span()) acc |= b;
    if (acc == 0) return Err(CryptoError::kInvalidPeerPublic);
    return out;
  }

 private:
  std::array<uint8_t, kX25519Len> scalar_;
  std::array<uint8_t, kX25519Len> public_{};
};

class EcdhShare final : public KeyShare {
 public:
  EcdhShare(Group g, Bytes priv) : group_(g), curve_(curve_for(g)), scalar_(priv) {
    public_len_ = curve_.impl->mulgen(public_.data(), scalar_.data(), scalar_.size(), curve_.id);
  }

  Group group() const override { return group_; }
  Bytes public_key() const override { return Bytes(public_.data(), public_len_); }

  CResult<SecretBytes> agree(Bytes peer) override {
    // RFC 8446 §4.2.8.2: only the uncompressed form, exactly 1 + 2 * len.
    if (peer.size() != curve_.point_len || peer[0] != 0x04) {
      return Err(CryptoError::kInvalidPeerPublic);
    }
    std::array<uint8_t, kMaxPointLen> point{};
    std::copy(peer.begin(), peer.end(), point.begin());
    // mul validates the point (on the curve, not infinity) and returns 0
    // otherwise; the product of a valid point by a scalar in [1, n-1] of a
    // prime-order curve is never infinity.
    if (curve_.impl->mul(point.data(), peer.size(), scalar_.data(), scalar_.size(), curve_.id) !=
        1) {
      return Err(CryptoError::kInvalidPeerPublic);
    }
    size_t x_len = 0;
    const size_t x_off = curve_.impl->xoff(curve_.id, &x_len);
    SecretBytes out(Bytes(point.data() + x_off, x_len));
    wipe(point);
    return out;
  }

 private:
  Group group_;
  Curve curve_;
  SecretBytes scalar_;
  std::array<uint8_t, kMaxPointLen> public_{};
  size_t public_len_ = 0;
};

}  // namespace

Curve curve_for(Group g) {
  if (g == Group::kSecp384r1) return Curve{BR_EC_secp384r1, 48, 97, impls().p384};
  if (g == Group::kSecp521r1) return Curve{BR_EC_secp521r1, 66, 133, impls().p521};
  return Curve{BR_EC_secp256r1, 32, 65, impls().p256};
}

Curve curve_for(KeyType t) {
  if (t == KeyType::kEcdsaP384) return curve_for(Group::kSecp384r1);
  if (t == KeyType::kEcdsaP521) return curve_for(Group::kSecp521r1);
  return curve_for(Group::kSecp256r1);
}

bool scalar_in_range(const Curve& c, Bytes scalar) {
  if (scalar.size() != c.scalar_len) return false;
  size_t order_len = 0;
  const uint8_t* order = c.impl->order(c.id, &order_len);
  if (order_len != c.scalar_len) return false;
  // Constant-time: borrow of (scalar - order) is 1 iff scalar < order, and
  // the OR of all bytes is zero iff scalar == 0.
  uint32_t borrow = 0;
  uint32_t nonzero = 0;
  for (size_t i = scalar.size(); i-- > 0;) {
    uint32_t d = uint32_t{scalar[i]} - order[i] - borrow;
    borrow = (d >> 31) & 1;
    nonzero |= scalar[i];
  }
  return borrow == 1 && nonzero != 0;
}

bool valid_point(const Curve& c, Bytes p) {
  if (p.size() != c.point_len || p[0] != 0x04) return false;
  std::array<uint8_t, kMaxPointLen> buf{};
  std::copy(p.begin(), p.end(), buf.begin());
  // Multiplying by 1 runs BearSSL's point decoding, which checks the
  // equation; there is no separate "validate" entry point.
  const uint8_t one = 1;
  return c.impl->mul(buf.data(), p.size(), &one, 1, c.id) == 1;
}

CResult<std::unique_ptr<KeyShare>> key_share_from_private(Group g, Bytes priv) {
  switch (g) {
    case Group::kX25519:
      // Any 32 bytes are a valid X25519 scalar (RFC 7748 §5 clamps them).
      if (priv.size() != kX25519Len) return Err(CryptoError::kInvalidKey);
      return std::unique_ptr<KeyShare>(std::make_unique<X25519Share>(priv));
    case Group::kSecp256r1:
    case Group::kSecp384r1:
    case Group::kSecp521r1: {
      // Accept the scalar with extra leading zeros or without padding (test
      // vectors carry both), then range-check the fixed-width form.
      const Curve c = curve_for(g);
      Bytes digits = strip_zeros(priv);
      if (digits.size() > c.scalar_len) return Err(CryptoError::kInvalidKey);
      SecretBytes fixed(c.scalar_len);
      std::copy(digits.begin(), digits.end(), fixed.data() + (c.scalar_len - digits.size()));
      if (!scalar_in_range(c, fixed)) return Err(CryptoError::kInvalidKey);
      return std::unique_ptr<KeyShare>(std::make_unique<EcdhShare>(g, fixed));
    }
  }
  return Err(CryptoError::kUnsupported);
}

CResult<std::unique_ptr<KeyShare>> new_key_share(Group g) {
  std::array<uint8_t, kMaxEcScalarLen> buf{};
  if (g != Group::kX25519 && g != Group::kSecp256r1 && g != Group::kSecp384r1 &&
      g != Group::kSecp521r1) {
    return Err(CryptoError::kUnsupported);
  }
  const bool nist = g != Group::kX25519;
  const size_t len = nist ? curve_for(g).scalar_len : kX25519Len;
  const uint8_t mask = nist ? top_byte_mask(curve_for(g)) : uint8_t{0xff};
  MutBytes scalar(buf.data(), len);
  for (int i = 0; i < kMaxScalarTries; ++i) {
    SLUICE_TRY(system_random(scalar));
    scalar[0] &= mask;
    auto share = key_share_from_private(g, scalar);
    if (share.ok()) {
      wipe(buf);
      return share;
    }
  }
  wipe(buf);
  return Err(CryptoError::kRandomFailed);
}

}  // namespace sluice::crypto::bearssl
