// Capability tokens (STYLE.md practice 6): move-only values that only the
// function performing a check can create. A connection enters traffic only
// with a HandshakeProof, so a handshake that skipped a check does not
// compile. CertVerified (the chain) comes from the verifier (verifier.h).
#pragma once

#include <variant>

#include "core/error.h"
#include "core/verifier.h"
#include "crypto/algorithms.h"

namespace sluice {

struct HandshakeMessage;
class Transcript;

// SigVerified proves a CertificateVerify signature was checked against the
// key of a verified chain.
class SigVerified {
 public:
  SigVerified(SigVerified&&) = default;
  SigVerified& operator=(SigVerified&&) = default;
  SigVerified(const SigVerified&) = delete;

 private:
  SigVerified() = default;
  friend class SignatureCheck;
  friend class SignatureCheck12;
  friend class ClientSignatureCheck12;
};

// FinishedVerified proves the peer's Finished matched our transcript.
class FinishedVerified {
 public:
  FinishedVerified(FinishedVerified&&) = default;
  FinishedVerified& operator=(FinishedVerified&&) = default;
  FinishedVerified(const FinishedVerified&) = delete;

 private:
  FinishedVerified() = default;
  friend class FinishedCheck;
  friend class FinishedCheck12;
};

// PskAccepted proves both sides hold the PSK: a server checked the
// client's binder, or a client saw the server select a PSK it offered (the
// server's Finished, keyed from it, then proves the server holds it).
class PskAccepted {
 public:
  PskAccepted(PskAccepted&&) = default;
  PskAccepted& operator=(PskAccepted&&) = default;
  PskAccepted(const PskAccepted&) = delete;

 private:
  PskAccepted() = default;
  friend class PskCheck;
};

// PeerAuthenticated says how the peer proved who it is.
class PeerAuthenticated {
 public:
  static PeerAuthenticated by_certificate(CertVerified cert, SigVerified sig) {
    return PeerAuthenticated(Cert{std::move(cert), std::move(sig)});
  }
  static PeerAuthenticated by_psk(PskAccepted psk) { return PeerAuthenticated(std::move(psk)); }
  // client_without_certificate: a server whose policy lets a client go
  // unauthenticated (it asked for no certificate, or an empty one is
  // accepted). A client entering traffic with this is refused.
  static PeerAuthenticated client_without_certificate() { return PeerAuthenticated(Anonymous{}); }
  PeerAuthenticated(PeerAuthenticated&&) = default;
  PeerAuthenticated& operator=(PeerAuthenticated&&) = default;

  bool anonymous() const { return std::holds_alternative<Anonymous>(how_); }

 private:
  struct Cert {
    CertVerified cert;
    SigVerified sig;
  };
  struct Anonymous {};
  template <class T>
  explicit PeerAuthenticated(T v) : how_(std::move(v)) {}
  std::variant<Cert, PskAccepted, Anonymous> how_;
};

// HandshakeProof is what entering traffic takes: the peer's Finished, and
// how the peer authenticated.
struct HandshakeProof {
  FinishedVerified finished;
  PeerAuthenticated peer;
};

}  // namespace sluice
