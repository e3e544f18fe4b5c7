// Internal state of a Connection, shared by the record processing in
// connection.cc and the handshake machines. Not a public header.
//
// Buffer notes. Inbound records are decrypted in place: `in_` holds, in
// order, the application-data window of the last opened record (app_off_,
// app_len_), dead bytes (that record's header, type and tag), and then
// unprocessed bytes from unproc_ to in_.end(). Outbound records are sealed in
// place in `out_`, whose held bytes are what outbound() returns.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "core/buffers.h"
#include "core/connection.h"
#include "core/record.h"
#include "core/transcript.h"
#include "core/wire/types.h"

namespace sluice {

// Wait is what a handshake step needs before it can go on (STYLE.md §3).
enum class Wait : uint8_t {
  kOk,           // step done; run the next state
  kReadMessage,  // a handshake message is needed
  kAsync,        // a provider operation is pending
  kDone,         // the handshake is complete
};

struct HandshakeMessage {
  wire::HandshakeType type;
  Bytes body;  // without the 4-byte header
  Bytes whole;  // with the header (for the transcript)
};

class HandshakeMachine {
 public:
  virtual ~HandshakeMachine() = default;
  virtual TlsResult<Wait> step() = 0;
  virtual std::string_view state_name() const = 0;
  virtual int async_fd() const { return -1; }
};

// DoS limits (STYLE.md practice 8).
// A peer may send empty records or warning alerts to keep us busy without
// progress; these many in a row end the connection.
inline constexpr int kMaxEmptyRecords = 32;
inline constexpr int kMaxWarningAlerts = 4;
// Largest handshake message we buffer: a generous certificate chain.
inline constexpr size_t kMaxHandshakeMessageLen = 256 * 1024;
// Handshake buffers start with room for a typical flight, so messages are
// written without reallocating.
inline constexpr size_t kHandshakeBufferReserve = 1024;
// KeyUpdates accepted without application data in between.
inline constexpr int kMaxKeyUpdatesWithoutData = 32;
// Rejected 0-RTT records skipped before the connection is ended (RFC 8446
// §4.2.10 lets the server skip them; a bound keeps it from being a sink).
inline constexpr size_t kMaxEarlyDataSkipped = 16384;
// 0-RTT data a client queues before the handshake.
inline constexpr size_t kMaxEarlyDataQueued = 16384;

struct Connection::Impl {
  Impl(std::shared_ptr<const Context> c, Role r);
  ~Impl();

  // --- used by handshake machines ---
  // next_message yields the next complete handshake message, or nothing.
  TlsResult<std::optional<HandshakeMessage>> next_message();
  void message_done();
  // send_handshake queues a handshake message. Queued messages are sealed
  // together (several per record) by flush_handshake, which runs before any
  // write-key change and whenever the driver returns.
  Result<void, Error> send_handshake(Bytes message);
  Result<void, Error> flush_handshake();
  // queue_message serializes `m` straight onto the pending handshake output
  // and returns its bytes (valid until the output is flushed or grows).
  template <class M>
  Bytes queue_message(const M& m) {
    if (hs_out_.capacity() == 0) hs_out_.reserve(kHandshakeBufferReserve);
    const size_t at = hs_out_.size();
    m.serialize(hs_out_);
    return Bytes(hs_out_).subspan(at);
  }
  Result<void, Error> send_change_cipher_spec();
  // set_read_keys changes the read protection; refused when handshake bytes
  // from under the old keys are still buffered (RFC 8446 §5.1).
  Result<void, Error> set_read_protection(RecordProtection rp);
  Result<void, Error> set_write_protection(RecordProtection rp);
  // rekey_read / rekey_write switch a direction to the keys of `secret`
  // under the same rules, reusing its AEAD object.
  Result<void, Error> rekey_read(crypto::HashAlg h, crypto::AeadAlg a, Bytes secret);
  Result<void, Error> rekey_write(crypto::HashAlg h, crypto::AeadAlg a, Bytes secret);
  Result<void, Error> check_read_key_change() const;
  const Context& context() const { return *ctx_; }
  const crypto::Provider& provider() const { return ctx_->provider(); }

