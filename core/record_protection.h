// Record protection for one direction: sealing and opening records in place,
// the per-record nonce and the sequence number with its limit.
//
// RecordProtection is the interface the record layer talks to; each protocol
// version brings its own implementation (STYLE.md practice 11): NullProtection
// for TLSPlaintext records before keys exist, Tls13Protection for RFC 8446
// §5.2 records (inner content type, padding, nonce = IV xor sequence), and,
// with TLS 1.2, an AEAD implementation with its explicit nonce and 13-byte AAD.
// Protection holds one of them by value, so switching keys allocates nothing
// beyond the AEAD object itself.
//
// Record layout while sealing: [header 5][prefix()][payload][overhead()][padding]
// (the padding sits inside the protected area for TLS 1.3).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <variant>

#include "base/secret.h"
#include "core/bytes.h"
#include "core/error.h"
#include "core/wire/types.h"
#include "crypto/provider.h"

namespace sluice {

struct OpenedRecord {
  wire::ContentType type;
  // plaintext is the content, inside the record buffer that was opened,
  // less its first `delivered` bytes: those went to open()'s `deliver`.
  MutBytes plaintext;
  // inner_len is the protected plaintext with its content type and padding
  // (TLS 1.3's TLSInnerPlaintext); for other protections the plaintext size.
  size_t inner_len = 0;
  size_t delivered = 0;
  size_t content_len() const { return delivered + plaintext.size(); }
};

class RecordProtection {
 public:
  virtual ~RecordProtection() = default;
  virtual bool encrypted() const = 0;
  // prefix is what sealing writes between the header and the payload (TLS
  // 1.2's explicit nonce); overhead what it adds after the payload.
  virtual size_t prefix() const = 0;
  virtual size_t overhead() const = 0;
  // padding_allowed: the record format can carry zero padding (TLS 1.3).
  virtual bool padding_allowed() const = 0;
  // max_record_body is the largest record body (after the header) the peer
  // may send under this protection.
  virtual size_t max_record_body() const = 0;
  virtual uint64_t sequence() const = 0;

  // seal protects a payload of `payload_len` bytes. `record` starts with
  // header and prefix room, then the payload's room, then at least
  // overhead() + padding bytes of room. The payload is in place there, or,
  // when `source` is not empty (payload_len bytes outside `record`), sealed
  // from `source` without being copied in first. `record_version` is the
  // legacy version written in the header. Returns the record's total length.
  virtual TlsResult<size_t> seal(wire::ContentType type, MutBytes record, size_t payload_len, size_t padding,
                                 uint16_t record_version, Bytes source) = 0;
  // open checks and decrypts a whole record (header included) in place.
  // Application data may instead be decrypted into `deliver` (the copying
  // read()'s buffer), as much of it as fits: OpenedRecord::delivered says
  // how much. What `deliver` holds past that is unspecified (zeros), and
  // nothing else is ever left there.
  virtual TlsResult<OpenedRecord> open(MutBytes record, MutBytes deliver) = 0;
  // open_trial says whether `record` (a copy, decrypted in place) opens
  // under this key, without advancing the sequence number.
  virtual bool open_trial(MutBytes record) const = 0;
  // release_schedule lets the AEAD drop its key schedule while the
  // direction is idle (crypto::AeadKey::release_schedule).
  virtual void release_schedule() {}
};

// NullProtection: TLSPlaintext (RFC 8446 §5.1) before any key is in use.
class NullProtection final : public RecordProtection {
 public:
  bool encrypted() const override { return false; }
  size_t prefix() const override { return 0; }
  size_t overhead() const override { return 0; }
  bool padding_allowed() const override { return false; }
  size_t max_record_body() const override { return wire::kMaxPlaintext; }
  uint64_t sequence() const override { return 0; }
  TlsResult<size_t> seal(wire::ContentType type, MutBytes record, size_t payload_len, size_t padding,
                         uint16_t record_version, Bytes source) override;
  TlsResult<OpenedRecord> open(MutBytes record, MutBytes deliver) override;
  bool open_trial(MutBytes) const override { return false; }
};

// Tls13Protection: TLSCiphertext records of RFC 8446 §5.2-§5.4.
class Tls13Protection final : public RecordProtection {
 public:
  Tls13Protection() = default;
  Tls13Protection(Tls13Protection&&) noexcept = default;
  Tls13Protection& operator=(Tls13Protection&&) noexcept = default;

  // install switches to the keys of `traffic_secret` with the sequence
  // number at zero. The AEAD object is rekeyed when it has the same
  // algorithm (KeyUpdate, handshake to application keys): no allocation.
  TlsResult<void> install(const crypto::Provider& p, crypto::HashAlg h, crypto::AeadAlg a, Bytes traffic_secret);

