// The record layer (RFC 8446 §5, RFC 5246 §6): framing, protection, limits
// and the two record buffers of one connection. It knows nothing of the
// handshake: it hands out whole opened records, seals what it is given, and
// enforces the rules that depend only on records (lengths, CCS placement,
// empty records, warning alerts, rejected 0-RTT skipping).
//
// Buffer notes. Inbound records are decrypted in place: `in_` holds, in
// order, the application-data window of the last opened record
// (app_off_, app_len_), dead bytes (that record's header, type and tag), and
// then unprocessed bytes from unproc_ to in_.end(). Outbound records are
// sealed in place in `out_`, whose held bytes are what outbound() returns.
// Two kinds of span are lent to the caller and stay valid until given back:
// inbound_space() (until inbound_commit) and write_space() (until
// write_commit); the application-data window stays put until it is consumed.
// While a span is lent, the buffer under it neither moves nor is released.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/buffers.h"
#include "core/error.h"
#include "core/record_protection.h"
#include "core/wire/types.h"

namespace sluice {

// DoS limits (STYLE.md practice 8). A peer may send empty records or warning
// alerts to keep us busy without progress; these many in a row end the
// connection.
inline constexpr int kMaxEmptyRecords = 32;
inline constexpr int kMaxWarningAlerts = 4;
// Rejected 0-RTT payload skipped at least (RFC 8446 §4.2.10 bounds it by
// max_early_data_size; a server that accepts none still skips this much).
inline constexpr size_t kMinEarlyDataSkipped = 16384;

class RecordLayer {
 public:
  RecordLayer(BufferPool& pool, size_t outbound_limit, size_t padding_block);
  RecordLayer(const RecordLayer&) = delete;
  RecordLayer& operator=(const RecordLayer&) = delete;

  // --- transport side ---
  MutBytes inbound_space();
  // inbound_commit takes n bytes written into the last inbound_space();
  // false when there was none or n is larger (nothing is taken).
  [[nodiscard]] bool inbound_commit(size_t n);
  void inbound_eof() { eof_ = true; }
  bool eof() const { return eof_; }
  // outbound lends the sealed bytes; the span stays valid (its bytes
  // neither move nor change) until outbound_consumed, even if more records
  // are sealed meanwhile (a send in flight in the kernel, io_uring).
  Bytes outbound();
  void outbound_consumed(size_t n);
  bool has_outbound() const { return out_.allocated() && !out_.empty(); }
  // outbound_full: what is held has reached the outbound limit.
  bool outbound_full() const { return out_.allocated() && out_.held() >= outbound_limit_; }
  // outbound_position counts every byte ever sealed for output;
  // outbound_sent_through(p): the application has taken everything up to
  // position p (the bytes are gone from outbound()).
  uint64_t outbound_position() const { return sealed_total_; }
  bool outbound_sent_through(uint64_t position) const { return consumed_total_ >= position; }
  // has_complete_record: a whole record is buffered but not yet opened.
  bool has_complete_record() const;

  // --- protection and policy ---
  Protection& read_protection() { return rd_; }
  Protection& write_protection() { return wr_; }
  void set_ccs_allowed(bool on) { ccs_allowed_ = on; }
  // expect_key_change: TLS 1.2's next ChangeCipherSpec is the read key
  // change; read() then returns it as kChangeCipherSpec.
  void expect_key_change(bool on) { ccs_key_change_ = on; }
  void set_app_data_allowed(bool on) { app_allowed_ = on; }
  bool app_data_allowed() const { return app_allowed_; }
  // set_handshaking: while true, a well-formed plaintext alert under
  // handshake keys is taken as the peer's alert (some peers send one when
  // they reject our certificate).
  void set_handshaking(bool on) { handshaking_ = on; }
  // skip_rejected_early_data: records that do not open under the current
  // key are rejected 0-RTT (RFC 8446 §4.2.10); up to `payload_budget` bytes
  // of their payload are skipped.
  void skip_rejected_early_data(size_t payload_budget) { early_skip_budget_ = payload_budget; }
  // set_record_limits: the largest content we may send per record, and the
  // largest protected inner plaintext we advertised (RFC 8449; 0: none).
  void set_record_limits(size_t send_fragment, size_t receive_inner);
  size_t max_fragment() const { return send_fragment_; }

