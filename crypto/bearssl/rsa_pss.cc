// EMSA-PSS (RFC 8017 §9.1) with MGF1 over the same hash, which BearSSL 0.6
// lacks. TLS 1.3 fixes sLen = hLen (RFC 8446 §4.2.3), and verification
// insists on it: every structural check of §9.1.2 is applied, none skipped.
#include <algorithm>
#include <array>

#include "crypto/bearssl/internal.h"

namespace sluice::crypto::bearssl {
namespace {

constexpr uint8_t kTrailer = 0xbc;
constexpr size_t kMaxEmLen = kMaxRsaBits / 8;

// mgf1_xor XORs MGF1(seed, out.size()) (RFC 8017 §B.2.1) into out.
void mgf1_xor(HashAlg h, Bytes seed, MutBytes out) {
  const size_t h_len = hash_len(h);
  uint8_t block[kMaxHashLen];
  size_t done = 0;
  for (uint32_t counter = 0; done < out.size(); ++counter) {
    const uint8_t c[4] = {static_cast<uint8_t>(counter >> 24), static_cast<uint8_t>(counter >> 16),
                          static_cast<uint8_t>(counter >> 8), static_cast<uint8_t>(counter)};
    digest(h, {seed, Bytes(c, 4)}, block);
    const size_t take = std::min(h_len, out.size() - done);
    for (size_t i = 0; i < take; ++i) out[done + i] ^= block[i];
    done += take;
  }
}

// top_mask keeps the low (8 * em_len - em_bits) cleared bits of byte 0.
uint8_t top_mask(size_t em_len, size_t em_bits) {
  const size_t unused = 8 * em_len - em_bits;  // 0..7
  return static_cast<uint8_t>(0xff >> unused);
}

// m_prime_hash computes H(0x00 * 8 || mHash || salt) (§9.1.1 steps 5-6).
void m_prime_hash(HashAlg h, Bytes mhash, Bytes salt, MutBytes out) {
  static constexpr uint8_t kZeros[8] = {};
  digest(h, {Bytes(kZeros, 8), mhash, salt}, out);
}

}  // namespace

CStatus pss_encode(HashAlg h, Bytes mhash, Bytes salt, size_t em_bits, MutBytes em) {
  const size_t h_len = hash_len(h);
  const size_t s_len = salt.size();
  const size_t em_len = (em_bits + 7) / 8;
  if (em.size() != em_len || mhash.size() != h_len) return Err(CryptoError::kInternal);
  // §9.1.1 step 3.
  if (em_len < h_len + s_len + 2) return Err(CryptoError::kInvalidKey);

  const size_t db_len = em_len - h_len - 1;
  MutBytes db = em.first(db_len);
  MutBytes hash = em.subspan(db_len, h_len);
  m_prime_hash(h, mhash, salt, hash);
  // DB = PS || 0x01 || salt (steps 7-8), then masked in place (9-10).
  std::fill(db.begin(), db.end(), uint8_t{0});
  db[db_len - s_len - 1] = 0x01;
  std::copy(salt.begin(), salt.end(), db.end() - static_cast<ptrdiff_t>(s_len));
  mgf1_xor(h, hash, db);
  db[0] &= top_mask(em_len, em_bits);  // step 11
  em[em_len - 1] = kTrailer;          // step 12
  return {};
}

CStatus pss_verify(HashAlg h, Bytes mhash, Bytes em, size_t em_bits) {
  const size_t h_len = hash_len(h);
  const size_t s_len = h_len;
  const size_t em_len = (em_bits + 7) / 8;
  if (em.size() != em_len || mhash.size() != h_len) return Err(CryptoError::kBadSignature);
  // §9.1.2 steps 3-4.
  if (em_len < h_len + s_len + 2 || em_len > kMaxEmLen) return Err(CryptoError::kBadSignature);
  if (em[em_len - 1] != kTrailer) return Err(CryptoError::kBadSignature);

  const size_t db_len = em_len - h_len - 1;
  Bytes hash = em.subspan(db_len, h_len);
  // Step 6: the bits above em_bits must be zero in maskedDB.
  const uint8_t mask = top_mask(em_len, em_bits);
  if (em[0] & static_cast<uint8_t>(~mask)) return Err(CryptoError::kBadSignature);

  std::array<uint8_t, kMaxEmLen> db_buf{};
  MutBytes db(db_buf.data(), db_len);
  std::copy(em.begin(), em.begin() + static_cast<ptrdiff_t>(db_len), db.begin());
  mgf1_xor(h, hash, db);  // steps 7-8
  db[0] &= mask;          // step 9
  // Step 10: the leftmost emLen - hLen - sLen - 2 bytes are zero, then 0x01.
  const size_t ps_len = em_len - h_len - s_len - 2;
  for (size_t i = 0; i < ps_len; ++i) {
    if (db[i] != 0) return Err(CryptoError::kBadSignature);
  }
  if (db[ps_len] != 0x01) return Err(CryptoError::kBadSignature);
  Bytes salt = db.last(s_len);  // step 11

  uint8_t expected[kMaxHashLen];
  m_prime_hash(h, mhash, salt, MutBytes(expected, h_len));  // steps 12-13
  if (!ct_equal(Bytes(expected, h_len), hash)) return Err(CryptoError::kBadSignature);
  return {};
}

}  // namespace sluice::crypto::bearssl
