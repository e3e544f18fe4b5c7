// X25519 public keys from libsodium's Ed25519 fixed-base table.
//
// libsodium 1.0.18 computes crypto_scalarmult_base with the same Montgomery
// ladder as a variable-base X25519 (its AVX "sandy2x" code has no table), so
// a key share cost two full ladders. Its Ed25519 base multiplication uses a
// precomputed table: with the map below (one field inversion, about a
// fifth of the total), a public value takes 40 µs instead of the ladder's
// 47 µs on the benchmark machine (docs/benchmarks.md). Curve25519 and
// Ed25519 are birationally equivalent (RFC 7748 §4.1): the Edwards point
// [k]B with y coordinate y is the Montgomery point [k]P with
// u = (1 + y) / (1 - y), and the base points correspond, so
// X25519(k, 9) = u([k]B).
#pragma once

#include <cstdint>
#include <span>

namespace sluice::crypto::sodium_internal {

// x25519_public_from_edwards writes X25519(scalar, 9) to `out`, computing
// [clamp(scalar)]B on Ed25519 and mapping it to u. False if libsodium
// refuses the scalar (the caller then uses crypto_scalarmult_base).
bool x25519_public_from_edwards(std::span<const uint8_t, 32> scalar, std::span<uint8_t, 32> out);

// montgomery_u_from_edwards_y maps an encoded Ed25519 point (y, with the
// sign of x in the top bit, which the map does not need) to the encoded
// Montgomery u = (1 + y) / (1 - y) mod 2^255 - 19. Constant time. Exposed
// for tests.
void montgomery_u_from_edwards_y(std::span<const uint8_t, 32> edwards, std::span<uint8_t, 32> out);

}  // namespace sluice::crypto::sodium_internal
