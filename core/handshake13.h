// Pieces both TLS 1.3 handshake machines use: cipher suite descriptors, the
// CertificateVerify content, Finished computation, and the capability tokens
// that prove each check ran (STYLE.md practice 6).
#pragma once

#include <array>
#include <optional>
#include <vector>

#include "core/connection_impl.h"
#include "core/keyschedule.h"
#include "core/transcript.h"
#include "core/wire/types.h"

namespace sluice {

struct SuiteInfo {
  wire::CipherSuite suite;
  crypto::AeadAlg aead;
  crypto::HashAlg hash;
};
std::optional<SuiteInfo> suite_info(uint16_t code_point);

// The bytes a CertificateVerify signs (RFC 8446 §4.4.3): 64 spaces, the
// context string, a zero byte and the transcript hash.
struct VerifyInput {
  std::array<uint8_t, 64 + 33 + 1 + crypto::kMaxHashLen> bytes;
  size_t len = 0;
  Bytes view() const { return Bytes(bytes.data(), len); }
};
VerifyInput certificate_verify_input(bool from_server, Bytes transcript_hash);

// SigVerified proves a CertificateVerify signature was checked.
class SigVerified {
 public:
  SigVerified(SigVerified&&) = default;
  SigVerified(const SigVerified&) = delete;

 private:
  SigVerified() = default;
  friend TlsResult<SigVerified> verify_certificate_verify(const crypto::Provider&, const crypto::PublicKey&,
                                                          uint16_t, Bytes, Bytes, bool);
};
// verify_certificate_verify checks `signature` by `key` with `scheme` over the
// CertificateVerify input for `transcript_hash`.
TlsResult<SigVerified> verify_certificate_verify(const crypto::Provider& p, const crypto::PublicKey& key,
                                                 uint16_t scheme, Bytes transcript_hash, Bytes signature,
                                                 bool from_server);

// FinishedVerified proves the peer's Finished matched.
class FinishedVerified {
 public:
  FinishedVerified(FinishedVerified&&) = default;
  FinishedVerified(const FinishedVerified&) = delete;

 private:
  FinishedVerified() = default;
  friend TlsResult<FinishedVerified> verify_finished(const crypto::Provider&, crypto::HashAlg, Bytes, Bytes,
                                                     Bytes);
};
TlsResult<FinishedVerified> verify_finished(const crypto::Provider& p, crypto::HashAlg h, Bytes base_key,
                                            Bytes transcript_hash, Bytes verify_data);

// FinishedMessage is our whole Finished message (header included), built
// on the stack: it is added to the transcript and sent, never kept.
struct FinishedMessage {
  uint8_t bytes[4 + crypto::kMaxHashLen];
  size_t len = 0;
  Bytes view() const { return Bytes(bytes, len); }
};
// finished_message builds our Finished for `base_key` over the transcript.
TlsResult<FinishedMessage> finished_message(const crypto::Provider& p, crypto::HashAlg h, Bytes base_key,
                                            Bytes transcript_hash);

// psk_binder computes the binder for `psk` over the hash of the truncated
// ClientHello (RFC 8446 §4.2.11.2).
TlsResult<std::vector<uint8_t>> psk_binder(const crypto::Provider& p, crypto::HashAlg h, Bytes psk,
                                           Bytes truncated_hello_hash);

// Transcript hash as a small fixed buffer.
struct HashValue {
  uint8_t bytes[crypto::kMaxHashLen];
  size_t len = 0;
  Bytes view() const { return Bytes(bytes, len); }
};
HashValue current_hash(const Transcript& t);

// expect_message checks the type of the next message in one place (STYLE.md
// practice 4): anything else is unexpected_message.
Result<void, Error> expect_message(const HandshakeMessage& m, wire::HandshakeType t);

bool is_ip_literal(std::string_view name);

}  // namespace sluice
