// Four field elements mod 2^255 - 19 at a time on AVX-512 IFMA, for the
// X25519 code (x25519_ifma.h). Only for code that has checked
// ifma_available(): every function is compiled for AVX-512.
//
// A Fe4 holds four field elements in radix 2^51, limb i of all four in one
// 256-bit vector, one element per 64-bit lane. vpmadd52luq/huq read only
// the low 52 bits of each factor, so every limb is brought below 2^52
// before it is multiplied; carry() leaves them below 2^51 + 2^16. The
// 52-bit halves of a limb product (up to 104 bits) do not line up with
// radix 2^51: the high half of limb product (i, j) is twice a unit of
// position i + j + 1. Column sums stay below 2^56 and, with 2^255 = 19
// folded in, below 2^61, so nothing overflows 64 bits.
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "crypto/x25519/fe51.h"

#define SLUICE_IFMA __attribute__((target("avx2,avx512f,avx512vl,avx512ifma")))
// The helpers below must inline into their callers: a call spills every
// vector.
#define SLUICE_IFMA_INLINE SLUICE_IFMA __attribute__((always_inline)) inline

namespace sluice::crypto::fe4 {

struct Fe4 {
  __m256i v[5];
};

// lane(a, b, c, d) sets lanes 0..3 (the order _mm256_set_epi64x reverses).
SLUICE_IFMA_INLINE __m256i lanes(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  return _mm256_set_epi64x(static_cast<long long>(d), static_cast<long long>(c), static_cast<long long>(b),
                           static_cast<long long>(a));
}

SLUICE_IFMA_INLINE __m256i splat(uint64_t x) { return _mm256_set1_epi64x(static_cast<long long>(x)); }

SLUICE_IFMA_INLINE Fe4 pack(const fe51::Fe& a, const fe51::Fe& b, const fe51::Fe& c, const fe51::Fe& d) {
  Fe4 r;
#pragma GCC unroll 5
  for (int i = 0; i < 5; ++i) r.v[i] = lanes(a.v[i], b.v[i], c.v[i], d.v[i]);
  return r;
}

SLUICE_IFMA_INLINE __m256i times19(__m256i x) {
  return _mm256_add_epi64(_mm256_add_epi64(x, _mm256_slli_epi64(x, 1)), _mm256_slli_epi64(x, 4));
}

// carry takes limbs below 2^62 to limbs below 2^51 + 2^16 in one parallel
// pass: each limb keeps its low 51 bits and takes the carry out of the limb
// below; limb 4's carry (below 2^11) wraps to limb 0 times 19.
SLUICE_IFMA_INLINE Fe4 carry(const __m256i (&c)[5]) {
  const __m256i mask = splat(fe51::kMask51);
  Fe4 r;
  r.v[0] = _mm256_madd52lo_epu64(_mm256_and_si256(c[0], mask), _mm256_srli_epi64(c[4], 51), splat(19));
#pragma GCC unroll 5
  for (int i = 1; i < 5; ++i) r.v[i] = _mm256_add_epi64(_mm256_and_si256(c[i], mask), _mm256_srli_epi64(c[i - 1], 51));
  return r;
}

SLUICE_IFMA_INLINE Fe4 add(const Fe4& a, const Fe4& b) {
  __m256i c[5];
#pragma GCC unroll 5
  for (int i = 0; i < 5; ++i) c[i] = _mm256_add_epi64(a.v[i], b.v[i]);
  return carry(c);
}

// negate gives 2p - a in the lanes of the mask and a elsewhere. Every
// limb of 2p is at least 2^52 - 38, above those of a carried value.
SLUICE_IFMA_INLINE Fe4 negate(__mmask8 lanes_to_negate, const Fe4& a) {
  const __m256i two_p0 = splat((uint64_t{1} << 52) - 38), two_pi = splat((uint64_t{1} << 52) - 2);
  Fe4 r;
  r.v[0] = _mm256_mask_sub_epi64(a.v[0], lanes_to_negate, two_p0, a.v[0]);
#pragma GCC unroll 5
  for (int i = 1; i < 5; ++i) r.v[i] = _mm256_mask_sub_epi64(a.v[i], lanes_to_negate, two_pi, a.v[i]);
  return r;
}

// keep zeroes the lanes outside the mask.
SLUICE_IFMA_INLINE Fe4 keep(__mmask8 lanes_to_keep, const Fe4& a) {
  Fe4 r;
#pragma GCC unroll 5
  for (int i = 0; i < 5; ++i) r.v[i] = _mm256_maskz_mov_epi64(lanes_to_keep, a.v[i]);
  return r;
}

// mul multiplies lane by lane. Column k collects the low halves of the limb
// products landing at k and twice the high halves of those landing at
// k - 1; columns 5..9 fold onto 0..4 times 19.
SLUICE_IFMA_INLINE Fe4 mul(const Fe4& a, const Fe4& b) {
  const __m256i zero = _mm256_setzero_si256();
  __m256i lo[9], hi[9];
#pragma GCC unroll 9
  for (int k = 0; k < 9; ++k) lo[k] = hi[k] = zero;
#pragma GCC unroll 5
  for (int i = 0; i < 5; ++i) {
#pragma GCC unroll 5
    for (int j = 0; j < 5; ++j) {
      lo[i + j] = _mm256_madd52lo_epu64(lo[i + j], a.v[i], b.v[j]);
      hi[i + j] = _mm256_madd52hi_epu64(hi[i + j], a.v[i], b.v[j]);
    }
  }
  __m256i col[10];
  col[0] = lo[0];
#pragma GCC unroll 8
  for (int k = 1; k < 9; ++k) col[k] = _mm256_add_epi64(lo[k], _mm256_add_epi64(hi[k - 1], hi[k - 1]));
  col[9] = _mm256_add_epi64(hi[8], hi[8]);
  __m256i folded[5];
#pragma GCC unroll 5
  for (int k = 0; k < 5; ++k) folded[k] = _mm256_add_epi64(col[k], times19(col[k + 5]));
  return carry(folded);
}

// add_mul_small is acc + a * k lane by lane, for k < 2^17 (here a24).
SLUICE_IFMA_INLINE Fe4 add_mul_small(const Fe4& acc, const Fe4& a, uint64_t k) {
  const __m256i zero = _mm256_setzero_si256(), kk = splat(k);
  __m256i lo[5], hi[5], c[5];
#pragma GCC unroll 5
  for (int i = 0; i < 5; ++i) {
    lo[i] = _mm256_madd52lo_epu64(acc.v[i], a.v[i], kk);
    hi[i] = _mm256_madd52hi_epu64(zero, a.v[i], kk);
  }
  c[0] = _mm256_madd52lo_epu64(lo[0], hi[4], splat(2 * 19));
#pragma GCC unroll 5
  for (int i = 1; i < 5; ++i) c[i] = _mm256_add_epi64(lo[i], _mm256_add_epi64(hi[i - 1], hi[i - 1]));
  return carry(c);
}

// permute: lane l of the result is lane index[l] of a. The index may come
// from a secret; vpermq's timing does not depend on it.
SLUICE_IFMA_INLINE Fe4 permute(__m256i index, const Fe4& a) {
  Fe4 r;
#pragma GCC unroll 5
  for (int i = 0; i < 5; ++i) r.v[i] = _mm256_permutexvar_epi64(index, a.v[i]);
  return r;
}

// blend: lane l from b where bit l of the mask is set, else from a.
SLUICE_IFMA_INLINE Fe4 blend(__mmask8 from_b, const Fe4& a, const Fe4& b) {
  Fe4 r;
#pragma GCC unroll 5
  for (int i = 0; i < 5; ++i) r.v[i] = _mm256_mask_blend_epi64(from_b, a.v[i], b.v[i]);
  return r;
}

// unpack returns lane `lane` as one element.
SLUICE_IFMA_INLINE fe51::Fe unpack(const Fe4& a, int lane) {
  fe51::Fe r;
#pragma GCC unroll 5
  for (int i = 0; i < 5; ++i) {
    alignas(32) uint64_t limb[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(limb), a.v[i]);
    r.v[i] = limb[lane];
  }
  return r;
}

}  // namespace sluice::crypto::fe4
