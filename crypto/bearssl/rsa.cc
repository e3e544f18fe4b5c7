// RSA signatures: PKCS#1 v1.5 (RFC 8017 §8.2) and PSS (§8.1, encoding in
// rsa_pss.cc) over BearSSL's raw modular exponentiation. An rsaEncryption
// key (kRsa) makes PKCS#1 and rsa_pss_rsae_*; an id-RSASSA-PSS key (kRsaPss)
// makes only rsa_pss_pss_* (RFC 8446 §4.2.3), so each pairing is refused the
// other way round.
//
// PKCS#1 v1.5 verification re-encodes the expected block and compares it
// whole (the method RFC 8017 §8.2.2 step 3-4 prescribes) instead of parsing
// the decrypted block, which rules out the lenient-parsing forgeries.
#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

#include "crypto/bearssl/internal.h"
#include "crypto/system_random.h"

namespace sluice::crypto::bearssl {
namespace {

constexpr size_t kMaxModulusLen = kMaxRsaBits / 8;
// BearSSL's limit on each prime factor (bearssl_rsa.h "2080 bits").
constexpr size_t kMaxPrimeBits = 2080;

bool is_pkcs1(SignatureScheme s) {
  return s == SignatureScheme::kRsaPkcs1Sha256 || s == SignatureScheme::kRsaPkcs1Sha384 ||
         s == SignatureScheme::kRsaPkcs1Sha512;
}

// RFC 8017 §9.2 note 1: DER DigestInfo prefixes (with the NULL parameters).
Bytes digest_info_prefix(HashAlg h) {
  static constexpr uint8_t kSha256[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
                                        0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                                        0x01, 0x05, 0x00, 0x04, 0x20};
  static constexpr uint8_t kSha384[] = {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60,
                                        0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                                        0x02, 0x05, 0x00, 0x04, 0x30};
  static constexpr uint8_t kSha512[] = {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60,
                                        0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                                        0x03, 0x05, 0x00, 0x04, 0x40};
  switch (h) {
    case HashAlg::kSha256: return kSha256;
    case HashAlg::kSha384: return kSha384;
    case HashAlg::kSha512: return kSha512;
  }
  return kSha256;
}

// pkcs1_encode writes EMSA-PKCS1-v1_5(H(msg)) into em (k bytes).
CStatus pkcs1_encode(HashAlg h, Bytes mhash, MutBytes em) {
  Bytes prefix = digest_info_prefix(h);
  const size_t t_len = prefix.size() + mhash.size();
  // §9.2 step 3: at least 8 bytes of 0xff padding.
  if (em.size() < t_len + 11) return Err(CryptoError::kInvalidKey);
  const size_t ps_len = em.size() - t_len - 3;
  em[0] = 0x00;
  em[1] = 0x01;
  std::fill_n(em.begin() + 2, ps_len, uint8_t{0xff});
  em[2 + ps_len] = 0x00;
  std::copy(prefix.begin(), prefix.end(), em.begin() + 3 + static_cast<ptrdiff_t>(ps_len));
  std::copy(mhash.begin(), mhash.end(), em.end() - static_cast<ptrdiff_t>(mhash.size()));
  return {};
}

// RsaPub is a validated public key in BearSSL's form (no leading zeros).
struct RsaPub {
  std::vector<uint8_t> n, e;
  size_t bits = 0;
  br_rsa_public_key view() const {
    return br_rsa_public_key{const_cast<uint8_t*>(n.data()), n.size(),
                             const_cast<uint8_t*>(e.data()), e.size()};
  }
  size_t len() const { return n.size(); }
};

CResult<RsaPub> make_pub(Bytes n_in, Bytes e_in) {
  RsaPub k;
  Bytes n = strip_zeros(n_in), e = strip_zeros(e_in);
  k.bits = bit_length(n);
  if (k.bits < kMinRsaBits) return Err(CryptoError::kInvalidKey);
  if (k.bits > kMaxRsaBits) return Err(CryptoError::kUnsupported);
  // An even modulus or exponent, e = 1, or e >= n cannot be a valid key.
  if (!(n.back() & 1) || e.empty() || !(e.back() & 1) || (e.size() == 1 && e[0] == 1) ||
      e.size() > n.size()) {
    return Err(CryptoError::kInvalidKey);
  }
  k.n.assign(n.begin(), n.end());
  k.e.assign(e.begin(), e.end());
  return k;
}

// pss_em splits the k-byte RSA output into the emLen-byte encoded message
// of RFC 8017 §8.1.2 step 2c (emLen = ceil((modBits - 1) / 8)); when emLen
// is one byte shorter than k, that leading byte must be zero.
CResult<Bytes> pss_em(Bytes block, size_t mod_bits) {
  const size_t em_len = (mod_bits - 1 + 7) / 8;
  if (em_len < block.size()) {
    if (block[0] != 0) return Err(CryptoError::kBadSignature);
    return block.subspan(1);
  }
  return block;
}

class RsaSigner final : public Signer {
 public:
  RsaSigner(KeyType type, std::optional<HashAlg> pss_hash, RsaPub pub, SecretBytes p,
            SecretBytes q, SecretBytes dp, SecretBytes dq, SecretBytes iq)
      : type_(type), pub_(std::move(pub)),
        p_(std::move(p)), q_(std::move(q)), dp_(std::move(dp)), dq_(std::move(dq)),
        iq_(std::move(iq)) {
    sk_ = br_rsa_private_key{static_cast<uint32_t>(pub_.bits), p_.data(), p_.size(),
                             q_.data(), q_.size(), dp_.data(), dp_.size(),
                             dq_.data(), dq_.size(), iq_.data(), iq_.size()};
    public_.type = type_;
    public_.rsa_n = pub_.n;
    public_.rsa_e = pub_.e;
    public_.pss_hash = pss_hash;
  }

