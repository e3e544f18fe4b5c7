// TLS 1.3 messages both sides send and receive, processed in one place
// (BoringSSL's tls13_both.cc): Certificate, CertificateVerify and Finished,
// the signature-scheme rules of RFC 8446 §4.2.3/§4.4.3, PSK binders, and the
// checks that create the proofs of proofs.h. Used by both handshake machines
// and by post-handshake client authentication.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <vector>

#include "core/context.h"
#include "core/handshake.h"
#include "core/keyschedule.h"
#include "core/proofs.h"
#include "core/transcript.h"
#include "core/wire/hello.h"
#include "core/wire/messages.h"

namespace sluice {

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

// take_proof moves a proof out of the optional a machine kept it in; a
// missing one (a state entered without its check) is an internal error,
// never a dereference of nothing.
template <class T>
TlsResult<T> take_proof(std::optional<T>& held, const char* what) {
  if (!held) return Err(Error(Reason::kInternal, what));
  T out = std::move(*held);
  held.reset();
  return out;
}

// tls13_signature_scheme: `s` may sign a TLS 1.3 CertificateVerify (RFC
// 8446 §4.2.3: not RSASSA-PKCS1-v1_5, not SHA-1, and known to us).
bool tls13_signature_scheme(crypto::SignatureScheme s);

// choose_signature_scheme13 picks the first of the peer's schemes (in its
// preference order) that we allow and `signer` can make; nullopt if none.
std::optional<crypto::SignatureScheme> choose_signature_scheme13(std::span<const uint16_t> peer_schemes,
                                                                 std::span<const crypto::SignatureScheme> ours,
                                                                 const crypto::Signer& signer);

// The bytes a CertificateVerify signs (RFC 8446 §4.4.3): 64 spaces, the
// context string, a zero byte and the transcript hash.
struct VerifyInput {
  std::array<uint8_t, 64 + 33 + 1 + crypto::kMaxHashLen> bytes;
  size_t len = 0;
  Bytes view() const { return Bytes(bytes.data(), len); }
};
VerifyInput certificate_verify_input(bool from_server, Bytes transcript_hash);

// read_certificate parses a Certificate message whose request context must
// equal `context`; staples (OCSP, SCT) are unsupported_extension unless
// asked for.
TlsResult<wire::Certificate> read_certificate(const HandshakeMessage& m, Bytes context, bool ocsp_asked = false,
                                              bool sct_asked = false);

// SignatureCheck verifies a peer's CertificateVerify.
class SignatureCheck {
 public:
  struct Checked {
    SigVerified proof;
    crypto::SignatureScheme scheme;
  };
  // verify checks that `m` is a CertificateVerify whose scheme is in
  // `allowed` and allowed in TLS 1.3, that fits the verified key, and whose
  // signature by that key covers `transcript`.
  static TlsResult<Checked> verify(const HandshakeMessage& m, const crypto::Provider& p, const CertVerified& cert,
                                   std::span<const uint16_t> allowed, const Transcript& transcript,
                                   bool from_server);
};

// FinishedCheck verifies a peer's Finished against `base_key` (its
// handshake traffic secret) and the transcript before it.
class FinishedCheck {
 public:
  static TlsResult<FinishedVerified> verify(const HandshakeMessage& m, const crypto::Provider& p, crypto::HashAlg h,
                                            Bytes base_key, const Transcript& transcript);
};

// PskCheck: the server's binder check (RFC 8446 §4.2.11.2) and the
// client's check of the server's selection.
class PskCheck {
 public:
  static TlsResult<PskAccepted> verify_binder(const crypto::Provider& p, crypto::HashAlg h, Bytes psk,
                                              Bytes truncated_hello_hash, Bytes binder);
  // accept_selection: the server chose identity `index` of the `offered`
  // ones, with a suite hash `suite_hash` for a PSK made with `psk_hash`.
  static TlsResult<PskAccepted> accept_selection(size_t offered, uint16_t index, crypto::HashAlg psk_hash,
                                                 crypto::HashAlg suite_hash);
};

// psk_binder computes the binder for `psk` over the hash of the truncated
// ClientHello (RFC 8446 §4.2.11.2).
TlsResult<std::vector<uint8_t>> psk_binder(const crypto::Provider& p, crypto::HashAlg h, Bytes psk,
                                           Bytes truncated_hello_hash);

// --- our messages ---
// queue_certificate13 sends a Certificate of `chain` (empty: none), with
// what is stapled to its end entity (empty: nothing), and adds it to the
// transcript. With `compress_with` (the algorithm chosen for the peer's
// compress_certificate list) a chain goes as a CompressedCertificate
// unless the compressor declines (RFC 8879 §4); an empty one gains
// nothing from compression and goes as it is.
Result<void, Error> queue_certificate13(HandshakeIo& io, Bytes context, std::span<const std::vector<uint8_t>> chain,
                                        Bytes ocsp_response, Bytes sct_list, Transcript& t,
                                        const CertificateCompression* compress_with = nullptr);
// queue_certificate_verify13 signs the transcript with `signer` and sends
// the CertificateVerify. kAsync while the signature is pending in
// `pending` (the caller keeps it and calls again with the same transcript),
// kOk once sent.
TlsResult<Wait> queue_certificate_verify13(HandshakeIo& io, crypto::Signer& signer, crypto::SignatureScheme scheme,
                                           Transcript& t, bool from_server,
                                           std::unique_ptr<crypto::PendingSignature>& pending);
// queue_finished13 sends our Finished for `base_key` and adds it to the
// transcript.
Result<void, Error> queue_finished13(HandshakeIo& io, crypto::HashAlg h, Bytes base_key, Transcript& t);

// export_keying_material13: RFC 8446 §7.5 from an exporter master secret;
// no context hashes as an empty one.
Result<void, Error> export_keying_material13(const crypto::Provider& p, crypto::HashAlg h, Bytes exporter_secret,
                                             std::string_view label, std::optional<Bytes> context, MutBytes out);

// ech_accept_confirmation writes the 8-byte signal that a server answered
// the ClientHelloInner (draft-ietf-tls-esni §7.2): HKDF-Expand-Label(
// HKDF-Extract(0, ClientHelloInner.random), label, Transcript-Hash(
// transcript + message), 8), where `message` (the ServerHello or
// HelloRetryRequest) has the signal's own bytes zeroed.
inline constexpr std::string_view kEchAcceptLabel = "ech accept confirmation";
inline constexpr std::string_view kEchHrrAcceptLabel = "hrr ech accept confirmation";
Result<void, Error> ech_accept_confirmation(const crypto::Provider& p, crypto::HashAlg h, Bytes inner_random,
                                            std::string_view label, const Transcript& transcript, Bytes message,
                                            MutBytes out);

// is_ip_literal: `name` is an IPv4 dotted quad or an IPv6 address (RFC 6066
// §3: those are not sent as SNI).
bool is_ip_literal(std::string_view name);

}  // namespace sluice
