#include "crypto/shani/sha256.h"

#include <cpuid.h>
#include <immintrin.h>

#include <algorithm>
#include <cstring>

namespace sluice::crypto::shani {
namespace {

// FIPS 180-4 §4.2.2 and §5.3.3.
alignas(16) constexpr uint32_t kRound[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
constexpr uint32_t kInitial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

// compress runs the compression function over whole 64-byte blocks. The
// extensions keep the working variables as ABEF and CDGH halves and do two
// rounds per sha256rnds2; sha256msg1/msg2 extend the message schedule four
// words at a time.
__attribute__((target("sha,sse4.1,ssse3"))) void compress(uint32_t state[8], const uint8_t* blocks, size_t count) {
  // Big-endian words: reverse the bytes of each 32-bit lane.
  const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i dcba = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state));
  __m128i hgfe = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state + 4));
  const __m128i badc = _mm_shuffle_epi32(dcba, 0xB1);
  const __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
  __m128i abef = _mm_alignr_epi8(badc, efgh, 8);
  __m128i cdgh = _mm_blend_epi16(efgh, badc, 0xF0);

  for (; count != 0; --count, blocks += 64) {
    const __m128i abef_in = abef, cdgh_in = cdgh;
    __m128i w[4];  // the last sixteen schedule words, four per register
    for (int group = 0; group < 16; ++group) {
      __m128i& words = w[group % 4];
      if (group < 4) {
        words = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(blocks + 16 * group)), byte_swap);
      } else {
        // W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], four at once.
        __m128i next = _mm_sha256msg1_epu32(w[group % 4], w[(group + 1) % 4]);
        next = _mm_add_epi32(next, _mm_alignr_epi8(w[(group + 3) % 4], w[(group + 2) % 4], 4));
        words = _mm_sha256msg2_epu32(next, w[(group + 3) % 4]);
      }
      const __m128i wk = _mm_add_epi32(words, _mm_load_si128(reinterpret_cast<const __m128i*>(kRound + 4 * group)));
      cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
      abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E));
    }
    abef = _mm_add_epi32(abef, abef_in);
    cdgh = _mm_add_epi32(cdgh, cdgh_in);
  }

  const __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
  const __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
  dcba = _mm_blend_epi16(feba, dchg, 0xF0);
  hgfe = _mm_alignr_epi8(dchg, feba, 8);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state), dcba);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), hgfe);
}

}  // namespace

bool sha_extensions_available() {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  const bool ssse3 = c & (1u << 9), sse41 = c & (1u << 19);
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  const bool sha = b & (1u << 29);
  return ssse3 && sse41 && sha;
}

void Sha256::reset() {
  std::memcpy(state_.data(), kInitial, sizeof kInitial);
  pending_len_ = 0;
  total_len_ = 0;
}

void Sha256::update(std::span<const uint8_t> data) {
  if (data.empty()) return;  // an empty span may carry a null pointer
  total_len_ += data.size();
  if (pending_len_ != 0) {
    const size_t take = std::min(kBlockLen - pending_len_, data.size());
    std::memcpy(pending_.data() + pending_len_, data.data(), take);
    pending_len_ += take;
    data = data.subspan(take);
    if (pending_len_ < kBlockLen) return;
    compress(state_.data(), pending_.data(), 1);
    pending_len_ = 0;
  }
  const size_t whole = data.size() / kBlockLen;
  if (whole != 0) compress(state_.data(), data.data(), whole);
  data = data.subspan(whole * kBlockLen);
  if (!data.empty()) std::memcpy(pending_.data(), data.data(), data.size());
  pending_len_ = data.size();
}

void Sha256::finish(std::span<uint8_t, kDigestLen> out) {
  // §5.1.1: a 1 bit, zeros, then the length in bits as a 64-bit big-endian
  // number, ending on a block boundary.
  const uint64_t bits = total_len_ * 8;
  pending_[pending_len_++] = 0x80;
  if (pending_len_ > kBlockLen - 8) {
    std::memset(pending_.data() + pending_len_, 0, kBlockLen - pending_len_);
    compress(state_.data(), pending_.data(), 1);
    pending_len_ = 0;
  }
  std::memset(pending_.data() + pending_len_, 0, kBlockLen - 8 - pending_len_);
  for (int i = 0; i < 8; ++i) pending_[kBlockLen - 1 - i] = static_cast<uint8_t>(bits >> (8 * i));
  compress(state_.data(), pending_.data(), 1);
  for (size_t i = 0; i < 8; ++i) {
    out[4 * i] = static_cast<uint8_t>(state_[i] >> 24);
    out[4 * i + 1] = static_cast<uint8_t>(state_[i] >> 16);
    out[4 * i + 2] = static_cast<uint8_t>(state_[i] >> 8);
    out[4 * i + 3] = static_cast<uint8_t>(state_[i]);
  }
  wipe();
}

void Sha256::wipe() {
  // HMAC states derived from keys must not linger. explicit_bzero rather
  // than a loop of volatile byte stores: every HMAC wipes four of these, and
  // the byte loop cost 40% as much as the compression function did.
  explicit_bzero(static_cast<void*>(this), sizeof *this);
}

}  // namespace sluice::crypto::shani
