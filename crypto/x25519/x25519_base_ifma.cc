// X25519(k, 9) on Edwards25519's base point B, with a table of multiples.
//
// The clamped scalar k is written in 64 signed base-16 digits e_i in
// [-8, 8], so k·B = Σ e_i 16^i B. Row r of the table holds j·256^r·B for
// j = 1..8 as (y - x, y + x, 2d·x·y), affine, with 2 in the fourth lane: the
// second factors of the first multiplication round of a mixed addition.
// The odd digits are summed first, the sum multiplied by 16, the even
// digits added: 64 additions and 4 doublings, each addition two four-lane
// multiplication rounds where the ladder needs 255 steps of three. Each
// lookup reads all eight entries of its row and keeps one by mask, so
// neither the timing nor the addresses depend on the scalar.
//
// Formulas: the twisted Edwards curve -x² + y² = 1 + d x² y² in extended
// coordinates (X : Y : Z : T), x = X/Z, y = Y/Z, xy = T/Z; the unified
// addition of Hisil, Wong, Carter and Dawson (2008), which RFC 8032 §5.1.4
// gives. It is complete on this curve, so doubling is addition to itself.
#include <algorithm>
#include <array>

#include "base/secret.h"
#include "crypto/x25519/fe4_ifma.h"
#include "crypto/x25519/fe51.h"
#include "crypto/x25519/x25519_ifma.h"

