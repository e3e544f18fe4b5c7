// Arithmetic modulo p = 2^255 - 19 in five 51-bit limbs (radix 2^51),
// one element at a time: what the X25519 code needs around its ladders
// (Edwards-to-Montgomery maps, the final inversion, the byte encodings).
//
// Products are in unsigned __int128; 2^255 = 19 mod p folds the high limbs
// back. Limbs stay below 2^52 between operations, so the sums of five
// products below stay under 2^115. Every function runs the same steps
// whatever the values.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>

namespace sluice::crypto::fe51 {

using u128 = unsigned __int128;
constexpr uint64_t kMask51 = (uint64_t{1} << 51) - 1;

struct Fe {
  uint64_t v[5];
};

// carry brings every limb below 2^51 (limb 0 may keep a small excess from
// the 19 * carry fold, which the next operation absorbs).
inline void carry(Fe& f) {
  for (int i = 0; i < 4; ++i) {
    f.v[i + 1] += f.v[i] >> 51;
    f.v[i] &= kMask51;
  }
  f.v[0] += 19 * (f.v[4] >> 51);
  f.v[4] &= kMask51;
}

inline Fe add(const Fe& a, const Fe& b) {
  Fe r;
  for (int i = 0; i < 5; ++i) r.v[i] = a.v[i] + b.v[i];
  carry(r);
  return r;
}

// sub adds 2p first so that no limb goes negative, which needs b's limb 0
// at most 2^52 - 38 and the others at most 2^52 - 2 (2p's limbs); carried
// values are far below that.
inline Fe sub(const Fe& a, const Fe& b) {
  constexpr uint64_t kTwoP0 = 2 * ((uint64_t{1} << 51) - 19), kTwoPi = 2 * kMask51;
  Fe r;
  r.v[0] = a.v[0] + kTwoP0 - b.v[0];
  for (int i = 1; i < 5; ++i) r.v[i] = a.v[i] + kTwoPi - b.v[i];
  carry(r);
  return r;
}

// reduce carries five 128-bit column sums into limbs below 2^51 (limb 1
// may keep a small excess), folding 2^255 back as 19.
inline Fe reduce(u128 r0, u128 r1, u128 r2, u128 r3, u128 r4) {
  Fe out;
  r1 += static_cast<uint64_t>(r0 >> 51);
  out.v[0] = static_cast<uint64_t>(r0) & kMask51;
  r2 += static_cast<uint64_t>(r1 >> 51);
  out.v[1] = static_cast<uint64_t>(r1) & kMask51;
  r3 += static_cast<uint64_t>(r2 >> 51);
  out.v[2] = static_cast<uint64_t>(r2) & kMask51;
  r4 += static_cast<uint64_t>(r3 >> 51);
  out.v[3] = static_cast<uint64_t>(r3) & kMask51;
  const uint64_t top = static_cast<uint64_t>(r4 >> 51);
  out.v[4] = static_cast<uint64_t>(r4) & kMask51;
  out.v[0] += top * 19;
  out.v[1] += out.v[0] >> 51;
  out.v[0] &= kMask51;
  return out;
}

inline u128 mul_wide(uint64_t a, uint64_t b) { return static_cast<u128>(a) * b; }

// mul: limb i times limb j lands at i + j; from 5 on it wraps to i + j - 5
// times 19.
inline Fe mul(const Fe& a, const Fe& b) {
  const uint64_t b1 = 19 * b.v[1], b2 = 19 * b.v[2], b3 = 19 * b.v[3], b4 = 19 * b.v[4];
  const uint64_t* x = a.v;
  const uint64_t* y = b.v;
  return reduce(
      mul_wide(x[0], y[0]) + mul_wide(x[1], b4) + mul_wide(x[2], b3) + mul_wide(x[3], b2) + mul_wide(x[4], b1),
      mul_wide(x[0], y[1]) + mul_wide(x[1], y[0]) + mul_wide(x[2], b4) + mul_wide(x[3], b3) + mul_wide(x[4], b2),
      mul_wide(x[0], y[2]) + mul_wide(x[1], y[1]) + mul_wide(x[2], y[0]) + mul_wide(x[3], b4) + mul_wide(x[4], b3),
      mul_wide(x[0], y[3]) + mul_wide(x[1], y[2]) + mul_wide(x[2], y[1]) + mul_wide(x[3], y[0]) + mul_wide(x[4], b4),
      mul_wide(x[0], y[4]) + mul_wide(x[1], y[3]) + mul_wide(x[2], y[2]) + mul_wide(x[3], y[1]) + mul_wide(x[4], y[0]));
}

// square is mul(a, a) with the symmetric products taken once, doubled;
// the inversion is almost all squarings.
inline Fe square(const Fe& a) {
  const uint64_t* x = a.v;
  const uint64_t d0 = 2 * x[0], d1 = 2 * x[1];
  const uint64_t x3_19 = 19 * x[3], x4_19 = 19 * x[4], d4_19 = 2 * x4_19;
  return reduce(mul_wide(x[0], x[0]) + mul_wide(d1, x4_19) + mul_wide(2 * x[2], x3_19),
                mul_wide(d0, x[1]) + mul_wide(2 * x[2], x4_19) + mul_wide(x[3], x3_19),
                mul_wide(d0, x[2]) + mul_wide(x[1], x[1]) + mul_wide(x[3], d4_19),
                mul_wide(d0, x[3]) + mul_wide(d1, x[2]) + mul_wide(x[4], x4_19),
                mul_wide(d0, x[4]) + mul_wide(d1, x[3]) + mul_wide(x[2], x[2]));
}

inline Fe square_n(Fe a, int n) {
  for (int i = 0; i < n; ++i) a = square(a);
  return a;
}

// invert is z^(p-2) = z^(2^255 - 21) by the usual addition chain; 0 maps
// to 0.
inline Fe invert(const Fe& z) {
  const Fe z2 = square(z);
  const Fe z9 = mul(square_n(z2, 2), z);
  const Fe z11 = mul(z9, z2);
  const Fe z_5_0 = mul(square(z11), z9);  // z^(2^5 - 1)
  const Fe z_10_0 = mul(square_n(z_5_0, 5), z_5_0);
  const Fe z_20_0 = mul(square_n(z_10_0, 10), z_10_0);
  const Fe z_40_0 = mul(square_n(z_20_0, 20), z_20_0);
  const Fe z_50_0 = mul(square_n(z_40_0, 10), z_10_0);
  const Fe z_100_0 = mul(square_n(z_50_0, 50), z_50_0);
  const Fe z_200_0 = mul(square_n(z_100_0, 100), z_100_0);
  const Fe z_250_0 = mul(square_n(z_200_0, 50), z_50_0);
  return mul(square_n(z_250_0, 5), z11);  // z^(2^255 - 32 + 11)
}

inline uint64_t load64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// from_bytes reads 255 bits little-endian; the top bit is ignored.
inline Fe from_bytes(std::span<const uint8_t, 32> s) {
  const uint64_t w0 = load64(s.data()), w1 = load64(s.data() + 8), w2 = load64(s.data() + 16),
                 w3 = load64(s.data() + 24) & ~(uint64_t{1} << 63);
  return Fe{{w0 & kMask51, ((w0 >> 51) | (w1 << 13)) & kMask51, ((w1 >> 38) | (w2 << 26)) & kMask51,
             ((w2 >> 25) | (w3 << 39)) & kMask51, w3 >> 12}};
}

// to_bytes writes the canonical encoding (the value reduced below p).
inline void to_bytes(Fe f, std::span<uint8_t, 32> out) {
  carry(f);
  carry(f);
  // Now f < 2^255 + small; q = 1 exactly when f >= p, found by adding 19
  // and seeing whether bit 255 is reached.
  uint64_t q = (f.v[0] + 19) >> 51;
  for (int i = 1; i < 5; ++i) q = (f.v[i] + q) >> 51;
  f.v[0] += 19 * q;
  for (int i = 0; i < 4; ++i) {
    f.v[i + 1] += f.v[i] >> 51;
    f.v[i] &= kMask51;
  }
  f.v[4] &= kMask51;  // drops the 2^255 that subtracting p leaves
  const uint64_t w[4] = {f.v[0] | (f.v[1] << 51), (f.v[1] >> 13) | (f.v[2] << 38), (f.v[2] >> 26) | (f.v[3] << 25),
                         (f.v[3] >> 39) | (f.v[4] << 12)};
  for (int i = 0; i < 32; ++i) out[i] = static_cast<uint8_t>(w[i / 8] >> (8 * (i % 8)));
}

// clamp is RFC 7748 §5's decodeScalar25519: the three low bits and the
// top bit cleared, bit 254 set.
inline std::array<uint8_t, 32> clamp(std::span<const uint8_t, 32> scalar) {
  std::array<uint8_t, 32> k;
  std::copy(scalar.begin(), scalar.end(), k.begin());
  k[0] &= 248;
  k[31] &= 127;
  k[31] |= 64;
  return k;
}

}  // namespace sluice::crypto::fe51
