// The TLS 1.3 protocol after the handshake (RFC 8446 §4.6): NewSessionTicket
// (stored by a client), KeyUpdate (one sender; replies to the peer's
// requests coalesced) and post-handshake client authentication, both roles.
// A connection dispatches post-handshake messages here by version; TLS 1.2's
// HelloRequest and renegotiation get their own module beside this one.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/secret.h"
#include "core/handshake.h"
#include "core/post_handshake.h"
#include "core/proofs.h"
#include "core/transcript.h"

namespace sluice {

// KeyUpdates are cheap to send and cost a key derivation each to receive;
// a peer gets this many without application data in between, and earns one
// more per kAppBytesPerKeyUpdate bytes of application data (so a flood of
// KeyUpdates between one-byte records still ends).
inline constexpr int kMaxKeyUpdatesWithoutData = 32;
inline constexpr size_t kAppBytesPerKeyUpdate = 512;

class PostHandshake13 final : public PostHandshake {
 public:
  PostHandshake13(HandshakeIo& io, Role role, std::string session_name, Traffic13 traffic);

  // process handles one post-handshake message (`ends_record`: nothing
  // followed it in its record). kAsync while a client's answer to a
  // CertificateRequest waits for its signature: call resume() then.
  TlsResult<Wait> process(const HandshakeMessage& m, bool ends_record, Negotiated& negotiated) override;
  TlsResult<Wait> resume() override;
  bool answer_pending() const override { return auth_ && auth_->answer.has_value(); }
  crypto::PendingSignature* pending_operation() const override {
    return answer_pending() ? auth_->answer->pending.get() : nullptr;
  }

  // note_app_data: application bytes received (they earn KeyUpdate credit).
  void note_app_data(size_t bytes) override;
  // send_key_update updates our write key, asking the peer to update too.
  Result<void, Error> send_key_update(bool request_peer_update) override;
  // reply_pending: the peer asked for a KeyUpdate not yet sent; one reply
  // answers every request made since the last (RFC 8446 §4.6.3).
  bool reply_pending() const override { return reply_pending_; }
  Result<void, Error> send_pending_reply() override;
  // rekey_if_due sends a KeyUpdate before the write key's record limit:
  // `interval` records (0: the AEAD's limit, RFC 8446 §5.5).
  Result<void, Error> rekey_if_due(uint64_t write_sequence, uint64_t interval) override;

  // Server: ask for a client certificate (RFC 8446 §4.6.2).
  bool can_request_certificate() const override;
  Result<void, Error> request_client_certificate() override;
  int outstanding_requests() const override { return auth_ && auth_->state != PhaState::kIdle ? 1 : 0; }

  const SecretBytes& exporter_secret() const { return exporter_secret_; }
  Result<void, Error> export_keying_material(std::string_view label, std::optional<Bytes> context,
                                             MutBytes out) const override;
  crypto::HashAlg hash() const { return hash_; }

 private:
  Result<void, Error> store_session(Bytes body, const Negotiated& negotiated);
  Result<void, Error> process_key_update(const HandshakeMessage& m, bool ends_record);
  TlsResult<Wait> answer_certificate_request(const HandshakeMessage& m);
  Result<void, Error> process_client_auth(const HandshakeMessage& m, Negotiated& negotiated);
  const Context& ctx() const { return io_.context(); }

  HandshakeIo& io_;
  Role role_;
  std::string session_name_;
  crypto::HashAlg hash_;
  crypto::AeadAlg aead_;
  SecretBytes read_secret_, write_secret_;
  SecretBytes resumption_secret_;  // client
  SecretBytes exporter_secret_;
  int key_update_credit_ = kMaxKeyUpdatesWithoutData;
  size_t app_bytes_since_credit_ = 0;
  bool reply_pending_ = false;
  uint64_t update_end_ = 0;  // where our last KeyUpdate ends in the output stream (0: none sent)

  // Client: an answer to a CertificateRequest waiting for its signature.
  struct Answer {
    Transcript transcript;
    crypto::SignatureScheme scheme;
    std::unique_ptr<crypto::PendingSignature> pending;
  };
  // Server: what the next client message of an authentication must be.
  enum class PhaState : uint8_t { kIdle, kCertificate, kCertificateVerify, kFinished };
  // Post-handshake client authentication (RFC 8446 §4.6.2), both roles.
  // Allocated only when the client offered post_handshake_auth, so the
  // connections that did not (nearly all) carry none of it while idle.
  struct ClientAuth {
    explicit ClientAuth(Transcript t) : handshake_transcript(std::move(t)) {}
    Transcript handshake_transcript;  // the handshake's, each request hashes onto it
    std::optional<Answer> answer;     // client
    PhaState state = PhaState::kIdle;  // server, from here on
    std::vector<uint8_t> context;
    std::optional<Transcript> running;  // transcript of the request being answered
    std::optional<CertVerified> verified;
    std::optional<SigVerified> sig_verified;
    std::vector<std::vector<uint8_t>> chain;
    std::vector<uint16_t> schemes;
    std::vector<uint16_t> compression;  // compress_certificate in the request
  };
  std::unique_ptr<ClientAuth> auth_;
};

}  // namespace sluice
