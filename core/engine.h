// The engine behind a Connection: one record layer, the handshake machine
// of the connection's role and version while it runs, then the
// post-handshake protocol of the negotiated version. It implements the
// HandshakeIo seam the machines see. Not a public header: connection.cc
// turns its results into the API's calls and the mode contract.
#pragma once

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/connection.h"
#include "core/handshake.h"
#include "core/handshake_buffer.h"
#include "core/post_handshake12.h"
#include "core/post_handshake13.h"
#include <variant>
#include "core/record_layer.h"

namespace sluice {

// 0-RTT data a client queues before the handshake.
inline constexpr size_t kMaxEarlyDataQueued = 16384;

struct Connection::Impl final : HandshakeIo {
  Impl(std::shared_ptr<const Context> c, Role r, std::string server_name);
  ~Impl() override;

  // --- HandshakeIo ---
  const Context& context() const override { return *ctx_; }
  long mode() const override { return mode_; }
  TlsResult<std::optional<HandshakeMessage>> next_message() override;
  void message_done() override;
  bool message_ends_record() const override { return !hs_in_.beyond_current(); }
  Result<void, Error> send(Bytes message) override;
  Result<void, Error> flush() override;
  void observe_inner_hello(bool sent, Bytes body) const override;
  void mark_initial_hello() override { initial_hello_ = true; }
  Result<void, Error> send_change_cipher_spec() override;
  Result<void, Error> send_early_data(size_t max) override;
  bool has_early_data() const override { return !early_out_.empty(); }
  Result<void, Error> install_read(Protection p) override;
  Result<void, Error> install_write(Protection p) override;
  Result<void, Error> rekey_read13(crypto::HashAlg h, crypto::AeadAlg a, Bytes secret) override;
  Result<void, Error> rekey_write13(crypto::HashAlg h, crypto::AeadAlg a, Bytes secret) override;
  void set_record_limits(size_t send_fragment, size_t receive_inner) override {
    rl_.set_record_limits(std::min(send_fragment, ctx_->policy().max_send_fragment), receive_inner);
  }
  void set_ccs_allowed(bool on) override { rl_.set_ccs_allowed(on); }
  void begin_early_data() override {
    rl_.set_app_data_allowed(true);
    early_data_left_ = ctx_->policy().max_early_data;
  }
  void end_early_data() override {
    rl_.set_app_data_allowed(false);
    early_data_left_.reset();
  }
  void skip_rejected_early_data(size_t budget) override { rl_.skip_rejected_early_data(budget); }
  Result<void, Error> enter_traffic13(HandshakeProof proof, Traffic13 traffic) override;
  Result<void, Error> enter_traffic12(HandshakeProof proof, Traffic12 traffic) override;
  Result<void, Error> send_change_cipher_spec12(Protection next) override;
  void expect_change_cipher_spec12(Protection next) override;
  bool change_cipher_spec_received() const override { return ccs_received_; }
  Result<void, Error> send_warning_alert(Alert a) override;
  uint64_t outbound_position() const override { return rl_.outbound_position(); }
  bool outbound_sent_through(uint64_t position) const override { return rl_.outbound_sent_through(position); }
  Bytes ech_config_list() const override { return ech_ ? Bytes(ech_->config_list) : Bytes(); }
  void set_ech_retry_configs(Bytes configs) override {
    if (!ech_) ech_ = std::make_unique<EchClient>();
    ech_->retry_configs.assign(configs.begin(), configs.end());
  }
  void hand_off(std::unique_ptr<HandshakeMachine> next) override { next_machine_ = std::move(next); }
  void renegotiate(std::unique_ptr<HandshakeMachine> machine, bool keep_message) override {
    reneg_machine_ = std::move(machine);
    reneg_keep_message_ = keep_message;
  }