  bool encrypted() const override { return true; }
  size_t prefix() const override { return 0; }
  size_t overhead() const override { return 1 + crypto::kAeadTagLen; }
  bool padding_allowed() const override { return true; }
  size_t max_record_body() const override { return wire::kMaxCiphertext; }
  uint64_t sequence() const override { return seq_; }
  TlsResult<size_t> seal(wire::ContentType type, MutBytes record, size_t payload_len, size_t padding,
                         uint16_t record_version, Bytes source) override;
  TlsResult<OpenedRecord> open(MutBytes record, MutBytes deliver) override;
  bool open_trial(MutBytes record) const override;
  void release_schedule() override {
    if (aead_) aead_->release_schedule();
  }

 private:
  void nonce(uint8_t out[crypto::kAeadNonceLen]) const;
  std::unique_ptr<crypto::AeadKey> aead_;
  // The static IV only forms nonces, and an AEAD's security does not rest
  // on nonces being secret: a plain 12 bytes rather than a SecretBytes.
  std::array<uint8_t, crypto::kAeadNonceLen> iv_{};
  uint64_t seq_ = 0;
};

// Tls12Protection: TLS 1.2 AEAD records (RFC 5246 §6.2.3.3): AES-GCM with a
// 4-byte implicit salt and an 8-byte explicit nonce carried in the record
// (the sequence number, RFC 5288 §3), or ChaCha20-Poly1305 with the IV xor
// the sequence number (RFC 7905 §2); AAD = seq || type || version || length.
class Tls12Protection final : public RecordProtection {
 public:
  Tls12Protection() = default;
  Tls12Protection(Tls12Protection&&) noexcept = default;
  Tls12Protection& operator=(Tls12Protection&&) noexcept = default;

  // install keys this direction (sequence number zero). `iv` is 4 bytes for
  // GCM, 12 for ChaCha20-Poly1305.
  TlsResult<void> install(const crypto::Provider& p, crypto::AeadAlg a, Bytes key, Bytes iv);

  bool encrypted() const override { return true; }
  size_t prefix() const override { return explicit_nonce_ ? 8 : 0; }
  size_t overhead() const override { return crypto::kAeadTagLen; }
  bool padding_allowed() const override { return false; }
  size_t max_record_body() const override { return wire::kMaxCiphertext12; }
  uint64_t sequence() const override { return seq_; }
  TlsResult<size_t> seal(wire::ContentType type, MutBytes record, size_t payload_len, size_t padding,
                         uint16_t record_version, Bytes source) override;
  TlsResult<OpenedRecord> open(MutBytes record, MutBytes deliver) override;
  bool open_trial(MutBytes) const override { return false; }
  void release_schedule() override {
    if (aead_) aead_->release_schedule();
  }

 private:
  std::unique_ptr<crypto::AeadKey> aead_;
  std::array<uint8_t, crypto::kAeadNonceLen> iv_{};
  bool explicit_nonce_ = true;
  uint64_t seq_ = 0;
};

// Protection owns one direction's RecordProtection by value.
class Protection {
 public:
  Protection() = default;  // null protection
  Protection(Protection&&) noexcept = default;
  Protection& operator=(Protection&&) noexcept = default;

  // tls13 is a fresh Tls13Protection with the keys of `traffic_secret`.
  static TlsResult<Protection> tls13(const crypto::Provider& p, crypto::HashAlg h, crypto::AeadAlg a,
                                     Bytes traffic_secret);
  // install13 moves this direction to the TLS 1.3 keys of `traffic_secret`,
  // reusing the AEAD object when one of the same algorithm is held.
  TlsResult<void> install13(const crypto::Provider& p, crypto::HashAlg h, crypto::AeadAlg a, Bytes traffic_secret);
  // tls12 is a TLS 1.2 AEAD protection with `key` and implicit `iv`.
  static TlsResult<Protection> tls12(const crypto::Provider& p, crypto::AeadAlg a, Bytes key, Bytes iv);

  // The interface's calls, forwarded (seal's padding and version default to
  // none and 0x0303).
  bool encrypted() const { return get().encrypted(); }
  bool tls13() const { return std::holds_alternative<Tls13Protection>(impl_); }
  size_t overhead() const { return get().overhead(); }
  uint64_t sequence() const { return get().sequence(); }
  TlsResult<size_t> seal(wire::ContentType type, MutBytes record, size_t payload_len, size_t padding = 0,
                         uint16_t record_version = wire::kTls12, Bytes source = {}) {
    return get().seal(type, record, payload_len, padding, record_version, source);
  }
  TlsResult<OpenedRecord> open(MutBytes record, MutBytes deliver = {}) { return get().open(record, deliver); }
  bool open_trial(MutBytes record) const { return get().open_trial(record); }
  void release_schedule() { get().release_schedule(); }

  RecordProtection* operator->() { return &get(); }
  const RecordProtection* operator->() const { return &get(); }
  RecordProtection& get() {
    return std::visit([](auto& p) -> RecordProtection& { return p; }, impl_);
  }
  const RecordProtection& get() const {
    return std::visit([](const auto& p) -> const RecordProtection& { return p; }, impl_);
  }

 private:
  std::variant<NullProtection, Tls13Protection, Tls12Protection> impl_;
};

}  // namespace sluice
