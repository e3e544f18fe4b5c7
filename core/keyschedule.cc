#include "core/keyschedule.h"

#include <algorithm>
#include <array>

namespace sluice {

using crypto::hash_len;

namespace {

// kMaxHkdfLabelLen: struct { uint16 length; opaque label<7..255> =
// "tls13 " + Label; opaque context<0..255>; } HkdfLabel (RFC 8446 §7.1).
constexpr size_t kMaxHkdfLabelLen = 2 + 1 + 255 + 1 + 255;

// encode_hkdf_label writes the HkdfLabel for `o` into `storage`.
TlsResult<Bytes> encode_hkdf_label(const LabelOutput& o, std::span<uint8_t, kMaxHkdfLabelLen> storage) {
  ByteWriter w{MutBytes(storage)};
  w.u16(static_cast<uint16_t>(o.out.size()));
  {
    auto l = w.prefix8();
    static constexpr std::string_view kPrefix = "tls13 ";
    w.bytes(Bytes(reinterpret_cast<const uint8_t*>(kPrefix.data()), kPrefix.size()));
    w.bytes(Bytes(reinterpret_cast<const uint8_t*>(o.label.data()), o.label.size()));
  }
  {
    auto c = w.prefix8();
    w.bytes(o.context);
  }
  if (!w.ok() || o.out.size() > 0xffff) return Err(Error(Reason::kInternal, "HKDF label too long"));
  return Bytes(w.written());
}

}  // namespace

Result<void, Error> hkdf_expand_label(const crypto::Provider& p, crypto::HashAlg h, Bytes secret,
                                      std::string_view label, Bytes context, MutBytes out) {
  const LabelOutput one[] = {{label, context, out}};
  return hkdf_expand_labels(p, h, secret, one);
}

Result<void, Error> hkdf_expand_labels(const crypto::Provider& p, crypto::HashAlg h, Bytes secret,
                                       std::span<const LabelOutput> outputs) {
  if (outputs.size() > kMaxLabelsAtOnce) return Err(Error(Reason::kInternal, "too many HKDF labels at once"));
  std::array<std::array<uint8_t, kMaxHkdfLabelLen>, kMaxLabelsAtOnce> storage;
  std::array<crypto::HkdfOutput, kMaxLabelsAtOnce> requests;
  for (size_t i = 0; i < outputs.size(); ++i) {
    requests[i] = {SLUICE_TRY(encode_hkdf_label(outputs[i], storage[i])), outputs[i].out};
  }
  SLUICE_TRY(p.hkdf_expand_several(h, secret, std::span(requests.data(), outputs.size())));
  return {};
}

TlsResult<TrafficKeys> derive_traffic_keys(const crypto::Provider& p, crypto::HashAlg h, crypto::AeadAlg a,
                                           Bytes traffic_secret) {
  TrafficKeys k{SecretBytes(crypto::aead_key_len(a)), SecretBytes(crypto::kAeadNonceLen)};
  const LabelOutput outputs[] = {{"key", {}, k.key.span()}, {"iv", {}, k.iv.span()}};
  SLUICE_TRY(hkdf_expand_labels(p, h, traffic_secret, outputs));
  return k;
}

TlsResult<SecretBytes> next_traffic_secret(const crypto::Provider& p, crypto::HashAlg h, Bytes secret) {
  SecretBytes next(hash_len(h));
  SLUICE_TRY(hkdf_expand_label(p, h, secret, "traffic upd", {}, next.span()));
  return next;
}

TlsResult<SecretBytes> resumption_psk(const crypto::Provider& p, crypto::HashAlg h, Bytes resumption_master,
                                      Bytes ticket_nonce) {
  SecretBytes psk(hash_len(h));
  SLUICE_TRY(hkdf_expand_label(p, h, resumption_master, "resumption", ticket_nonce, psk.span()));
  return psk;
}

Result<void, Error> finished_verify_data(const crypto::Provider& p, crypto::HashAlg h, Bytes base_key,
                                         Bytes transcript_hash, MutBytes out) {
  SecretBytes finished_key(hash_len(h));
  SLUICE_TRY(hkdf_expand_label(p, h, base_key, "finished", {}, finished_key.span()));
  SLUICE_TRY(p.hmac(h, finished_key, transcript_hash, out));
  return {};
}

std::optional<Bytes> known_empty_hash(crypto::HashAlg h) {
  // FIPS 180-4 digests of the empty string, so a handshake makes no hash
  // object just for them; tests check them against every provider.
  static constexpr uint8_t kSha256[] = {0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55};
  static constexpr uint8_t kSha384[] = {0x38, 0xb0, 0x60, 0xa7, 0x51, 0xac, 0x96, 0x38, 0x4c, 0xd9, 0x32, 0x7e, 0xb1, 0xb1, 0xe3, 0x6a, 0x21, 0xfd, 0xb7, 0x11, 0x14, 0xbe, 0x07, 0x43, 0x4c, 0x0c, 0xc7, 0xbf, 0x63, 0xf6, 0xe1, 0xda, 0x27, 0x4e, 0xde, 0xbf, 0xe7, 0x6f, 0x65, 0xfb, 0xd5, 0x1a, 0xd2, 0xf1, 0x48, 0x98, 0xb9, 0x5b};
  switch (h) {
    case crypto::HashAlg::kSha256: return Bytes(kSha256);
    case crypto::HashAlg::kSha384: return Bytes(kSha384);
    case crypto::HashAlg::kSha512: break;
  }
  return std::nullopt;
}

Result<void, Error> KeySchedule::ensure_empty_hash() {
  if (!have_empty_hash_) {
    if (auto known = known_empty_hash(h_)) {
      std::copy(known->begin(), known->end(), empty_hash_.begin());
    } else {
      SLUICE_TRY(p_.hash(h_, {}, empty_hash_));
    }
    have_empty_hash_ = true;
  }
  return {};
}

Result<void, Error> KeySchedule::require(Stage s) {
  if (stage_ != s) return Err(Error(Reason::kInternal, "key schedule step out of order"));
  return {};
}

TlsResult<SecretBytes> KeySchedule::extract(Bytes salt, Bytes ikm) {
  SecretBytes out(crypto::hash_len(h_));
  SLUICE_TRY(p_.hkdf_extract(h_, salt, ikm, out.span()));
  return out;
}

TlsResult<SecretBytes> KeySchedule::derive_secret(Bytes secret, std::string_view label, Bytes transcript_hash) {
  SecretBytes out(crypto::hash_len(h_));
  SLUICE_TRY(hkdf_expand_label(p_, h_, secret, label, transcript_hash, out.span()));
  return out;
}

Result<void, Error> KeySchedule::start_early(Bytes psk) {
  SLUICE_TRY(require(Stage::kNone));
  std::array<uint8_t, crypto::kMaxHashLen> zeros{};
  if (psk.empty()) psk = Bytes(zeros.data(), crypto::hash_len(h_));
  secret_ = SLUICE_TRY(extract({}, psk));
  stage_ = Stage::kEarly;
  return {};
}

TlsResult<SecretBytes> KeySchedule::binder_key() {
  SLUICE_TRY(require(Stage::kEarly));
  SLUICE_TRY(ensure_empty_hash());
  return derive_secret(secret_, "res binder", Bytes(empty_hash_.data(), crypto::hash_len(h_)));
}

TlsResult<SecretBytes> KeySchedule::client_early_traffic_secret(Bytes client_hello_hash) {
  SLUICE_TRY(require(Stage::kEarly));
  return derive_secret(secret_, "c e traffic", client_hello_hash);
}

TlsResult<KeySchedule::Pair> KeySchedule::advance_with_shared_secret(Bytes ecdhe, Bytes hello_hash) {
  SLUICE_TRY(require(Stage::kEarly));
  SLUICE_TRY(ensure_empty_hash());
  Bytes empty(empty_hash_.data(), crypto::hash_len(h_));
  SecretBytes derived = SLUICE_TRY(derive_secret(secret_, "derived", empty));
  const SecretBytes handshake_secret = SLUICE_TRY(extract(derived, ecdhe));
  // The Handshake Secret is expanded three times and never again, so all
  // three at once under one keyed HMAC; the stage then keeps only the next
  // stage's salt, Derive-Secret(Handshake Secret, "derived", "").
  Pair out{SecretBytes(hash_len()), SecretBytes(hash_len())};
  const LabelOutput outputs[] = {{"c hs traffic", hello_hash, out.client.span()},
                                 {"s hs traffic", hello_hash, out.server.span()},
                                 {"derived", empty, derived.span()}};
  SLUICE_TRY(hkdf_expand_labels(p_, h_, handshake_secret, outputs));
  secret_ = std::move(derived);
  stage_ = Stage::kHandshake;
  return out;
}

TlsResult<KeySchedule::Pair> KeySchedule::advance_to_master(Bytes server_finished_hash) {
  SLUICE_TRY(require(Stage::kHandshake));
  // secret_ is already Derive-Secret(Handshake Secret, "derived", "").
  std::array<uint8_t, crypto::kMaxHashLen> zeros{};
  secret_ = SLUICE_TRY(extract(secret_, Bytes(zeros.data(), crypto::hash_len(h_))));
  Pair out{SecretBytes(hash_len()), SecretBytes(hash_len())};
  exporter_ = SecretBytes(hash_len());
  const LabelOutput outputs[] = {{"c ap traffic", server_finished_hash, out.client.span()},
                                 {"s ap traffic", server_finished_hash, out.server.span()},
                                 {"exp master", server_finished_hash, exporter_.span()}};
  SLUICE_TRY(hkdf_expand_labels(p_, h_, secret_, outputs));
  stage_ = Stage::kMaster;
  return out;
}

TlsResult<SecretBytes> KeySchedule::resumption_master(Bytes client_finished_hash) {
  SLUICE_TRY(require(Stage::kMaster));
  SecretBytes out = SLUICE_TRY(derive_secret(secret_, "res master", client_finished_hash));
  secret_.clear();
  stage_ = Stage::kDone;
  return out;
}

}  // namespace sluice
