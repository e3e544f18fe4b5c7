// The TLS 1.2 protocol after the handshake: renegotiation is refused
// (RFC 5746 secure renegotiation is negotiated, so refusing is safe): a
// client answers a HelloRequest with a no_renegotiation warning, a server
// answers a ClientHello the same way, a bounded number of times and then
// fatally. Nothing else may arrive.
#pragma once

#include "core/post_handshake.h"

namespace sluice {

// Renegotiation attempts a server refuses with a warning before ending the
// connection (a peer could otherwise keep it busy for free).
inline constexpr int kMaxRenegotiationRefusals = 4;

class PostHandshake12 final : public PostHandshake {
 public:
  PostHandshake12(HandshakeIo& io, Role role) : io_(io), role_(role) {}

  TlsResult<Wait> process(const HandshakeMessage& m, bool ends_record, Negotiated& negotiated) override;
  TlsResult<Wait> resume() override { return Wait::kOk; }
  bool answer_pending() const override { return false; }
  crypto::PendingSignature* pending_operation() const override { return nullptr; }
  void note_app_data(size_t) override {}
  Result<void, Error> send_key_update(bool) override {
    return Err(Error::api(Reason::kApiMisuse, "KeyUpdate exists in TLS 1.3 only"));
  }
  bool reply_pending() const override { return false; }
  Result<void, Error> send_pending_reply() override { return {}; }
  // TLS 1.2 has no KeyUpdate; its AEAD nonces come from a 64-bit sequence.
  Result<void, Error> rekey_if_due(uint64_t, uint64_t) override { return {}; }
  bool can_request_certificate() const override { return false; }
  Result<void, Error> request_client_certificate() override {
    return Err(Error::api(Reason::kApiMisuse, "post-handshake authentication exists in TLS 1.3 only"));
  }
  int outstanding_requests() const override { return 0; }

 private:
  HandshakeIo& io_;
  Role role_;
  int refusals_ = 0;
};

}  // namespace sluice