  KeyType key_type() const override { return type_; }
  const PublicKey& public_key() const override { return public_; }

  bool supports(SignatureScheme s) const override {
    if (!key_allows(public_, s)) return false;
    const size_t h_len = hash_len(scheme_hash(s));
    if (is_pkcs1(s)) return pub_.len() >= digest_info_prefix(scheme_hash(s)).size() + h_len + 11;
    // RFC 8017 §9.1.1 step 3 with sLen = hLen.
    if (is_rsa_pss(s)) return (pub_.bits - 1 + 7) / 8 >= 2 * h_len + 2;
    return false;
  }

  CResult<SignOutcome> sign(SignatureScheme s, Bytes message,
                            std::vector<uint8_t>& out_signature) override {
    if (!supports(s)) return Err(CryptoError::kUnsupported);
    const HashAlg h = scheme_hash(s);
    uint8_t mhash[kMaxHashLen];
    digest(h, {message}, mhash);
    Bytes mh(mhash, hash_len(h));

    std::array<uint8_t, kMaxModulusLen> block{};
    MutBytes em(block.data(), pub_.len());
    if (is_pkcs1(s)) {
      SLUICE_TRY(pkcs1_encode(h, mh, em));
    } else {
      // RFC 8446 §4.2.3: the salt is as long as the digest, and random.
      uint8_t salt[kMaxHashLen];
      SLUICE_TRY(system_random(MutBytes(salt, hash_len(h))));
      const size_t em_bits = pub_.bits - 1;
      const size_t em_len = (em_bits + 7) / 8;
      em[0] = 0;  // only used when em_len < k
      SLUICE_TRY(pss_encode(h, mh, Bytes(salt, hash_len(h)), em_bits, em.last(em_len)));
    }
    std::array<uint8_t, kMaxModulusLen> check{};
    std::copy(em.begin(), em.end(), check.begin());
    if (impls().rsa_private(block.data(), &sk_) != 1) return Err(CryptoError::kInternal);
    // Verify before releasing: a faulty CRT computation would otherwise leak
    // a factor of n (Boneh-DeMillo-Lipton).
    std::array<uint8_t, kMaxModulusLen> verify = block;
    br_rsa_public_key pk = pub_.view();
    if (impls().rsa_public(verify.data(), pub_.len(), &pk) != 1 ||
        std::memcmp(verify.data(), check.data(), pub_.len()) != 0) {
      return Err(CryptoError::kInternal);
    }
    out_signature.assign(block.begin(), block.begin() + static_cast<ptrdiff_t>(pub_.len()));
    return SignOutcome::kDone;
  }

  // self_test runs 2^d^e mod n, catching inconsistent CRT parameters when
  // the key is loaded rather than at the first handshake.
  bool self_test() const {
    std::array<uint8_t, kMaxModulusLen> x{};
    x[pub_.len() - 1] = 2;
    if (impls().rsa_private(x.data(), &sk_) != 1) return false;
    br_rsa_public_key pk = pub_.view();
    if (impls().rsa_public(x.data(), pub_.len(), &pk) != 1) return false;
    for (size_t i = 0; i + 1 < pub_.len(); ++i) {
      if (x[i] != 0) return false;
    }
    return x[pub_.len() - 1] == 2;
  }

