// Record protection for one direction (RFC 8446 §5.2): sealing and opening
// in place, the per-record nonce, the inner content type, and the sequence
// number with its limit. Plaintext records are a null protection object, so
// callers never branch on "encrypted yet?" (STYLE.md practice 11).
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "base/secret.h"
#include "core/bytes.h"
#include "core/error.h"
#include "core/wire/types.h"
#include "crypto/provider.h"

namespace sluice {

struct OpenedRecord {
  wire::ContentType type;
  MutBytes plaintext;  // inside the record buffer that was opened
};

class RecordProtection {
 public:
  // null: TLSPlaintext records, before keys exist.
  RecordProtection() = default;
  static TlsResult<RecordProtection> tls13(const crypto::Provider& p, crypto::HashAlg h, crypto::AeadAlg a,
                                           Bytes traffic_secret);
  // install13 switches to the keys of `traffic_secret` with the sequence
  // number at zero. The AEAD object is rekeyed when it has the same
  // algorithm (KeyUpdate, handshake to application keys): no allocation.
  TlsResult<void> install13(const crypto::Provider& p, crypto::HashAlg h, crypto::AeadAlg a, Bytes traffic_secret);

  bool encrypted() const { return aead_ != nullptr; }
  // overhead is what sealing adds after the payload: inner type + tag.
  size_t overhead() const { return aead_ ? 1 + crypto::kAeadTagLen : 0; }
  uint64_t sequence() const { return seq_; }

  // seal protects the payload in place. `record` starts with 5 bytes of room
  // for the header, then `payload_len` bytes of payload, then at least
  // overhead() + padding bytes of room. `padding` zeros follow the inner
  // content type (RFC 8446 §5.4); plaintext records take none. Returns the
  // record's total length.
  TlsResult<size_t> seal(wire::ContentType type, MutBytes record, size_t payload_len, size_t padding = 0);
  // open checks and decrypts a whole record (header included) in place.
  TlsResult<OpenedRecord> open(MutBytes record);
  // open_trial says whether `record` (a copy, decrypted in place) opens
  // under this key, without advancing the sequence number.
  bool open_trial(MutBytes record) const;

 private:
  void nonce(uint8_t out[crypto::kAeadNonceLen]) const;
  std::unique_ptr<crypto::AeadKey> aead_;
  // The static IV only forms nonces, and an AEAD's security does not rest
  // on nonces being secret: a plain 12 bytes rather than a SecretBytes.
  std::array<uint8_t, crypto::kAeadNonceLen> iv_{};
  uint64_t seq_ = 0;
};

}  // namespace sluice