  // --- driving (connection.cc) ---
  // handshake runs the machine until it waits; kOk once traffic is entered.
  // With `read_records` false it stops at the first record it would read
  // (kWantRead), having sent what it could.
  Progress handshake(bool read_records = true);
  // fill_readable processes records until application data is readable
  // (kOk, app_pending() bytes) or something else must happen first. With
  // `deliver` (read()'s buffer), a record's data goes there first, as much
  // as fits: *delivered counts it, and app_pending() is the rest.
  Progress fill_readable(MutBytes deliver = {}, size_t* delivered = nullptr);
  // start_renegotiation runs the machine renegotiate() set, until it waits
  // for the peer (a client's own renegotiation: its ClientHello is sent).
  Progress start_renegotiation();
  // renegotiation_declined: a client's renegotiation that a no_renegotiation
  // warning now ends, as nothing of the server's answer came before it.
  bool renegotiation_declined() const;
  // process_post_handshake handles every complete buffered message.
  Progress process_post_handshake();
  // settle sends what the engine owes the peer (a coalesced KeyUpdate
  // reply) when no write space is lent, and releases idle buffers.
  Progress settle();
  Progress fail(Error e);
  // read_record is the record layer's read(), with any alert it opened
  // told to the message callback: the one way records are read.
  TlsResult<RecordLayer::Record> read_record(MutBytes deliver = {});
  // observe tells the message callback of a handshake message (its body)
  // or an alert (its level and description). Received messages are told
  // when first handed out (next_message), alerts when their record is
  // opened (read_record): before anything they cause is sent.
  void observe_handshake(bool sent, uint8_t type, Bytes body) const;
  void observe_alert(bool sent, uint8_t level, Alert alert) const;
  bool failed() const { return !error_.ok() && error_.origin != Origin::kApi; }
  // wait_async: kWantAsync with ASYNC (the operation then calls the
  // connection's async callback when done), else the engine waits for the
  // operation itself and returns kOk to go on.
  Progress wait_async(crypto::PendingSignature* op);
  void release_idle();
  // negotiated: while a renegotiation runs, still the previous handshake's.
  const Negotiated& negotiated() const { return hs_ && !renegotiating_ ? hs_->negotiated() : negotiated_; }

  // Application data received while a handshake runs (0-RTT, or data during
  // a renegotiation) is set aside, bounded, so the handshake can go on with
  // the record buffer; read() returns it first, then the record window.
  size_t app_pending() const { return held_app_.size() - held_off_ + rl_.app_pending(); }
  Bytes app_data() const {
    return held_off_ < held_app_.size() ? Bytes(held_app_).subspan(held_off_) : rl_.app_data();
  }
  void consume_app(size_t n);
  // hold_app_data sets the record window's data aside; false when the bound
  // is reached (the application must read first).
  bool hold_app_data();
  crypto::PendingSignature* pending_operation() const;
  // half_rtt: the handshake runs but the server may already write (see
  // HandshakeMachine::half_rtt).
  bool half_rtt() const { return !hs_done_ && hs_ && hs_->half_rtt(); }

  std::shared_ptr<const Context> ctx_;
  Role role_;
  long mode_;
  std::string session_name_;
  RecordLayer rl_;
  HandshakeReader hs_in_;
  std::vector<uint8_t> hs_out_;  // handshake messages not yet sealed
  std::unique_ptr<HandshakeMachine> hs_;
  std::unique_ptr<HandshakeMachine> next_machine_;  // set by hand_off
  std::unique_ptr<HandshakeMachine> reneg_machine_;  // set by renegotiate
  bool reneg_keep_message_ = false;
  bool renegotiating_ = false;
  int renegotiations_ = 0;
  std::optional<Protection> pending_read_;         // TLS 1.2: installed by the peer's CCS
  bool ccs_received_ = false;
  // The post-handshake protocol of the negotiated version, held in place.
  std::variant<std::monostate, PostHandshake13, PostHandshake12> post_storage_;
  PostHandshake* post_ = nullptr;
  Negotiated negotiated_;
  bool hs_done_ = false;
  bool initial_hello_ = false;  // the next flush carries the first ClientHello
  bool sent_close_ = false;
  bool handshake_started_ = false;
  bool async_pending_ = false;  // the last call returned kWantAsync
  // Encrypted Client Hello's per-connection inputs and outputs, allocated
  // only by connections that use it (an idle connection stays small).
  struct EchClient {
    std::vector<uint8_t> config_list, retry_configs;
  };
  std::unique_ptr<EchClient> ech_;
  std::function<void()> async_callback_;
  Error error_;
  std::vector<uint8_t> early_out_;  // client: 0-RTT data to send
  std::vector<uint8_t> held_app_;   // application data set aside during a handshake
  size_t held_off_ = 0;
  std::optional<size_t> early_data_left_;  // server: accepted 0-RTT still allowed

  // Non-partial write retry state (ENABLE_PARTIAL_WRITE off).
  const uint8_t* retry_ptr_ = nullptr;
  size_t retry_len_ = 0;
  size_t retry_done_ = 0;

 protected:
  std::vector<uint8_t>& handshake_output() override {
    if (hs_out_.capacity() == 0) hs_out_.reserve(kHandshakeBufferReserve);
    return hs_out_;
  }
};

}  // namespace sluice
