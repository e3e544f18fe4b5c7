#include "crypto/x25519/x25519_ifma.h"

#include <algorithm>
#include <array>

#include "base/secret.h"
#include "crypto/x25519/fe4_ifma.h"
#include "crypto/x25519/fe51.h"

namespace sluice::crypto::x25519 {
namespace {

using namespace fe4;

constexpr uint64_t kA24 = 121665;  // (486662 - 2) / 4, RFC 7748 §5

// ladder_step is one step of RFC 7748 §5's loop on state [x3, z3, x2, z2]
// (lanes 0..3), with the conditional swap folded into the first
// permutation: take_x and take_z pick [x2, x2, x3, x3] and [z2, z2, z3, z3]
// from the state, swapped or not. u_lanes is [1, u, 1, 1].
SLUICE_IFMA_INLINE Fe4 ladder_step(const Fe4& state, const Fe4& u_lanes, __m256i take_x, __m256i take_z) {
  const Fe4 x = permute(take_x, state), z = permute(take_z, state);
  const Fe4 abdc = add(x, negate(0b0110, z));                                     // [A, B, D, C]
  const Fe4 r1 = mul(abdc, permute(lanes(0, 1, 0, 1), abdc));                     // [AA, BB, DA, CB]
  const Fe4 s1 = permute(lanes(2, 2, 0, 0), r1);                                  // [DA, DA, AA, AA]
  const Fe4 s2 = permute(lanes(3, 3, 1, 1), r1);                                  // [CB, CB, BB, BB]
  const Fe4 l = add(s1, negate(0b1010, keep(0b1011, s2)));                        // [DA+CB, DA-CB, AA, E]
  const Fe4 m = blend(0b1000, blend(0b0100, l, s2), add_mul_small(s1, l, kA24));  // [.., .., BB, AA + a24 E]
  const Fe4 r2 = mul(l, m);                                                       // [x3, (DA-CB)^2, x2, z2]
  return mul(r2, u_lanes);                                                        // [x3, z3, x2, z2]
}

SLUICE_IFMA bool ladder(std::span<uint8_t, 32> out, std::span<const uint8_t, 32> scalar,
                        std::span<const uint8_t, 32> u) {
  std::array<uint8_t, 32> k = fe51::clamp(scalar);

  const fe51::Fe x1 = fe51::from_bytes(u), one{{1, 0, 0, 0, 0}}, zero{{0, 0, 0, 0, 0}};
  Fe4 state = pack(x1, one, one, zero);
  const Fe4 u_lanes = pack(one, x1, one, one);
  // Unswapped, x2 and z2 are lanes 2 and 3, x3 and z3 lanes 0 and 1;
  // swapping is index xor 2.
  const __m256i take_x = lanes(2, 2, 0, 0), take_z = lanes(3, 3, 1, 1);
  uint64_t swapped = 0;
  for (int t = 254; t >= 0; --t) {
    const uint64_t bit = (k[t >> 3] >> (t & 7)) & 1;
    const __m256i flip = splat((bit ^ swapped) << 1);
    swapped = bit;
    state = ladder_step(state, u_lanes, _mm256_xor_si256(take_x, flip), _mm256_xor_si256(take_z, flip));
  }
  // x2 and z2 to lanes 0 and 1, undoing the last swap.
  const Fe4 result = permute(_mm256_xor_si256(lanes(2, 3, 0, 0), splat(swapped << 1)), state);
  fe51::Fe x2 = unpack(result, 0), z2 = unpack(result, 1);
  fe51::to_bytes(fe51::mul(x2, fe51::invert(z2)), out);

  uint8_t any = 0;
  for (uint8_t b : out) any |= b;
  wipe(std::span<uint8_t>(k));
  wipe(std::span(reinterpret_cast<uint8_t*>(&x2), sizeof x2));
  wipe(std::span(reinterpret_cast<uint8_t*>(&z2), sizeof z2));
  return any != 0;
}

}  // namespace

bool ifma_available() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512ifma") && __builtin_cpu_supports("avx512vl");
}

bool x25519_ifma(std::span<uint8_t, 32> out, std::span<const uint8_t, 32> scalar, std::span<const uint8_t, 32> u) {
  return ladder(out, scalar, u);
}

}  // namespace sluice::crypto::x25519