  // --- reading ---
  enum class Kind : uint8_t {
    kNeedMore,   // no complete record is buffered
    kHandshake,  // `plaintext` holds handshake bytes; call release_record() after taking them
    kAppData,    // the application-data window holds the record's data
    kControl,    // a record with nothing for the caller (CCS, empty, warning, skipped 0-RTT)
    kClosed,     // the peer's close_notify
    kChangeCipherSpec,  // TLS 1.2: the expected key change
  };
  struct Record {
    Kind kind = Kind::kNeedMore;
    Bytes plaintext;
    // kAppData: the record's first `delivered` bytes went to read()'s
    // `deliver`; `plaintext` (the application-data window) is the rest.
    size_t delivered = 0;
  };
  // read opens the next record. Application data goes first to `deliver`
  // (the copying read()'s buffer), as much as fits, and the rest to the
  // application-data window; `deliver` is used only while the window is
  // empty, so data cannot overtake data.
  TlsResult<Record> read(MutBytes deliver = {});
  // AlertRead is an alert record the last read() opened, whatever came of
  // it: a warning let through, close_notify, a fatal alert, or one refused
  // (a TLS 1.3 warning, an unknown level). Level 0: that read() opened no
  // alert. The level is as the record carried it, for tracing.
  struct AlertRead {
    uint8_t level = 0;
    Alert alert{};
  };
  AlertRead alert_read() const { return alert_read_; }
  // warning: the warning alert the last read() returned as kControl.
  std::optional<Alert> warning() const {
    if (alert_read_.level != 1 || alert_read_.alert == Alert::kCloseNotify) return std::nullopt;
    return alert_read_.alert;
  }
  void release_record();
  bool peer_closed() const { return peer_closed_; }

  // The application-data window (decrypted bytes in place).
  Bytes app_data() const { return in_.all().subspan(app_off_, app_len_); }
  size_t app_pending() const { return app_len_; }
  void consume_app_data(size_t n);

  // --- writing ---
  // seal splits `payload` into records and seals them into the outbound
  // buffer, which may grow past its limit: handshake and control records are
  // of our own making and bounded by our configuration.
  Result<void, Error> seal(wire::ContentType type, Bytes payload, uint16_t record_version = wire::kTls12);
  // write_space lends room for the next application record's content
  // within the outbound limit (`want`, if known, keeps small writes in
  // small storage); empty when the outbound buffer is full.
  MutBytes write_space(size_t want = SIZE_MAX);
  bool write_space_lent() const { return out_lent_ != nullptr && out_lent_live_; }
  // write_commit seals n bytes of the lent write space as application data:
  // the bytes written there, or, when `source` is given (n bytes), those,
  // sealed straight into the record (the copying write()).
  TlsResult<size_t> write_commit(size_t n, Bytes source = {});
  // abandon_write_space: a connection that failed while write space was
  // lent. Later commits fail; the storage stays where it is (the caller may
  // still hold the span), so records sealed after this must fit in place.
  void abandon_write_space() { out_lent_live_ = false; }
  uint64_t write_sequence() const { return wr_->sequence(); }

  // --- memory ---
  // set_pooling: take and return storage through the context's freelist
  // (RELEASE_BUFFERS); otherwise allocate and free directly.
  void set_pooling(bool on) { pooling_ = on; }
  // release_idle gives empty buffers back to the pool, and idle
  // directions' key schedules up (RELEASE_BUFFERS).
  void release_idle();
  // release_all drops everything, giving storage to the pool when `to_pool`.
  void release_all(bool to_pool);

 private:
  size_t padding_for(size_t content_len) const;
  void consume_inbound_to(size_t offset);
  // record_end says where the record starting at `at` ends, if its header
  // is buffered.
  bool record_end(size_t at, size_t& end) const;

  BufferPool* pool() { return pooling_ ? &pool_ : nullptr; }
  BufferPool& pool_;
  bool pooling_ = false;
  const size_t outbound_limit_;
  const size_t padding_block_;
  RecordBuffer in_, out_;
  size_t unproc_ = 0;
  size_t app_off_ = 0, app_len_ = 0;
  Protection rd_, wr_;
  const uint8_t* in_lent_ = nullptr;   // inbound_space() handed out
  bool outbound_lent_ = false;             // outbound() handed out
  uint64_t sealed_total_ = 0, consumed_total_ = 0;
  // Storage outgrown while outbound() was lent, kept until outbound_consumed.
  std::vector<std::vector<uint8_t>> retired_out_;
  // make_room gives the outbound buffer `need` free bytes at its tail
  // (growing only if `may_grow`), without moving lent bytes.
  void make_room(size_t need, bool may_grow = true);
  void free_retired();
  const uint8_t* out_lent_ = nullptr;  // write_space() handed out: storage pinned
  bool out_lent_live_ = false;         // ... and write_commit may still use it
  size_t out_lent_len_ = 0;
  bool ccs_allowed_ = false;
  bool ccs_key_change_ = false;
  bool app_allowed_ = false;
  bool handshaking_ = true;
  bool handshake_seen_ = false;  // a handshake record was read
  bool eof_ = false;
  bool peer_closed_ = false;
  AlertRead alert_read_;
  int empty_records_ = 0;
  int warning_alerts_ = 0;
  size_t early_skip_budget_ = 0;
  size_t send_fragment_ = wire::kMaxPlaintext;
  size_t receive_inner_ = 0;
};

}  // namespace sluice
