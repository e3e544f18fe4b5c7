#include "crypto/hpke.h"

#include <array>
#include <string_view>

namespace sluice::crypto {
namespace {

constexpr std::string_view kVersionLabel = "HPKE-v1";
constexpr size_t kX25519Len = 32;

std::optional<HashAlg> kdf_hash(uint16_t kdf) {
  switch (kdf) {
    case kHpkeKdfSha256: return HashAlg::kSha256;
    case kHpkeKdfSha384: return HashAlg::kSha384;
    case kHpkeKdfSha512: return HashAlg::kSha512;
  }
  return std::nullopt;
}

std::optional<AeadAlg> aead_alg(uint16_t aead) {
  switch (aead) {
    case kHpkeAeadAes128Gcm: return AeadAlg::kAes128Gcm;
    case kHpkeAeadAes256Gcm: return AeadAlg::kAes256Gcm;
    case kHpkeAeadChaCha20Poly1305: return AeadAlg::kChaCha20Poly1305;
  }
  return std::nullopt;
}

Bytes text(std::string_view s) { return Bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

// SuiteId is RFC 9180's suite_id: "KEM" || kem_id for the KEM, "HPKE" ||
// kem_id || kdf_id || aead_id for the key schedule.
struct SuiteId {
  std::array<uint8_t, 10> bytes{};
  size_t len = 0;
  Bytes view() const { return Bytes(bytes.data(), len); }
  static SuiteId kem(uint16_t kem) { return SuiteId{{'K', 'E', 'M', uint8_t(kem >> 8), uint8_t(kem)}, 5}; }
  static SuiteId hpke(uint16_t kem, HpkeSuite s) {
    return SuiteId{{'H', 'P', 'K', 'E', uint8_t(kem >> 8), uint8_t(kem), uint8_t(s.kdf >> 8), uint8_t(s.kdf),
                    uint8_t(s.aead >> 8), uint8_t(s.aead)},
                   10};
  }
};

// LabeledExtract and LabeledExpand (RFC 9180 §4). The labelled input is
// built in one buffer: HKDF takes its ikm and info whole.
CStatus labeled_extract(const Provider& p, HashAlg h, const SuiteId& id, Bytes salt, std::string_view label, Bytes ikm,
                        MutBytes out) {
  std::vector<uint8_t> labeled;
  labeled.reserve(kVersionLabel.size() + id.len + label.size() + ikm.size());
  for (Bytes part : {text(kVersionLabel), id.view(), text(label), ikm}) labeled.insert(labeled.end(), part.begin(), part.end());
  CStatus st = p.hkdf_extract(h, salt, labeled, out);
  wipe(labeled);
  return st;
}

CStatus labeled_expand(const Provider& p, HashAlg h, const SuiteId& id, Bytes prk, std::string_view label, Bytes info,
                       MutBytes out) {
  std::vector<uint8_t> labeled;
  labeled.reserve(2 + kVersionLabel.size() + id.len + label.size() + info.size());
  labeled.push_back(static_cast<uint8_t>(out.size() >> 8));
  labeled.push_back(static_cast<uint8_t>(out.size()));
  for (Bytes part : {text(kVersionLabel), id.view(), text(label), info}) labeled.insert(labeled.end(), part.begin(), part.end());
  return p.hkdf_expand(h, prk, labeled, out);
}

// extract_and_expand is DHKEM's shared-secret step (RFC 9180 §4.1).
CResult<SecretBytes> extract_and_expand(const Provider& p, uint16_t kem, Bytes dh, Bytes kem_context) {
  const SuiteId id = SuiteId::kem(kem);
  SecretBytes prk(hash_len(HashAlg::kSha256));
  SLUICE_TRY(labeled_extract(p, HashAlg::kSha256, id, {}, "eae_prk", dh, prk.span()));
  SecretBytes shared(hash_len(HashAlg::kSha256));
  SLUICE_TRY(labeled_expand(p, HashAlg::kSha256, id, prk, "shared_secret", kem_context, shared.span()));
  return shared;
}

}  // namespace

bool hpke_supported(const Provider& provider, HpkeSuite suite) {
  const auto h = kdf_hash(suite.kdf);
  const auto a = aead_alg(suite.aead);
  return h && a && provider.supports(*h) && provider.supports(*a) && provider.supports(Group::kX25519);
}

CResult<HpkeContext> HpkeSetup::key_schedule(const Provider& p, uint16_t kem, HpkeSuite suite, Bytes shared, Bytes info) {
  const auto h = kdf_hash(suite.kdf);
  const auto a = aead_alg(suite.aead);
  if (!h || !a) return Err(CryptoError::kUnsupported);
  const SuiteId id = SuiteId::hpke(kem, suite);
  const size_t n = hash_len(*h);
  // key_schedule_context = mode || psk_id_hash || info_hash.
  std::array<uint8_t, 1 + 2 * 64> context{};
  context[0] = 0;  // mode_base
  SLUICE_TRY(labeled_extract(p, *h, id, {}, "psk_id_hash", {}, MutBytes(context).subspan(1, n)));
  SLUICE_TRY(labeled_extract(p, *h, id, {}, "info_hash", info, MutBytes(context).subspan(1 + n, n)));
  const Bytes ksc = Bytes(context).first(1 + 2 * n);
  SecretBytes secret(n);
  SLUICE_TRY(labeled_extract(p, *h, id, shared, "secret", {}, secret.span()));
  SecretBytes key(aead_key_len(*a));
  SLUICE_TRY(labeled_expand(p, *h, id, secret, "key", ksc, key.span()));
  HpkeContext ctx;
  SLUICE_TRY(labeled_expand(p, *h, id, secret, "base_nonce", ksc, ctx.base_nonce_));
  ctx.key_ = SLUICE_TRY(p.new_aead(*a, key));
  return ctx;
}

std::array<uint8_t, kAeadNonceLen> HpkeContext::nonce() const {
  std::array<uint8_t, kAeadNonceLen> n = base_nonce_;
  for (size_t i = 0; i < 8; ++i) n[kAeadNonceLen - 1 - i] ^= static_cast<uint8_t>(seq_ >> (8 * i));
  return n;
}

CStatus HpkeContext::seal(Bytes aad, Bytes plaintext, std::vector<uint8_t>& out) {
  if (!key_) return Err(CryptoError::kInternal);
  const std::array<uint8_t, kAeadNonceLen> nonce = this->nonce();
  const size_t start = out.size();
  out.insert(out.end(), plaintext.begin(), plaintext.end());
  out.resize(out.size() + kAeadTagLen);
  MutBytes sealed = MutBytes(out).subspan(start);
  if (auto st = key_->seal(nonce, aad, sealed.first(plaintext.size()), sealed.last(kAeadTagLen)); !st.ok()) {
    out.resize(start);
    return st;
  }
  ++seq_;
  return {};
}

CStatus HpkeContext::open(Bytes aad, Bytes ciphertext, std::vector<uint8_t>& out) {
  if (!key_) return Err(CryptoError::kInternal);
  if (ciphertext.size() < kAeadTagLen) return Err(CryptoError::kAuthFailed);
  const std::array<uint8_t, kAeadNonceLen> nonce = this->nonce();
  const size_t len = ciphertext.size() - kAeadTagLen;
  out.assign(ciphertext.begin(), ciphertext.begin() + static_cast<ptrdiff_t>(len));
  if (auto st = key_->open(nonce, aad, out, ciphertext.last(kAeadTagLen)); !st.ok()) {
    wipe(out);
    out.clear();
    return st;
  }
  ++seq_;
  return {};
}

CResult<HpkeSender> HpkeSetup::encap(const Provider& p, uint16_t kem, HpkeSuite suite, Bytes pk_r, Bytes info,
                          std::unique_ptr<KeyShare> ephemeral) {
  if (pk_r.size() != kX25519Len) return Err(CryptoError::kInvalidPeerPublic);
  SecretBytes dh = SLUICE_TRY(ephemeral->agree(pk_r));
  HpkeSender out;
  const Bytes pk_e = ephemeral->public_key();
  out.enc.assign(pk_e.begin(), pk_e.end());
  std::vector<uint8_t> kem_context(out.enc);
  kem_context.insert(kem_context.end(), pk_r.begin(), pk_r.end());
  SecretBytes shared = SLUICE_TRY(extract_and_expand(p, kem, dh, kem_context));
  out.context = SLUICE_TRY(HpkeSetup::key_schedule(p, kem, suite, shared, info));
  return out;
}

CResult<HpkeSender> HpkeSetup::sender(const Provider& p, uint16_t kem, HpkeSuite suite, Bytes pk_r, Bytes info) {
  if (kem != kHpkeKemX25519Sha256) return Err(CryptoError::kUnsupported);
  return encap(p, kem, suite, pk_r, info, SLUICE_TRY(p.new_key_share(Group::kX25519)));
}

CResult<HpkeSender> HpkeSetup::sender_with_ephemeral(const Provider& p, uint16_t kem, HpkeSuite suite, Bytes pk_r,
                                                     Bytes info, Bytes sk_e) {
  if (kem != kHpkeKemX25519Sha256) return Err(CryptoError::kUnsupported);
  return encap(p, kem, suite, pk_r, info, SLUICE_TRY(p.key_share_from_private(Group::kX25519, sk_e)));
}

CResult<HpkeContext> HpkeSetup::recipient(const Provider& p, uint16_t kem, HpkeSuite suite, Bytes sk_r, Bytes enc,
                                          Bytes info) {
  if (kem != kHpkeKemX25519Sha256) return Err(CryptoError::kUnsupported);
  if (enc.size() != kX25519Len) return Err(CryptoError::kInvalidPeerPublic);
  std::unique_ptr<KeyShare> own = SLUICE_TRY(p.key_share_from_private(Group::kX25519, sk_r));
  SecretBytes dh = SLUICE_TRY(own->agree(enc));
  std::vector<uint8_t> kem_context(enc.begin(), enc.end());
  const Bytes pk_r = own->public_key();
  kem_context.insert(kem_context.end(), pk_r.begin(), pk_r.end());
  SecretBytes shared = SLUICE_TRY(extract_and_expand(p, kem, dh, kem_context));
  return key_schedule(p, kem, suite, shared, info);
}

CResult<std::vector<uint8_t>> hpke_public_key(const Provider& p, uint16_t kem, Bytes private_key) {
  if (kem != kHpkeKemX25519Sha256) return Err(CryptoError::kUnsupported);
  std::unique_ptr<KeyShare> own = SLUICE_TRY(p.key_share_from_private(Group::kX25519, private_key));
  const Bytes pub = own->public_key();
  return std::vector<uint8_t>(pub.begin(), pub.end());
}

}  // namespace sluice::crypto
