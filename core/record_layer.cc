#include "core/record_layer.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "base/secret.h"

namespace sluice {

using wire::ContentType;

namespace {
// Inbound storage starts small (handshake records are a few KiB) and grows
// to one maximal record, plus room to start the next, when a record needs it.
constexpr size_t kInitialInbound = 4096;
constexpr size_t kInboundCapacity = wire::kMaxRecordLen + wire::kRecordHeaderLen;
}  // namespace

RecordLayer::RecordLayer(BufferPool& pool, size_t outbound_limit, size_t padding_block)
    : pool_(pool), outbound_limit_(outbound_limit), padding_block_(padding_block) {}

void RecordLayer::set_record_limits(size_t send_fragment, size_t receive_inner) {
  send_fragment_ = std::min(send_fragment, wire::kMaxPlaintext);
  receive_inner_ = receive_inner;
}

// ---------------------------------------------------------------------------
// Transport side.

bool RecordLayer::record_end(size_t at, size_t& end) const {
  ByteReader r(in_.all().subspan(at, in_.end() - at));
  uint16_t len;
  if (!r.skip(3) || !r.u16(len)) return false;
  end = at + wire::kRecordHeaderLen + len;
  return true;
}

MutBytes RecordLayer::inbound_space() {
  if (eof_) return {};
  in_.acquire(pool(), kInitialInbound);
  // Nothing moves while decrypted bytes are lent out (the application-data
  // window) or the free tail is lent (inbound_space itself).
  const bool can_move = app_len_ == 0 && !in_lent_;
  if (can_move && in_.begin() > 0) {
    unproc_ -= in_.begin();
    in_.compact();
  }
  if (can_move && in_.capacity() < kInboundCapacity) {
    // The first record not yet complete decides what must fit.
    size_t at = unproc_, end = 0;
    while (record_end(at, end) && end <= in_.end()) at = end;
    const size_t needed = record_end(at, end) ? end : at + wire::kRecordHeaderLen;
    if (needed > in_.capacity()) in_.grow(pool(), std::min(kInboundCapacity + unproc_, needed));
  }
  MutBytes tail = in_.tail();
  in_lent_ = tail.data();
  return tail;
}

bool RecordLayer::inbound_commit(size_t n) {
  const bool matches = in_lent_ != nullptr && in_.tail().data() == in_lent_;
  in_lent_ = nullptr;
  if (n == 0) return true;
  if (!matches || n > in_.free_tail()) return false;
  in_.commit(n);
  return true;
}

Bytes RecordLayer::outbound() {
  if (!out_.allocated() || out_.empty()) return {};
  outbound_lent_ = true;
  return Bytes(out_.all()).subspan(out_.begin(), out_.held());
}

void RecordLayer::free_retired() {
  for (auto& old : retired_out_) {
    if (BufferPool* p = pool(); p) {
      old.resize(old.capacity());
      p->give(std::move(old));
    } else {
      wipe(std::span(old.data(), old.size()));
    }
  }
  retired_out_.clear();
}

void RecordLayer::outbound_consumed(size_t n) {
  outbound_lent_ = false;
  if (!retired_out_.empty()) free_retired();
  const size_t taken = std::min(n, out_.held());
  out_.consume(taken);
  consumed_total_ += taken;
  // A lent write space sits at the tail: rewinding would move it.
  if (!out_lent_) out_.rewind();
}

bool RecordLayer::has_complete_record() const {
  size_t end;
  return in_.allocated() && record_end(unproc_, end) && end <= in_.end();
}

void RecordLayer::consume_inbound_to(size_t offset) {
  in_.consume(offset - in_.begin());
  if (in_.empty() && !in_lent_) {
    in_.rewind();
    unproc_ = 0;
  }
}

void RecordLayer::release_record() {
  if (app_len_ == 0) consume_inbound_to(unproc_);
}

void RecordLayer::consume_app_data(size_t n) {
  n = std::min(n, app_len_);
  app_off_ += n;
  app_len_ -= n;
  if (app_len_ == 0) consume_inbound_to(unproc_);
}

// ---------------------------------------------------------------------------
// Reading.

namespace {

// looks_like_http: the record header bytes are an HTTP method and a space.
bool looks_like_http(Bytes b) {
  for (std::string_view method : {"GET ", "POST ", "HEAD ", "PUT ", "CONNECT "}) {
    const size_t n = std::min(method.size(), b.size());
    if (n >= 4 && std::equal(method.begin(), method.begin() + static_cast<ptrdiff_t>(n), b.begin())) return true;
  }
  return false;
}

}  // namespace

TlsResult<RecordLayer::Record> RecordLayer::read(MutBytes deliver) {
  alert_read_ = {};
  const size_t avail = in_.allocated() ? in_.end() - unproc_ : 0;
  const Bytes header_bytes = in_.allocated() ? Bytes(in_.all()).subspan(unproc_, avail) : Bytes();
  ByteReader header(header_bytes);
  uint8_t type;
  uint16_t version, len;
  if (!header.u8(type) || !header.u16(version) || !header.u16(len)) {
    if (eof_) return Err(Error(Reason::kTruncated, "transport closed without close_notify"));
    return Record{};
  }
  const bool encrypted = rd_->encrypted();
  if (!encrypted && looks_like_http(header_bytes)) {
    // A plain HTTP client on a TLS port: say so rather than "bad version".
    return Err(Error(Reason::kBadRecordType, "an HTTP request where a TLS record was due"));
  }
  // RFC 8446 §5.1 lets legacy_record_version be ignored; like BoringSSL we
  // hold it to what every TLS 1.2/1.3 stack writes, so garbage fails early:
  // major version 3 on plaintext records (a ClientHello may say 0x0301 and a
  // peer's version alert any 0x03xx), exactly 0x0303 under protection.
  if (version >> 8 != 0x03 || (encrypted && version != wire::kTls12)) {
    return Err(Error(Reason::kBadRecordVersion, "record version"));
  }
  const auto ct = static_cast<ContentType>(type);
  if (ct != ContentType::kHandshake && ct != ContentType::kApplicationData && ct != ContentType::kAlert &&
      ct != ContentType::kChangeCipherSpec) {
    return Err(Error(Reason::kBadRecordType, "unknown record content type"));
  }
  // RFC 8446 §5.1/§5.2: plaintext at most 2^14, ciphertext at most 2^14+256.
  // Rejected 0-RTT skipped in the clear (after a HelloRetryRequest) was
  // sealed by the client: a ciphertext's limit applies to it.
  const bool skippable = early_skip_budget_ > 0 && ct == ContentType::kApplicationData && !app_allowed_;
  const size_t max_body = skippable && !encrypted ? wire::kMaxCiphertext : rd_->max_record_body();
  if (len > max_body) return Err(Error(Reason::kRecordOverflow, "record length above the limit"));
  if (avail < wire::kRecordHeaderLen + len) {
    if (eof_) return Err(Error(Reason::kTruncated, "transport closed inside a record"));
    return Record{};
  }
  MutBytes record = in_.all().subspan(unproc_, wire::kRecordHeaderLen + len);
  unproc_ += record.size();

  if (skippable) {
    // Rejected 0-RTT (RFC 8446 §4.2.10): records under the early key cannot
    // be opened with the handshake key; skip them within the budget, which
    // counts payload (the record less its tag and content type).
    bool skip = !encrypted;
    if (encrypted) {
      std::vector<uint8_t> trial(record.begin(), record.end());
      skip = !rd_->open_trial(trial);
    }
    if (skip) {
      const size_t payload = len > crypto::kAeadTagLen + 1 ? len - crypto::kAeadTagLen - 1 : 0;
      if (payload > early_skip_budget_) {
        return Err(Error(Reason::kTooMuchEarlyData, "rejected early data above max_early_data_size"));
      }
      early_skip_budget_ -= payload;
      consume_inbound_to(unproc_);
      return Record{Kind::kControl, {}};
    }
    early_skip_budget_ = 0;
  }
  if (ct == ContentType::kChangeCipherSpec && ccs_key_change_) {
    // RFC 5246 §7.1: one byte, value 1, protected by the current keys (a
    // renegotiation's ChangeCipherSpec is encrypted under the old ones).
    Bytes body = record.subspan(wire::kRecordHeaderLen);
    if (encrypted) {
      OpenedRecord opened = SLUICE_TRY(rd_.open(record));
      body = opened.plaintext;
    }
    if (body.size() != 1 || body[0] != 1) return Err(Error(Reason::kDecodeError, "malformed change_cipher_spec"));
    ccs_key_change_ = false;
    consume_inbound_to(unproc_);
    return Record{Kind::kChangeCipherSpec, {}};
  }
  if (ct == ContentType::kChangeCipherSpec) {
    // RFC 8446 §5: a compatibility CCS is one byte 0x01, unprotected, during
    // the handshake only. It counts towards the empty-record limit.
    if (!ccs_allowed_ || len != 1 || record[wire::kRecordHeaderLen] != 1) {
      return Err(Error(Reason::kUnexpectedMessage, "unexpected change_cipher_spec"));
    }
    if (++empty_records_ > kMaxEmptyRecords) return Err(Error(Reason::kTooManyEmptyRecords));
    consume_inbound_to(unproc_);
    return Record{Kind::kControl, {}};
  }
  if (encrypted && ct == ContentType::kAlert && handshaking_ && len == 2) {
    // A plaintext alert where a protected record was due: a peer that
    // rejected our flight before it had our keys. It is the peer's alert;
    // nothing is answered.
    ByteReader a(record.subspan(wire::kRecordHeaderLen));
    uint8_t level, desc;
    if (a.u8(level) && a.u8(desc)) {
      consume_inbound_to(unproc_);
      alert_read_ = {level, static_cast<Alert>(desc)};
      return Err(Error::received(static_cast<Alert>(desc)));
    }
  }
  // RFC 8449 §4: a record above the limit we advertised is record_overflow.
  // The limit counts content only: TLS 1.2 GCM's explicit nonce (prefix)
  // comes on top, like the tag.
  if (receive_inner_ && encrypted && len > receive_inner_ + rd_->prefix() + crypto::kAeadTagLen) {
    return Err(Error(Reason::kRecordOverflow, "record above the advertised record_size_limit"));
  }
  // `deliver` is for application data, and only with the window empty. A
  // caller's buffer inside our inbound storage (a stale inbound_space()
  // span) cannot take an out-of-place open: the record is opened in place.
  if (app_len_ > 0 || !app_allowed_ || crypto::overlaps(deliver, in_.all())) deliver = {};
  OpenedRecord opened = SLUICE_TRY(rd_->open(record, deliver));
  if (opened.content_len() > wire::kMaxPlaintext) {
    wipe(deliver.first(opened.delivered));
    return Err(Error(Reason::kRecordOverflow, "record plaintext above 2^14"));
  }
  switch (opened.type) {
    case ContentType::kHandshake:
      // RFC 8446 §5.1: no zero-length handshake fragments.
      if (opened.plaintext.empty()) return Err(Error(Reason::kUnexpectedMessage, "empty handshake record"));
      empty_records_ = 0;
      warning_alerts_ = 0;
      // After a HelloRetryRequest, rejected 0-RTT ends where the second
      // ClientHello begins: nothing is skipped past it.
      if (!encrypted) early_skip_budget_ = 0;
      handshake_seen_ = true;
      return Record{Kind::kHandshake, opened.plaintext};
    case ContentType::kApplicationData:
      if (!app_allowed_) {
        // Unprotected inside a handshake is a record-layer violation; as the
        // first record, a peer that does not speak TLS first.
        // TLS 1.2 protects a handshake's records only from ChangeCipherSpec
        // on: what then comes instead of Finished is named for that.
        if (encrypted && !rd_.tls13()) {
          return Err(Error(Reason::kUnexpectedMessage, "application data after ChangeCipherSpec, before Finished"));
        }
        return Err(Error(Reason::kUnexpectedMessage, encrypted || !handshake_seen_
                                                         ? "application data before the handshake ended"
                                                         : "unprotected application data record"));
      }
      if (opened.content_len() == 0) {
        if (++empty_records_ > kMaxEmptyRecords) return Err(Error(Reason::kTooManyEmptyRecords));
        release_record();
        return Record{Kind::kControl, {}};
      }
      // The empty-record and warning limits bound a stream with no content
      // in between, not a connection's lifetime.
      empty_records_ = 0;
      warning_alerts_ = 0;
      app_off_ = static_cast<size_t>(opened.plaintext.data() - in_.all().data());
      app_len_ = opened.plaintext.size();
      if (app_len_ == 0) release_record();  // all of it delivered
      return Record{Kind::kAppData, opened.plaintext, opened.delivered};
    case ContentType::kAlert: {
      // RFC 8446 §6 / §5.1: an alert record carries exactly one alert; an
      // empty one is unexpected_message, any other length decode_error.
      if (opened.plaintext.empty()) return Err(Error(Reason::kUnexpectedMessage, "empty alert record"));
      ByteReader a(opened.plaintext);
      uint8_t level, desc;
      if (!a.u8(level) || !a.u8(desc) || !a.empty()) return Err(Error(Reason::kDecodeError, "alert length"));
      release_record();
      const auto alert = static_cast<Alert>(desc);
      alert_read_ = {level, alert};
      constexpr uint8_t kWarning = 1, kFatal = 2;
      if (level != kWarning && level != kFatal) return Err(Error(Reason::kIllegalParameter, "alert level"));
      if (alert == Alert::kCloseNotify) {
        peer_closed_ = true;
        return Record{Kind::kClosed, {}};
      }
      if (level == kWarning) {
        // RFC 5246 §7.2.2: a warning lets the connection go on (TLS 1.2,
        // or before the version is known: a server's unrecognized_name).
        // RFC 8446 §6: TLS 1.3 keeps only user_canceled as a warning; any
        // other is sent fatal, so a "warning" one is a malformed alert, as
        // BoringSSL treats it. Either way a stream of them is bounded.
        if (rd_.tls13() && alert != Alert::kUserCanceled) {
          return Err(Error(Reason::kDecodeError, "warning alert in TLS 1.3"));
        }
        if (++warning_alerts_ > kMaxWarningAlerts) return Err(Error(Reason::kTooManyWarningAlerts));
        return Record{Kind::kControl, {}};
      }
      return Err(Error::received(alert));
    }
    case ContentType::kChangeCipherSpec:
    case ContentType::kInvalid:
      break;
  }
  return Err(Error(Reason::kUnexpectedMessage, "unexpected inner content type"));
}

// ---------------------------------------------------------------------------
// Writing.

void RecordLayer::make_room(size_t need, bool may_grow) {
  // Only as much as this flight needs: handshake peaks stay small; a buffer
  // that must grow grows geometrically.
  if (!out_.allocated()) {
    out_.acquire(pool(), need);
    return;
  }
  if (out_.free_tail() >= need) return;
  if (!outbound_lent_) out_.compact();
  if (out_.free_tail() >= need || !may_grow) return;
  const size_t size = std::max(out_.end() + need, 2 * out_.capacity());
  if (!outbound_lent_) return out_.grow(pool(), size);
  // Lent bytes stay where they are: the old storage lives on, unchanged,
  // until outbound_consumed().
  retired_out_.push_back(out_.grow_keeping_old(pool(), size));
}

size_t RecordLayer::padding_for(size_t content_len) const {
  if (padding_block_ == 0 || !wr_->padding_allowed()) return 0;
  const size_t inner = content_len + 1;
  const size_t pad = (padding_block_ - inner % padding_block_) % padding_block_;
  // The padded inner plaintext still respects the peer's limit.
  const size_t max_inner = send_fragment_ + 1;
  return inner >= max_inner ? 0 : std::min(pad, max_inner - inner);
}

Result<void, Error> RecordLayer::seal(ContentType type, Bytes payload, uint16_t record_version) {
  if (write_space_lent()) return Err(Error(Reason::kInternal, "record sealed while write space is lent"));
  const bool pinned = out_lent_ != nullptr;
  do {
    const size_t frag = std::min(payload.size(), send_fragment_);
    const size_t pad = padding_for(frag);
    const size_t start = wire::kRecordHeaderLen + wr_->prefix();
    const size_t need = start + frag + wr_->overhead() + pad;
    if (pinned) {
      if (out_.free_tail() < need) return Err(Error(Reason::kInternal, "no room for a record beside abandoned write space"));
    } else {
      make_room(need);
    }
    // Sealed from `payload` where it lies: our own handshake, alert and
    // early-data buffers, never the outbound buffer.
    const size_t n = SLUICE_TRY(wr_->seal(type, out_.tail().first(need), frag, pad, record_version, payload.first(frag)));
    out_.commit(n);
    sealed_total_ += n;
    payload = payload.subspan(frag);
  } while (!payload.empty());
  return {};
}

MutBytes RecordLayer::write_space(size_t want) {
  // Room for the record's overhead and the most padding it could take.
  const size_t start = wire::kRecordHeaderLen + wr_->prefix();
  const size_t overhead = start + wr_->overhead() + (padding_block_ ? padding_block_ - 1 : 0);
  const size_t record = overhead + std::min(want, send_fragment_);
  out_lent_ = nullptr;
  if (!out_.allocated()) {
    out_.acquire(pool(), std::min(outbound_limit_, record));
  }
  make_room(record, out_.held() + record <= outbound_limit_ || out_.held() == 0);
  // The outbound limit bounds what is held; a record is sealed only if it
  // fits whole.
  size_t room_in_limit = outbound_limit_ > out_.held() + overhead ? outbound_limit_ - out_.held() - overhead : 0;
  // An empty buffer always takes a record, however small the limit: a limit
  // below one record's overhead must not stop every write.
  if (out_.held() == 0) room_in_limit = std::max<size_t>(room_in_limit, 1);
  const size_t room_in_storage = out_.free_tail() > overhead ? out_.free_tail() - overhead : 0;
  const size_t room = std::min({room_in_limit, room_in_storage, send_fragment_});
  if (room == 0) {
    out_lent_ = nullptr;
    return {};
  }
  MutBytes space = out_.tail().subspan(start, room);
  out_lent_ = space.data();
  out_lent_live_ = true;
  out_lent_len_ = room;
  return space;
}

TlsResult<size_t> RecordLayer::write_commit(size_t n, Bytes source) {
  const bool lent = write_space_lent();
  const uint8_t* at = out_lent_;
  const size_t room = out_lent_len_;
  out_lent_ = nullptr;
  if (!lent) return Err(Error::api(Reason::kApiMisuse, "write_commit without a write_space"));
  if (n == 0) return size_t{0};
  const size_t start = wire::kRecordHeaderLen + wr_->prefix();
  if (at != out_.tail().data() + start || n > room) {
    return Err(Error::api(Reason::kApiMisuse, "write_commit larger than write_space"));
  }
  const size_t pad = padding_for(n);
  const size_t need = start + n + wr_->overhead() + pad;
  if (out_.free_tail() < need) return Err(Error::api(Reason::kApiMisuse, "write_commit larger than write_space"));
  if (!source.empty()) {
    if (source.size() != n) return Err(Error(Reason::kInternal, "write_commit source of another length"));
    // A source inside the record's own room (a caller passing write_space()
    // to write()) is moved into place and sealed there.
    if (crypto::overlaps(source, out_.tail().first(need))) {
      std::memmove(out_.tail().data() + start, source.data(), n);
      source = {};
    }
  }
  const size_t sealed =
      SLUICE_TRY(wr_->seal(ContentType::kApplicationData, out_.tail().first(need), n, pad, wire::kTls12, source));
  out_.commit(sealed);
  sealed_total_ += sealed;
  return n;
}

// ---------------------------------------------------------------------------
// Memory.

void RecordLayer::release_idle() {
  // An idle direction gives back its buffer and its AEAD's key schedule;
  // the traffic key stays, and the next record recomputes the schedule.
  if (app_len_ == 0 && in_.empty() && !in_lent_) {
    if (in_.allocated()) {
      unproc_ = 0;
      in_.release(pool());
    }
    rd_.release_schedule();
  }
  if (out_.empty() && !out_lent_) {
    if (out_.allocated()) out_.release(pool());
    wr_.release_schedule();
  }
}

void RecordLayer::release_all(bool to_pool) {
  in_lent_ = out_lent_ = nullptr;
  outbound_lent_ = false;
  free_retired();
  app_len_ = 0;
  in_.clear();
  out_.clear();
  BufferPool* p = to_pool ? &pool_ : nullptr;
  in_.release(p);
  out_.release(p);
}

}  // namespace sluice