namespace sluice::crypto::x25519 {
namespace {

using fe4::Fe4;
using fe51::Fe;

struct Point {
  Fe x, y, z, t;
};

constexpr Fe kZero{{0, 0, 0, 0, 0}}, kOne{{1, 0, 0, 0, 0}};

Fe small(uint64_t v) { return Fe{{v, 0, 0, 0, 0}}; }

// 2d, d = -121665 / 121666 (RFC 8032 §5.1).
const Fe& two_d() {
  static const Fe v = [] {
    const Fe d = fe51::sub(kZero, fe51::mul(small(121665), fe51::invert(small(121666))));
    return fe51::add(d, d);
  }();
  return v;
}

// The base point: y = 4/5 and the even x (RFC 8032 §5.1), little-endian.
Point base_point() {
  static constexpr std::array<uint8_t, 32> kX = {0x1a, 0xd5, 0x25, 0x8f, 0x60, 0x2d, 0x56, 0xc9, 0xb2, 0xa7, 0x25,
                                                 0x95, 0x60, 0xc7, 0x2c, 0x69, 0x5c, 0xdc, 0xd6, 0xfd, 0x31, 0xe2,
                                                 0xa4, 0xc0, 0xfe, 0x53, 0x6e, 0xcd, 0xd3, 0x36, 0x69, 0x21};
  std::array<uint8_t, 32> y;
  y.fill(0x66);
  y[0] = 0x58;
  const Fe bx = fe51::from_bytes(kX), by = fe51::from_bytes(y);
  return {bx, by, kOne, fe51::mul(bx, by)};
}

Point add(const Point& p, const Point& q) {
  const Fe a = fe51::mul(fe51::sub(p.y, p.x), fe51::sub(q.y, q.x));
  const Fe b = fe51::mul(fe51::add(p.y, p.x), fe51::add(q.y, q.x));
  const Fe c = fe51::mul(fe51::mul(p.t, two_d()), q.t);
  const Fe zz = fe51::mul(p.z, q.z);
  const Fe d = fe51::add(zz, zz);
  const Fe e = fe51::sub(b, a), f = fe51::sub(d, c), g = fe51::add(d, c), h = fe51::add(b, a);
  return {fe51::mul(e, f), fe51::mul(g, h), fe51::mul(f, g), fe51::mul(e, h)};
}

// An entry is four lanes of five limbs, laid out as a Fe4 loads them.
struct alignas(32) Entry {
  uint64_t limb[5][4];
};

struct Table {
  Entry row[32][8];
};

Entry entry_for(const Point& p) {
  const Fe z_inverse = fe51::invert(p.z);
  const Fe x = fe51::mul(p.x, z_inverse), y = fe51::mul(p.y, z_inverse);
  const Fe lane[4] = {fe51::sub(y, x), fe51::add(y, x), fe51::mul(fe51::mul(x, y), two_d()), small(2)};
  Entry e;
  for (int i = 0; i < 5; ++i)
    for (int l = 0; l < 4; ++l) e.limb[i][l] = lane[l].v[i];
  return e;
}

void fill(Table& table) {
  Point row_base = base_point();  // 256^r B
  for (auto& row : table.row) {
    Point multiple = row_base;
    for (Entry& e : row) {
      e = entry_for(multiple);
      multiple = add(multiple, row_base);
    }
    for (int i = 0; i < 8; ++i) row_base = add(row_base, row_base);
  }
}

// base_table is built on first use (about a millisecond), in static
// storage so that no key share allocates for it.
const Table& base_table() {
  static Table table;
  static const bool filled = (fill(table), true);
  (void)filled;
  return table;
}

// select returns e·256^r·B for the digit e in [-8, 8] from row r, as the
// factors of a mixed addition; 0 gives the neutral point's (1, 1, 0).
SLUICE_IFMA_INLINE Fe4 select(const Entry (&row)[8], int8_t digit) {
  const uint32_t negative = static_cast<uint32_t>(static_cast<int32_t>(digit)) >> 31;
  const uint32_t magnitude = (static_cast<uint32_t>(digit) ^ (0u - negative)) + negative;
  Fe4 r;
  r.v[0] = fe4::lanes(1, 1, 0, 2);
  for (int i = 1; i < 5; ++i) r.v[i] = _mm256_setzero_si256();
  const __m256i want = fe4::splat(magnitude);
  for (uint32_t j = 0; j < 8; ++j) {
    const __mmask8 hit = _mm256_cmpeq_epi64_mask(want, fe4::splat(j + 1));
#pragma GCC unroll 5
    for (int i = 0; i < 5; ++i) {
      __m256i limb = _mm256_load_si256(reinterpret_cast<const __m256i*>(row[j].limb[i]));
      // Left alone, gcc and clang fold the load into the blend as a masked
      // load, and nothing promises that a load under an all-zero mask
      // touches memory: the cache could learn the digit. The empty asm
      // makes the loaded value opaque, so every entry is read.
      asm("" : "+v"(limb));
      r.v[i] = _mm256_mask_blend_epi64(hit, r.v[i], limb);
    }
  }
  // -(x, y) = (-x, y): y - x and y + x trade places, 2dxy changes sign.
  const __m256i trade = _mm256_and_si256(fe4::lanes(1, 1, 0, 0), fe4::splat(0 - uint64_t{negative}));
  r = fe4::permute(_mm256_xor_si256(fe4::lanes(0, 1, 2, 3), trade), r);
  return fe4::negate(static_cast<__mmask8>((0u - negative) & 0b0100), r);
}

// add_affine adds a table point to [X, Y, Z, T].
SLUICE_IFMA_INLINE Fe4 add_affine(const Fe4& p, const Fe4& q) {
  using fe4::lanes;
  using fe4::permute;
  const Fe4 yx = fe4::add(permute(lanes(1, 1, 3, 2), p),
                          fe4::negate(0b0001, fe4::keep(0b0011, permute(lanes(0, 0, 0, 0), p))));  // [Y-X, Y+X, T, Z]
  const Fe4 abcd = fe4::mul(yx, q);                                                                // [A, B, C, D]
  const Fe4 egfe = fe4::add(permute(lanes(1, 3, 3, 1), abcd), fe4::negate(0b1101, permute(lanes(0, 2, 2, 0), abcd)));
  const Fe4 fhgh = fe4::add(permute(lanes(3, 1, 3, 1), abcd), fe4::negate(0b0001, permute(lanes(2, 0, 2, 0), abcd)));
  return fe4::mul(egfe, fhgh);  // [EF, GH, FG, EH]
}

SLUICE_IFMA void base_multiple(std::span<uint8_t, 32> out, std::span<const uint8_t, 32> scalar) {
  std::array<uint8_t, 32> k = fe51::clamp(scalar);
  std::array<int8_t, 64> digit;
  for (int i = 0; i < 32; ++i) {
    digit[2 * i] = static_cast<int8_t>(k[i] & 15);
    digit[2 * i + 1] = static_cast<int8_t>(k[i] >> 4);
  }
  // Digits 0..15 to -8..7, carrying into the next; the last stays below 9
  // because k < 2^255.
  int8_t carry = 0;
  for (int i = 0; i < 63; ++i) {
    digit[i] = static_cast<int8_t>(digit[i] + carry);
    carry = static_cast<int8_t>((digit[i] + 8) >> 4);
    digit[i] = static_cast<int8_t>(digit[i] - carry * 16);
  }
  digit[63] = static_cast<int8_t>(digit[63] + carry);

  const Table& table = base_table();
  Fe4 acc = fe4::pack(kZero, kOne, kOne, kZero);  // the neutral point
  for (int i = 1; i < 64; i += 2) acc = add_affine(acc, select(table.row[i / 2], digit[i]));
  Point p = {fe4::unpack(acc, 0), fe4::unpack(acc, 1), fe4::unpack(acc, 2), fe4::unpack(acc, 3)};
  for (int i = 0; i < 4; ++i) p = add(p, p);
  acc = fe4::pack(p.x, p.y, p.z, p.t);
  for (int i = 0; i < 64; i += 2) acc = add_affine(acc, select(table.row[i / 2], digit[i]));

  // u = (1 + y) / (1 - y) = (Z + Y) / (Z - Y) (RFC 7748 §4.1).
  const Fe y = fe4::unpack(acc, 1), z = fe4::unpack(acc, 2);
  fe51::to_bytes(fe51::mul(fe51::add(z, y), fe51::invert(fe51::sub(z, y))), out);

  wipe(std::span<uint8_t>(k));
  wipe(std::span(reinterpret_cast<uint8_t*>(digit.data()), digit.size()));
  wipe(std::span(reinterpret_cast<uint8_t*>(&p), sizeof p));
}

}  // namespace

void x25519_base_ifma(std::span<uint8_t, 32> out, std::span<const uint8_t, 32> scalar) { base_multiple(out, scalar); }

}  // namespace sluice::crypto::x25519
