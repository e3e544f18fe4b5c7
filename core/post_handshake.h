// PostHandshake: what a connection does with handshake messages after the
// handshake, and the calls of the API that start such messages. Dispatched
// by version: post_handshake13 (tickets, KeyUpdate, post-handshake auth)
// and post_handshake12 (HelloRequest and renegotiation attempts).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/handshake.h"

namespace sluice {

class PostHandshake {
 public:
  virtual ~PostHandshake() = default;
  // process handles one message (`ends_record`: nothing followed it in its
  // record); kAsync while an answer waits for a signature (then resume()).
  virtual TlsResult<Wait> process(const HandshakeMessage& m, bool ends_record, Negotiated& negotiated) = 0;
  virtual TlsResult<Wait> resume() = 0;
  virtual bool answer_pending() const = 0;
  virtual crypto::PendingSignature* pending_operation() const = 0;
  // note_app_data: application bytes received.
  virtual void note_app_data(size_t bytes) = 0;
  // KeyUpdate (TLS 1.3 only; an API error elsewhere).
  virtual Result<void, Error> send_key_update(bool request_peer_update) = 0;
  virtual bool reply_pending() const = 0;
  virtual Result<void, Error> send_pending_reply() = 0;
  virtual Result<void, Error> rekey_if_due(uint64_t write_sequence, uint64_t interval) = 0;
  // Post-handshake client authentication (TLS 1.3 only).
  virtual bool can_request_certificate() const = 0;
  virtual Result<void, Error> request_client_certificate() = 0;
  virtual int outstanding_requests() const = 0;
  // export_keying_material: RFC 8446 §7.5 (TLS 1.3) or RFC 5705 (TLS 1.2).
  virtual Result<void, Error> export_keying_material(std::string_view label, std::optional<Bytes> context,
                                                     MutBytes out) const = 0;
  // request_renegotiation: a TLS 1.2 server's HelloRequest, or a TLS 1.2
  // client's new handshake (HandshakeIo::renegotiate gets its machine).
  virtual Result<void, Error> request_renegotiation() {
    return Err(Error::api(Reason::kApiMisuse, "renegotiation exists in TLS 1.2 only"));
  }
  // renegotiation_requested: a client's HelloRequest waits for the
  // application (Renegotiation::kExplicit).
  virtual bool renegotiation_requested() const { return false; }
};

}  // namespace sluice
