// X25519 (RFC 7748 §5) with the Montgomery ladder on AVX-512 IFMA, four
// field multiplications at a time.
//
// Each ladder step is ten multiplications in three rounds that depend on
// one another: [A², B², D·A, C·B], then [(DA+CB)², (DA−CB)², AA·BB,
// E·(AA + a24·E)], then u·(DA−CB)². Each round is one four-lane
// multiplication (vpmadd52luq/vpmadd52huq on 256-bit vectors), so a step
// costs about three multiplications' latency instead of ten. On the Zen 4
// benchmark machine an agreement takes about 60% of the time of
// libsodium's AVX ladder (docs/benchmarks.md). The conditional swap is a
// data-independent lane permutation whose index vector is computed from
// the scalar bit.
#pragma once

#include <cstdint>
#include <span>

namespace sluice::crypto::x25519 {

// ifma_available says whether this CPU and OS run AVX-512 IFMA on 256-bit
// vectors (AVX512IFMA and AVX512VL, with the AVX-512 state enabled).
bool ifma_available();

// x25519_ifma writes X25519(scalar, u) to `out`: the scalar clamped, the
// top bit of u ignored and u taken mod p, as RFC 7748 §5 says. False when
// the result is all zeros (u of small order), which RFC 8446 §7.4.2 makes
// an error. Call only where ifma_available().
bool x25519_ifma(std::span<uint8_t, 32> out, std::span<const uint8_t, 32> scalar, std::span<const uint8_t, 32> u);

// x25519_base_ifma writes X25519(scalar, 9), the public value for
// `scalar`, as [clamp(scalar)]B on Edwards25519 mapped to u = (1 + y) /
// (1 - y) (RFC 7748 §4.1: the base points correspond). It uses a table of
// multiples of B (40 KB, built on first use) and costs about a third of the
// ladder. Call only where ifma_available().
void x25519_base_ifma(std::span<uint8_t, 32> out, std::span<const uint8_t, 32> scalar);

}  // namespace sluice::crypto::x25519