  // --- record processing ---
  enum class RecordKind : uint8_t { kNeedMore, kHandshake, kAppData, kControl, kClosed };
  TlsResult<RecordKind> read_record();
  Result<void, Error> process_post_handshake();
  Result<void, Error> seal(wire::ContentType type, Bytes payload);
  Progress fail(Error e);
  Progress drive_handshake();
  Progress run_handshake();
  Progress fill_readable();
  // write_space: room for the next record's plaintext; `want` (what the
  // caller has to write, if known) keeps small writes in small storage.
  std::span<uint8_t> write_space(size_t want = SIZE_MAX);
  Progress write_commit(size_t n);
  void maybe_release_buffers();
  // consume_inbound_to drops inbound bytes before `offset`; the buffer is
  // rewound only while no inbound_space() is lent out (its bytes may be
  // being written by the kernel at their current address).
  void consume_inbound_to(size_t offset);
  size_t max_fragment() const;
  bool has_complete_record() const;

  std::shared_ptr<const Context> ctx_;
  Role role_;
  long mode_;
  Negotiated negotiated_;
  std::unique_ptr<HandshakeMachine> hs_;
  bool hs_done_ = false;

  RecordBuffer in_, out_;
  size_t unproc_ = 0;
  size_t app_off_ = 0, app_len_ = 0;
  RecordProtection rd_, wr_;
  std::vector<uint8_t> hs_in_;  // handshake bytes not yet consumed
  std::vector<uint8_t> hs_out_;  // handshake messages not yet sealed
  size_t hs_msg_len_ = 0;       // length of the message handed out, if any
  bool app_allowed_ = false;    // application data may be read
  bool initial_hello_ = false;  // the next flush carries the first ClientHello
  bool ccs_allowed_ = false;    // a compatibility CCS may arrive
  bool eof_ = false;
  // inbound_space() was handed out and not yet committed: the inbound
  // buffer must neither move nor be released.
  const uint8_t* in_lent_ = nullptr;
  bool peer_closed_ = false;
  bool sent_close_ = false;
  int empty_records_ = 0;
  int warning_alerts_ = 0;
  int key_updates_ = 0;
  uint16_t peer_record_limit_ = wire::kMaxPlaintext;  // content we may send per record
  uint16_t own_record_limit_ = 0;  // inner plaintext we advertised (RFC 8449); 0: none
  size_t padding_for(size_t content_len) const;
  Result<void, Error> rekey_if_due();
  Error error_;

  // Resumption.
  std::string session_name_;          // client: the name sessions are stored under
  SecretBytes resumption_secret_;     // client: for NewSessionTickets
  std::vector<uint8_t> early_out_;    // client: 0-RTT data to send
  size_t early_skip_budget_ = 0;      // server: rejected 0-RTT bytes still skippable
  Result<void, Error> store_session(Bytes new_session_ticket);

  // Post-handshake authentication (RFC 8446 §4.6.2). The handshake's
  // transcript is kept only when the client offered it.
  std::unique_ptr<Transcript> pha_transcript_;
  bool pha_offered_ = false;  // client: sent post_handshake_auth; server: received it
  enum class PhaState : uint8_t { kIdle, kCertificate, kCertificateVerify, kFinished };
  PhaState pha_state_ = PhaState::kIdle;  // server: what the next client message must be
  std::vector<uint8_t> pha_context_;
  std::unique_ptr<Transcript> pha_running_;  // server: transcript of the request being answered
  std::optional<CertVerified> pha_verified_;
  std::vector<std::vector<uint8_t>> pha_chain_;
  std::vector<uint16_t> pha_schemes_;
  Result<void, Error> answer_certificate_request(Bytes whole, Bytes body);
  Result<void, Error> process_client_auth_message(wire::HandshakeType type, Bytes whole, Bytes body);

  // Traffic secrets kept for KeyUpdate.
  crypto::HashAlg hash_ = crypto::HashAlg::kSha256;
  crypto::AeadAlg aead_ = crypto::AeadAlg::kAes128Gcm;
  SecretBytes read_secret_, write_secret_;

  // Non-partial write retry state (ENABLE_PARTIAL_WRITE off).
  const uint8_t* retry_ptr_ = nullptr;
  size_t retry_len_ = 0;
  size_t retry_done_ = 0;
};

std::unique_ptr<HandshakeMachine> make_client13(Connection::Impl& c, std::string server_name);
std::unique_ptr<HandshakeMachine> make_server13(Connection::Impl& c);

}  // namespace sluice
