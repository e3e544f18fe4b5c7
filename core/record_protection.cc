#include "core/record_protection.h"

#include <algorithm>

#include "core/keyschedule.h"

namespace sluice {

using wire::ContentType;

namespace {

// header parses a record's 5-byte header; the caller framed the record, so
// a mismatch is an internal error.
struct Header {
  uint8_t type;
  uint16_t version, len;
};
TlsResult<Header> header(Bytes record) {
  ByteReader r(record);
  Header h;
  if (!r.u8(h.type) || !r.u16(h.version) || !r.u16(h.len) || r.remaining() != h.len) {
    return Err(Error(Reason::kInternal, "record framing"));
  }
  return h;
}

void write_header(MutBytes record, ContentType type, uint16_t version, size_t body_len) {
  ByteWriter w{record.first(wire::kRecordHeaderLen)};
  w.u8(static_cast<uint8_t>(type));
  w.u16(version);
  w.u16(static_cast<uint16_t>(body_len));
}

// source_fits: a seal's `source` is empty (the payload is in place) or
// exactly the payload.
bool source_fits(Bytes source, size_t payload_len) { return source.empty() || source.size() == payload_len; }

}  // namespace

TlsResult<size_t> NullProtection::seal(ContentType type, MutBytes record, size_t payload_len, size_t,
                                       uint16_t record_version, Bytes source) {
  const size_t total = wire::kRecordHeaderLen + payload_len;
  if (record.size() < total || payload_len > 0xffff || !source_fits(source, payload_len)) {
    return Err(Error(Reason::kInternal, "no room to seal record"));
  }
  write_header(record, type, record_version, payload_len);
  std::ranges::copy(source, record.begin() + wire::kRecordHeaderLen);
  return total;
}

TlsResult<OpenedRecord> NullProtection::open(MutBytes record, MutBytes) {
  Header h = SLUICE_TRY(header(record));
  MutBytes body = record.subspan(wire::kRecordHeaderLen);
  return OpenedRecord{static_cast<ContentType>(h.type), body, body.size()};
}

TlsResult<void> Tls13Protection::install(const crypto::Provider& p, crypto::HashAlg h, crypto::AeadAlg a,
                                         Bytes traffic_secret) {
  TrafficKeys keys = SLUICE_TRY(derive_traffic_keys(p, h, a, traffic_secret));
  if (aead_ && aead_->alg() == a) {
    SLUICE_TRY(aead_->rekey(keys.key));
  } else {
    aead_ = SLUICE_TRY(p.new_aead(a, keys.key));
  }
  if (keys.iv.size() != iv_.size()) return Err(Error(Reason::kInternal, "traffic IV has the wrong length"));
  std::ranges::copy(keys.iv.span(), iv_.begin());
  seq_ = 0;
  return {};
}

void Tls13Protection::nonce(uint8_t out[crypto::kAeadNonceLen]) const {
  // RFC 8446 §5.3: the 64-bit sequence number, left-padded to the IV length,
  // XORed with the static IV.
  for (size_t i = 0; i < crypto::kAeadNonceLen; ++i) out[i] = iv_[i];
  for (size_t i = 0; i < 8; ++i) out[crypto::kAeadNonceLen - 1 - i] ^= static_cast<uint8_t>(seq_ >> (8 * i));
}

TlsResult<size_t> Tls13Protection::seal(ContentType type, MutBytes record, size_t payload_len, size_t padding,
                                        uint16_t, Bytes source) {
  const size_t total = wire::kRecordHeaderLen + payload_len + overhead() + padding;
  const size_t inner_len = payload_len + 1 + padding;
  // The record layer keeps TLSInnerPlaintext within 2^14 + 1 bytes (RFC
  // 8446 §5.2); tests seal larger ones to check the receiving side.
  if (record.size() < total || inner_len + crypto::kAeadTagLen > 0xffff || !source_fits(source, payload_len)) {
    return Err(Error(Reason::kInternal, "no room to seal record"));
  }
  // RFC 8446 §5.5: never reuse a nonce; the sequence number may not wrap.
  if (seq_ == UINT64_MAX) return Err(Error(Reason::kSequenceExhausted));
  // RFC 8446 §5.2: the outer header says application_data, version 0x0303.
  write_header(record, ContentType::kApplicationData, wire::kTls12, inner_len + crypto::kAeadTagLen);
  record[wire::kRecordHeaderLen + payload_len] = static_cast<uint8_t>(type);
  auto pad = record.subspan(wire::kRecordHeaderLen + payload_len + 1, padding);
  std::fill(pad.begin(), pad.end(), 0);
  uint8_t n[crypto::kAeadNonceLen];
  nonce(n);
  // The content type and padding are in place after the payload's room;
  // the payload comes from `source` or is in place too.
  SLUICE_TRY(aead_->seal_from(Bytes(n, sizeof n), record.first(wire::kRecordHeaderLen), source,
                              record.subspan(wire::kRecordHeaderLen, inner_len),
                              record.subspan(wire::kRecordHeaderLen + inner_len, crypto::kAeadTagLen)));
  ++seq_;
  return total;
}

bool Tls13Protection::open_trial(MutBytes record) const {
  if (!aead_ || record.size() < wire::kRecordHeaderLen + crypto::kAeadTagLen + 1) return false;
  uint8_t n[crypto::kAeadNonceLen];
  nonce(n);
  MutBytes body = record.subspan(wire::kRecordHeaderLen);
  const size_t inner_len = body.size() - crypto::kAeadTagLen;
  return aead_->open(Bytes(n, sizeof n), record.first(wire::kRecordHeaderLen), body.first(inner_len),
                     body.subspan(inner_len))
      .ok();
}

TlsResult<OpenedRecord> Tls13Protection::open(MutBytes record, MutBytes deliver) {
  Header h = SLUICE_TRY(header(record));
  MutBytes body = record.subspan(wire::kRecordHeaderLen);
  if (static_cast<ContentType>(h.type) != ContentType::kApplicationData) {
    return Err(Error(Reason::kBadRecordType, "protected record with outer type other than application_data"));
  }
  if (body.size() < crypto::kAeadTagLen + 1) return Err(Error(Reason::kBadRecordMac, "record shorter than tag"));
  if (seq_ == UINT64_MAX) return Err(Error(Reason::kSequenceExhausted));
  uint8_t n[crypto::kAeadNonceLen];
  nonce(n);
  const size_t inner_len = body.size() - crypto::kAeadTagLen;
  // The inner content type is known only once opened: the first bytes go to
  // `deliver` on the chance that this is application data.
  MutBytes head = deliver.first(std::min(deliver.size(), inner_len));
  auto opened = aead_->open_to(Bytes(n, sizeof n), record.first(wire::kRecordHeaderLen), body.first(inner_len), head,
                               body.subspan(inner_len));
  if (!opened) return Err(Error(Reason::kBadRecordMac, "record authentication failed"));
  ++seq_;
  // The inner plaintext is head || body[head.size(), inner_len).
  auto inner = [&](size_t i) { return i < head.size() ? head[i] : body[i]; };
  // RFC 8446 §5.2: TLSInnerPlaintext (content, type and padding) is at most
  // 2^14 + 1 bytes.
  if (inner_len > wire::kMaxPlaintext + 1) {
    wipe(head);
    return Err(Error(Reason::kRecordOverflow, "record inner plaintext above 2^14 + 1"));
  }
  // RFC 8446 §5.4: strip zero padding; the last non-zero byte is the type.
  size_t end = inner_len;
  while (end > 0 && inner(end - 1) == 0) --end;
  if (end == 0) return Err(Error(Reason::kUnexpectedMessage, "protected record with no content type"));
  const auto type = static_cast<ContentType>(inner(end - 1));
  const size_t content = end - 1;
  if (type != ContentType::kApplicationData) {
    // Not the caller's: back into the record, and nothing left in `deliver`.
    std::ranges::copy(head, body.begin());
    wipe(head);
    return OpenedRecord{type, body.first(content), inner_len, 0};
  }
  const size_t delivered = std::min(content, head.size());
  // The content type and padding that landed in `deliver` are not data.
  wipe(head.subspan(delivered));
  return OpenedRecord{type, body.subspan(delivered, content - delivered), inner_len, delivered};
}

TlsResult<void> Tls12Protection::install(const crypto::Provider& p, crypto::AeadAlg a, Bytes key, Bytes iv) {
  explicit_nonce_ = a != crypto::AeadAlg::kChaCha20Poly1305;
  if (iv.size() != (explicit_nonce_ ? 4u : crypto::kAeadNonceLen)) {
    return Err(Error(Reason::kInternal, "TLS 1.2 IV has the wrong length"));
  }
  if (aead_ && aead_->alg() == a) {
    SLUICE_TRY(aead_->rekey(key));
  } else {
    aead_ = SLUICE_TRY(p.new_aead(a, key));
  }
  iv_.fill(0);
  std::copy(iv.begin(), iv.end(), iv_.begin());
  seq_ = 0;
  return {};
}

namespace {

// aad12 is the TLS 1.2 additional data: seq_num || type || version || length.
std::array<uint8_t, 13> aad12(uint64_t seq, ContentType type, uint16_t version, size_t len) {
  std::array<uint8_t, 13> aad{};
  ByteWriter w{MutBytes(aad)};
  w.u64(seq);
  w.u8(static_cast<uint8_t>(type));
  w.u16(version);
  w.u16(static_cast<uint16_t>(len));
  return aad;
}

}  // namespace

TlsResult<size_t> Tls12Protection::seal(ContentType type, MutBytes record, size_t payload_len, size_t,
                                        uint16_t, Bytes source) {
  const size_t body = prefix() + payload_len + crypto::kAeadTagLen;
  if (record.size() < wire::kRecordHeaderLen + body || body > 0xffff || !source_fits(source, payload_len)) {
    return Err(Error(Reason::kInternal, "no room to seal record"));
  }
  if (seq_ == UINT64_MAX) return Err(Error(Reason::kSequenceExhausted));
  write_header(record, type, wire::kTls12, body);
  uint8_t nonce[crypto::kAeadNonceLen];
  std::copy(iv_.begin(), iv_.end(), nonce);
  if (explicit_nonce_) {
    // RFC 5288 §3: the explicit part is sent; the sequence number makes it
    // unique per key.
    ByteWriter e{record.subspan(wire::kRecordHeaderLen, 8)};
    e.u64(seq_);
    std::copy_n(record.begin() + wire::kRecordHeaderLen, 8, nonce + 4);
  } else {
    for (size_t i = 0; i < 8; ++i) nonce[crypto::kAeadNonceLen - 1 - i] ^= static_cast<uint8_t>(seq_ >> (8 * i));
  }
  const auto aad = aad12(seq_, type, wire::kTls12, payload_len);
  MutBytes payload = record.subspan(wire::kRecordHeaderLen + prefix(), payload_len);
  SLUICE_TRY(aead_->seal_from(Bytes(nonce, sizeof nonce), aad, source, payload,
                              record.subspan(wire::kRecordHeaderLen + prefix() + payload_len, crypto::kAeadTagLen)));
  ++seq_;
  return wire::kRecordHeaderLen + body;
}

TlsResult<OpenedRecord> Tls12Protection::open(MutBytes record, MutBytes deliver) {
  Header h = SLUICE_TRY(header(record));
  MutBytes body = record.subspan(wire::kRecordHeaderLen);
  if (body.size() < prefix() + crypto::kAeadTagLen) return Err(Error(Reason::kBadRecordMac, "record shorter than tag"));
  if (seq_ == UINT64_MAX) return Err(Error(Reason::kSequenceExhausted));
  const auto type = static_cast<ContentType>(h.type);
  uint8_t nonce[crypto::kAeadNonceLen];
  std::copy(iv_.begin(), iv_.end(), nonce);
  if (explicit_nonce_) {
    std::copy_n(body.begin(), 8, nonce + 4);
  } else {
    for (size_t i = 0; i < 8; ++i) nonce[crypto::kAeadNonceLen - 1 - i] ^= static_cast<uint8_t>(seq_ >> (8 * i));
  }
  const size_t len = body.size() - prefix() - crypto::kAeadTagLen;
  const auto aad = aad12(seq_, type, h.version, len);
  MutBytes payload = body.subspan(prefix(), len);
  // RFC 5246 §6.2.3: the plaintext is at most 2^14 bytes. (Checked before
  // opening: `deliver` then never holds plaintext of a refused record.)
  const bool overflow = len > wire::kMaxPlaintext;
  MutBytes head = type == ContentType::kApplicationData && !overflow ? deliver.first(std::min(deliver.size(), len))
                                                                      : MutBytes();
  if (!aead_->open_to(Bytes(nonce, sizeof nonce), aad, payload, head, body.subspan(prefix() + len))) {
    return Err(Error(Reason::kBadRecordMac, "record authentication failed"));
  }
  ++seq_;
  if (overflow) return Err(Error(Reason::kRecordOverflow, "record plaintext above 2^14"));
  return OpenedRecord{type, payload.subspan(head.size()), len, head.size()};
}

TlsResult<Protection> Protection::tls12(const crypto::Provider& p, crypto::AeadAlg a, Bytes key, Bytes iv) {
  Protection out;
  out.impl_.emplace<Tls12Protection>();
  SLUICE_TRY(std::get<Tls12Protection>(out.impl_).install(p, a, key, iv));
  return out;
}

TlsResult<Protection> Protection::tls13(const crypto::Provider& p, crypto::HashAlg h, crypto::AeadAlg a,
                                        Bytes traffic_secret) {
  Protection out;
  SLUICE_TRY(out.install13(p, h, a, traffic_secret));
  return out;
}

TlsResult<void> Protection::install13(const crypto::Provider& p, crypto::HashAlg h, crypto::AeadAlg a,
                                      Bytes traffic_secret) {
  if (!std::holds_alternative<Tls13Protection>(impl_)) impl_.emplace<Tls13Protection>();
  return std::get<Tls13Protection>(impl_).install(p, h, a, traffic_secret);
}

}  // namespace sluice
