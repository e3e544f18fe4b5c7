// The TLS 1.2 protocol after the handshake: renegotiation (RFC 5746). A
// client answers a HelloRequest by its policy (Renegotiation): a
// no_renegotiation warning, a new handshake over the connection, or
// (kExplicit) nothing until the application calls renegotiate(), which
// also starts one unasked. A server asks for one with renegotiate() and
// then takes the client's ClientHello; an unasked ClientHello is refused
// with a warning, a bounded number of times, then fatally. Nothing else
// may arrive.
#pragma once

#include "core/post_handshake.h"

namespace sluice {

// Renegotiation requests refused with a warning before the next ends the
// connection: a server's ClientHellos, or a declining client's
// HelloRequests (a peer could otherwise keep either busy for free).
inline constexpr int kMaxRenegotiationRefusals = 4;

class PostHandshake12 final : public PostHandshake {
 public:
  PostHandshake12(HandshakeIo& io, Role role, std::string server_name, Renegotiation12 state, int renegotiations,
                  Traffic12 keys)
      : io_(io), role_(role), server_name_(std::move(server_name)), state_(std::move(state)),
        renegotiations_(renegotiations), keys_(std::move(keys)) {}
  Result<void, Error> export_keying_material(std::string_view label, std::optional<Bytes> context,
                                             MutBytes out) const override;
  // request_renegotiation: a server sends a HelloRequest; a client hands
  // the connection a machine whose ClientHello renegotiates.
  Result<void, Error> request_renegotiation() override;
  bool renegotiation_requested() const override { return hello_request_pending_; }
  int renegotiations() const { return renegotiations_; }

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
  Result<void, Error> refuse();

  HandshakeIo& io_;
  Role role_;
  std::string server_name_;
  Renegotiation12 state_;
  int renegotiations_;  // completed on this connection
  int refusals_ = 0;
  bool requested_ = false;  // server: a HelloRequest went out
  bool hello_request_pending_ = false;  // client, kExplicit: the server asked, the application has not answered
  Traffic12 keys_;          // master secret and randoms, for the exporter
};

}  // namespace sluice
