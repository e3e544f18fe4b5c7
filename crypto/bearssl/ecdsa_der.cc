// Strict DER for ECDSA-Sig-Value (RFC 3279 §2.2.3, X.690 §10):
//   SEQUENCE { r INTEGER, s INTEGER }
// BearSSL's br_ecdsa_asn1_to_raw tolerates some non-minimal encodings, and
// Wycheproof (rightly) expects a verifier to reject every BER variant, so the
// signature is parsed here and the raw verifier is used.
#include <algorithm>

#include "crypto/bearssl/internal.h"

namespace sluice::crypto::bearssl {
namespace {

constexpr uint8_t kTagSequence = 0x30;
constexpr uint8_t kTagInteger = 0x02;

// Reader is a bounds-checked cursor over the signature bytes.
class Reader {
 public:
  explicit Reader(Bytes b) : b_(b) {}
  bool empty() const { return pos_ == b_.size(); }

  bool byte(uint8_t& out) {
    if (pos_ >= b_.size()) return false;
    out = b_[pos_++];
    return true;
  }
  bool take(size_t n, Bytes& out) {
    if (n > b_.size() - pos_) return false;
    out = b_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  // tlv reads one element with the expected tag and a minimal DER length
  // (short form below 128, one length byte of at least 128 otherwise: an
  // ECDSA signature for these curves never needs more; P-521's is at most
  // 2 * (2 + 67) = 138 bytes of content).
  bool tlv(uint8_t tag, Bytes& value) {
    uint8_t t = 0, l = 0;
    if (!byte(t) || t != tag || !byte(l)) return false;
    size_t len = l;
    if (l == 0x81) {
      uint8_t l2 = 0;
      if (!byte(l2) || l2 < 0x80) return false;
      len = l2;
    } else if (l >= 0x80) {
      return false;
    }
    return take(len, value);
  }

 private:
  Bytes b_;
  size_t pos_ = 0;
};

// integer_to_fixed checks that v is a minimal non-negative INTEGER body and
// writes its magnitude right-aligned into out.
bool integer_to_fixed(Bytes v, MutBytes out) {
  if (v.empty()) return false;
  if (v[0] & 0x80) return false;                         // negative
  if (v.size() > 1 && v[0] == 0 && !(v[1] & 0x80)) return false;  // padded
  if (v[0] == 0) v = v.subspan(1);
  if (v.size() > out.size()) return false;
  std::fill(out.begin(), out.end(), uint8_t{0});
  std::copy(v.begin(), v.end(), out.end() - static_cast<ptrdiff_t>(v.size()));
  return true;
}

void append_integer(std::vector<uint8_t>& out, Bytes mag) {
  mag = strip_zeros(mag);
  // A set top bit would read as negative: prefix a zero byte.
  const bool pad = mag.empty() || (mag[0] & 0x80);
  out.push_back(kTagInteger);
  out.push_back(static_cast<uint8_t>(mag.size() + (pad ? 1 : 0)));
  if (pad) out.push_back(0);
  out.insert(out.end(), mag.begin(), mag.end());
}

}  // namespace

CStatus der_to_raw(Bytes der, size_t scalar_len, MutBytes raw) {
  if (raw.size() != 2 * scalar_len) return Err(CryptoError::kInternal);
  Reader outer(der);
  Bytes seq, r, s;
  if (!outer.tlv(kTagSequence, seq) || !outer.empty()) return Err(CryptoError::kBadSignature);
  Reader inner(seq);
  if (!inner.tlv(kTagInteger, r) || !inner.tlv(kTagInteger, s) || !inner.empty()) {
    return Err(CryptoError::kBadSignature);
  }
  if (!integer_to_fixed(r, raw.first(scalar_len)) ||
      !integer_to_fixed(s, raw.subspan(scalar_len))) {
    return Err(CryptoError::kBadSignature);
  }
  return {};
}

std::vector<uint8_t> raw_to_der(Bytes raw) {
  const size_t half = raw.size() / 2;
  std::vector<uint8_t> body;
  append_integer(body, raw.first(half));
  append_integer(body, raw.subspan(half));
  std::vector<uint8_t> out;
  out.push_back(kTagSequence);
  // 2 * (2 + 1 + 48) = 102 bytes at most for P-384, 138 for P-521 (long form).
  if (body.size() >= 0x80) out.push_back(0x81);
  out.push_back(static_cast<uint8_t>(body.size()));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

}  // namespace sluice::crypto::bearssl
