// TLS 1.2 pieces both machines use: the signature schemes a suite allows,
// the ServerKeyExchange signature check and the Finished check (which make
// the proofs of proofs.h), and our own Finished.
#pragma once

#include <array>
#include <optional>
#include <span>

#include "core/handshake.h"
#include "core/keyschedule12.h"
#include "core/suites.h"
#include "core/transcript.h"
#include "core/wire/tls12.h"

namespace sluice {

// key_fits_suite12: a key of type `k` may authenticate a suite by `auth`
// (RFC 8422 §5.1.3 and RFC 8422bis: ECDSA suites carry EdDSA keys too).
bool key_fits_suite12(crypto::KeyType k, Authentication auth);
// curve_offered12: RFC 8422 §5.3 — in TLS 1.2 a server's ECDSA key lies on
// a curve the client's supported_groups names (TLS 1.3 binds the curve in
// the signature scheme instead). Other keys, and a client that sent no
// list, pass.
bool curve_offered12(crypto::KeyType k, std::span<const uint16_t> client_groups);
// tls12_signature_scheme: `s` may sign for a suite authenticated by `auth`
// in TLS 1.2 (RFC 5246 §7.4.1.4.1, RFC 8422 §5.1.3, RFC 8446 §4.2.3).
bool tls12_signature_scheme(crypto::SignatureScheme s, Authentication auth);

// choose_signature_scheme12 picks the first of the peer's schemes that the
// suite allows, we allow, and `signer` can make.
std::optional<crypto::SignatureScheme> choose_signature_scheme12(std::span<const uint16_t> peer_schemes,
                                                                 std::span<const crypto::SignatureScheme> ours,
                                                                 const crypto::Signer& signer, Authentication auth);

// ske_signed_content: client_random || server_random || params (RFC 8422 §5.4).
std::vector<uint8_t> ske_signed_content(Bytes client_random, Bytes server_random, const wire::ServerKeyExchangeEcdhe& ske);

class SignatureCheck12 {
 public:
  // verify_server_key_exchange checks the ServerKeyExchange signature by the
  // verified server key, its scheme offered by us and allowed for `auth`.
  static TlsResult<SigVerified> verify_server_key_exchange(const crypto::Provider& p, const CertVerified& cert,
                                                           std::span<const crypto::SignatureScheme> offered,
                                                           Authentication auth,
                                                           Bytes client_random, Bytes server_random,
                                                           const wire::ServerKeyExchangeEcdhe& ske);
};

// SignatureCheck12 also checks a client's CertificateVerify, which signs
// the handshake messages themselves (RFC 5246 §7.4.8).
class ClientSignatureCheck12 {
 public:
  static TlsResult<SigVerified> verify(const HandshakeMessage& m, const crypto::Provider& p, const CertVerified& cert,
                                       std::span<const uint16_t> requested, Bytes handshake_messages);
};

// client_auth_scheme12 picks a scheme for our certificate from a
// CertificateRequest's list: one we allow that the key can make.
std::optional<crypto::SignatureScheme> client_auth_scheme12(std::span<const uint16_t> requested,
                                                            std::span<const crypto::SignatureScheme> ours,
                                                            const crypto::Signer& signer);

class FinishedCheck12 {
 public:
  // verify checks a Finished message from the other side.
  static TlsResult<FinishedVerified> verify(const HandshakeMessage& m, const crypto::Provider& p, crypto::HashAlg h,
                                            Bytes master, bool from_client, const Transcript& transcript);
};

// queue_finished12 sends our Finished and adds it to the transcript.
TlsResult<std::array<uint8_t, kFinished12Len>> queue_finished12(HandshakeIo& io, crypto::HashAlg h, Bytes master,
                                                                bool from_client, Transcript& t);

// keys12 derives both directions' protections from the master secret.
struct Protections12 {
  Protection client_write, server_write;
};
TlsResult<Protections12> protections12(const crypto::Provider& p, const SuiteInfo& suite, Bytes master,
                                       Bytes client_random, Bytes server_random);

}  // namespace sluice