 private:
  KeyType type_;
  RsaPub pub_;
  SecretBytes p_, q_, dp_, dq_, iq_;
  br_rsa_private_key sk_{};
  PublicKey public_;
};

SecretBytes stripped(const SecretBytes& v) { return SecretBytes(strip_zeros(v)); }

}  // namespace

Bytes strip_zeros(Bytes v) {
  size_t i = 0;
  while (i < v.size() && v[i] == 0) ++i;
  return v.subspan(i);
}

size_t bit_length(Bytes v) {
  v = strip_zeros(v);
  if (v.empty()) return 0;
  size_t bits = 8 * (v.size() - 1);
  for (uint8_t top = v[0]; top != 0; top >>= 1) ++bits;
  return bits;
}

CStatus rsa_verify(SignatureScheme s, const PublicKey& key, Bytes msg, Bytes sig) {
  if (!is_pkcs1(s) && !is_rsa_pss(s)) return Err(CryptoError::kUnsupported);
  if (!key_allows(key, s)) return Err(CryptoError::kInvalidKey);
  RsaPub pub = SLUICE_TRY(make_pub(key.rsa_n, key.rsa_e));
  // RFC 8017 §8.1.2 step 1 / §8.2.2 step 1: the signature is exactly k bytes.
  if (sig.size() != pub.len()) return Err(CryptoError::kBadSignature);

  std::array<uint8_t, kMaxModulusLen> block{};
  std::copy(sig.begin(), sig.end(), block.begin());
  br_rsa_public_key pk = pub.view();
  // The public operation also rejects a representative >= n (§5.2.2).
  if (impls().rsa_public(block.data(), pub.len(), &pk) != 1) {
    return Err(CryptoError::kBadSignature);
  }
  Bytes decoded(block.data(), pub.len());

  const HashAlg h = scheme_hash(s);
  uint8_t mhash[kMaxHashLen];
  digest(h, {msg}, mhash);
  Bytes mh(mhash, hash_len(h));

  if (is_pkcs1(s)) {
    std::array<uint8_t, kMaxModulusLen> expected{};
    MutBytes em(expected.data(), pub.len());
    if (!pkcs1_encode(h, mh, em).ok()) return Err(CryptoError::kBadSignature);
    if (!std::equal(em.begin(), em.end(), decoded.begin())) return Err(CryptoError::kBadSignature);
    return {};
  }
  Bytes em = SLUICE_TRY(pss_em(decoded, pub.bits));
  return pss_verify(h, mh, em, pub.bits - 1);
}

CResult<std::unique_ptr<Signer>> new_rsa_signer(const PrivateKeyMaterial& m) {
  if (!is_rsa(m.type)) return Err(CryptoError::kUnsupported);
  SecretBytes p = stripped(m.rsa_p), q = stripped(m.rsa_q), dp = stripped(m.rsa_dp),
              dq = stripped(m.rsa_dq), iq = stripped(m.rsa_qinv);
  // BearSSL signs with the CRT form only (it has no use for d).
  if (p.empty() || q.empty() || dp.empty() || dq.empty() || iq.empty()) {
    return Err(CryptoError::kInvalidKey);
  }
  if (bit_length(p) > kMaxPrimeBits || bit_length(q) > kMaxPrimeBits) {
    return Err(CryptoError::kUnsupported);
  }
  // compute_modulus sizes its output from n_bitlen, which is not known yet:
  // bits(p) + bits(q) is an upper bound (the product may be one bit
  // shorter, leaving a zero byte that strip_zeros removes).
  const auto bound = static_cast<uint32_t>(bit_length(p) + bit_length(q));
  br_rsa_private_key sk{bound, p.data(), p.size(), q.data(), q.size(), dp.data(), dp.size(),
                        dq.data(), dq.size(), iq.data(), iq.size()};
  std::array<uint8_t, 2 * kMaxPrimeBits / 8 + 2> n_buf{};
  const size_t n_len = br_rsa_i31_compute_modulus(nullptr, &sk);
  if (n_len == 0 || n_len > n_buf.size()) return Err(CryptoError::kInvalidKey);
  br_rsa_i31_compute_modulus(n_buf.data(), &sk);
  Bytes n_computed = strip_zeros(Bytes(n_buf.data(), n_len));

  // n and e may come from the key file or the attached public key; when
  // present they must match the primes.
  Bytes n_given = !m.rsa_n.empty() ? Bytes(m.rsa_n) : Bytes(m.public_key.rsa_n);
  if (!n_given.empty() && !std::ranges::equal(strip_zeros(n_given), n_computed)) {
    return Err(CryptoError::kInvalidKey);
  }
  std::vector<uint8_t> e(m.rsa_e.empty() ? m.public_key.rsa_e : m.rsa_e);
  if (strip_zeros(e).empty()) {
    const uint32_t e32 = br_rsa_i31_compute_pubexp(&sk);
    if (e32 == 0) return Err(CryptoError::kInvalidKey);
    e = {static_cast<uint8_t>(e32 >> 24), static_cast<uint8_t>(e32 >> 16),
         static_cast<uint8_t>(e32 >> 8), static_cast<uint8_t>(e32)};
  }
  RsaPub pub = SLUICE_TRY(make_pub(n_computed, e));
  // Only an RSA-PSS key carries a hash restriction (RFC 4055 §3.1).
  std::optional<HashAlg> pss_hash;
  if (m.type == KeyType::kRsaPss) pss_hash = m.public_key.pss_hash;
  auto signer = std::make_unique<RsaSigner>(m.type, pss_hash, std::move(pub), std::move(p), std::move(q),
                                            std::move(dp), std::move(dq), std::move(iq));
  if (!signer->self_test()) return Err(CryptoError::kInvalidKey);
  return std::unique_ptr<Signer>(std::move(signer));
}

}  // namespace sluice::crypto::bearssl
