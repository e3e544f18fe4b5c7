#include "crypto/sodium/x25519_base.h"

#include <sodium.h>

#include <algorithm>
#include <array>

#include "crypto/x25519/fe51.h"

namespace sluice::crypto::sodium_internal {

using fe51::Fe;

void montgomery_u_from_edwards_y(std::span<const uint8_t, 32> edwards, std::span<uint8_t, 32> out) {
  const Fe y = fe51::from_bytes(edwards);
  const Fe one{{1, 0, 0, 0, 0}};
  fe51::to_bytes(fe51::mul(fe51::add(one, y), fe51::invert(fe51::sub(one, y))), out);
}

bool x25519_public_from_edwards(std::span<const uint8_t, 32> scalar, std::span<uint8_t, 32> out) {
  // Clamped as X25519 clamps; libsodium's _noclamp then multiplies by
  // exactly this scalar.
  std::array<uint8_t, 32> k = fe51::clamp(scalar);
  std::array<uint8_t, 32> edwards;
  const bool ok = crypto_scalarmult_ed25519_base_noclamp(edwards.data(), k.data()) == 0;
  sodium_memzero(k.data(), k.size());
  if (!ok) return false;
  montgomery_u_from_edwards_y(edwards, out);
  sodium_memzero(edwards.data(), edwards.size());
  return true;
}

}  // namespace sluice::crypto::sodium_internal
