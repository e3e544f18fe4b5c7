#include "core/record.h"

#include "core/keyschedule.h"

namespace sluice {

using wire::ContentType;

TlsResult<RecordProtection> RecordProtection::tls13(const crypto::Provider& p, crypto::HashAlg h,
                                                    crypto::AeadAlg a, Bytes traffic_secret) {
  RecordProtection rp;
  SLUICE_TRY(rp.install13(p, h, a, traffic_secret));
  return rp;
}

TlsResult<void> RecordProtection::install13(const crypto::Provider& p, crypto::HashAlg h, crypto::AeadAlg a,
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

void RecordProtection::nonce(uint8_t out[crypto::kAeadNonceLen]) const {
  // RFC 8446 §5.3: the 64-bit sequence number, left-padded to the IV length,
  // XORed with the static IV.
  for (size_t i = 0; i < crypto::kAeadNonceLen; ++i) out[i] = iv_[i];
  for (size_t i = 0; i < 8; ++i) out[crypto::kAeadNonceLen - 1 - i] ^= static_cast<uint8_t>(seq_ >> (8 * i));
}

TlsResult<size_t> RecordProtection::seal(ContentType type, MutBytes record, size_t payload_len, size_t padding) {
  if (!aead_) padding = 0;
  const size_t total = wire::kRecordHeaderLen + payload_len + overhead() + padding;
  if (record.size() < total) return Err(Error(Reason::kInternal, "no room to seal record"));
  ByteWriter header{record.first(wire::kRecordHeaderLen)};
  if (!aead_) {
    header.u8(static_cast<uint8_t>(type));
    header.u16(wire::kTls12);
    header.u16(static_cast<uint16_t>(payload_len));
    return total;
  }
  // RFC 8446 §5.5: never reuse a nonce; the sequence number may not wrap.
  if (seq_ == UINT64_MAX) return Err(Error(Reason::kSequenceExhausted));
  const size_t inner_len = payload_len + 1 + padding;
  header.u8(static_cast<uint8_t>(ContentType::kApplicationData));
  header.u16(wire::kTls12);
  header.u16(static_cast<uint16_t>(inner_len + crypto::kAeadTagLen));
  record[wire::kRecordHeaderLen + payload_len] = static_cast<uint8_t>(type);
  auto pad = record.subspan(wire::kRecordHeaderLen + payload_len + 1, padding);
  std::fill(pad.begin(), pad.end(), 0);
  uint8_t n[crypto::kAeadNonceLen];
  nonce(n);
  SLUICE_TRY(aead_->seal(Bytes(n, sizeof n), record.first(wire::kRecordHeaderLen),
                         record.subspan(wire::kRecordHeaderLen, inner_len),
                         record.subspan(wire::kRecordHeaderLen + inner_len, crypto::kAeadTagLen)));
  ++seq_;
  return total;
}

bool RecordProtection::open_trial(MutBytes record) const {
  if (!aead_ || record.size() < wire::kRecordHeaderLen + crypto::kAeadTagLen + 1) return false;
  uint8_t n[crypto::kAeadNonceLen];
  nonce(n);
  MutBytes body = record.subspan(wire::kRecordHeaderLen);
  const size_t inner_len = body.size() - crypto::kAeadTagLen;
  return aead_->open(Bytes(n, sizeof n), record.first(wire::kRecordHeaderLen), body.first(inner_len),
                     body.subspan(inner_len))
      .ok();
}

TlsResult<OpenedRecord> RecordProtection::open(MutBytes record) {
  ByteReader r(record);
  uint8_t type;
  uint16_t version, len;
  if (!r.u8(type) || !r.u16(version) || !r.u16(len) || r.remaining() != len) {
    return Err(Error(Reason::kInternal, "record framing"));
  }
  MutBytes body = record.subspan(wire::kRecordHeaderLen);
  if (!aead_) return OpenedRecord{static_cast<ContentType>(type), body};
  if (static_cast<ContentType>(type) != ContentType::kApplicationData) {
    return Err(Error(Reason::kBadRecordType, "protected record with outer type other than application_data"));
  }
  if (body.size() < crypto::kAeadTagLen + 1) return Err(Error(Reason::kBadRecordMac, "record shorter than tag"));
  if (seq_ == UINT64_MAX) return Err(Error(Reason::kSequenceExhausted));
  uint8_t n[crypto::kAeadNonceLen];
  nonce(n);
  const size_t inner_len = body.size() - crypto::kAeadTagLen;
  auto opened = aead_->open(Bytes(n, sizeof n), record.first(wire::kRecordHeaderLen), body.first(inner_len),
                            body.subspan(inner_len));
  if (!opened) return Err(Error(Reason::kBadRecordMac, "record authentication failed"));
  ++seq_;
  // RFC 8446 §5.4: strip zero padding; the last non-zero byte is the type.
  size_t end = inner_len;
  while (end > 0 && body[end - 1] == 0) --end;
  if (end == 0) return Err(Error(Reason::kUnexpectedMessage, "protected record with no content type"));
  // RFC 8446 §5.4: the plaintext limit applies to content, not padding;
  // the caller checks the content length.
  return OpenedRecord{static_cast<ContentType>(body[end - 1]), body.first(end - 1)};
}

}  // namespace sluice
