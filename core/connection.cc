#include "core/connection.h"

#include <poll.h>

#include <algorithm>

#include "core/connection_impl.h"
#include "core/handshake13.h"
#include "core/keyschedule.h"
#include "core/wire/messages.h"

namespace sluice {

using wire::ContentType;
using wire::HandshakeType;

namespace {
// Inbound storage starts small (handshake records are a few KiB) and grows
// to one maximal record, plus room to start the next, when a record needs it.
constexpr size_t kInitialInbound = 4096;
constexpr size_t kInboundCapacity = wire::kMaxRecordLen + wire::kRecordHeaderLen;
}  // namespace

Connection::Impl::Impl(std::shared_ptr<const Context> c, Role r) : ctx_(std::move(c)), role_(r), mode_(ctx_->mode()) {}

Connection::Impl::~Impl() {
  // With RELEASE_BUFFERS the context keeps a freelist; a closing
  // connection's buffers go there (wiped) for the next one.
  if (!(mode_ & kModeReleaseBuffers)) return;
  in_lent_ = nullptr;
  in_.clear();
  out_.clear();
  in_.release(ctx_->pool());
  out_.release(ctx_->pool());
}

// ---------------------------------------------------------------------------
// Handshake message framing.

TlsResult<std::optional<HandshakeMessage>> Connection::Impl::next_message() {
  ByteReader r(hs_in_);
  uint8_t type;
  uint32_t len;
  if (!r.u8(type) || !r.u24(len)) return std::optional<HandshakeMessage>();
  if (len > kMaxHandshakeMessageLen) return Err(Error(Reason::kHandshakeMessageTooLarge));
  Bytes body;
  if (!r.bytes(len, body)) return std::optional<HandshakeMessage>();
  hs_msg_len_ = wire::kHandshakeHeaderLen + len;
  return std::optional<HandshakeMessage>(
      HandshakeMessage{static_cast<HandshakeType>(type), body, Bytes(hs_in_).first(hs_msg_len_)});
}

void Connection::Impl::message_done() {
  hs_in_.erase(hs_in_.begin(), hs_in_.begin() + static_cast<ptrdiff_t>(hs_msg_len_));
  hs_msg_len_ = 0;
  if (hs_in_.empty()) hs_in_.shrink_to_fit();
}

Result<void, Error> Connection::Impl::set_read_protection(RecordProtection rp) {
  SLUICE_TRY(check_read_key_change());
  rd_ = std::move(rp);
  return {};
}

Result<void, Error> Connection::Impl::rekey_read(crypto::HashAlg h, crypto::AeadAlg a, Bytes secret) {
  SLUICE_TRY(check_read_key_change());
  return rd_.install13(provider(), h, a, secret);
}

Result<void, Error> Connection::Impl::check_read_key_change() const {
  // RFC 8446 §5.1: handshake messages may not span a key change.
  if (hs_in_.size() > hs_msg_len_) {
    return Err(Error(Reason::kUnexpectedMessage, "handshake data spans a key change"));
  }
  return {};
}

size_t Connection::Impl::max_fragment() const { return std::min<size_t>(wire::kMaxPlaintext, peer_record_limit_); }

size_t Connection::Impl::padding_for(size_t content_len) const {
  const size_t block = ctx_->record_padding();
  if (block == 0 || !wr_.encrypted()) return 0;
  const size_t inner = content_len + 1;
  const size_t pad = (block - inner % block) % block;
  // The padded inner plaintext still respects the peer's limit.
  const size_t max_inner = max_fragment() + 1;
  return inner >= max_inner ? 0 : std::min(pad, max_inner - inner);
}

Result<void, Error> Connection::Impl::rekey_if_due() {
  uint64_t interval = ctx_->key_update_interval();
  if (interval == 0) {
    // RFC 8446 §5.5: AES-GCM keys protect at most 2^24.5 full records.
    if (aead_ == crypto::AeadAlg::kChaCha20Poly1305) return {};
    interval = uint64_t{1} << 24;
  }
  if (!hs_done_ || wr_.sequence() < interval || sent_close_) return {};
  std::vector<uint8_t> msg;
  wire::KeyUpdate{false}.serialize(msg);
  SLUICE_TRY(send_handshake(msg));
  SLUICE_TRY(flush_handshake());
  write_secret_ = SLUICE_TRY(next_traffic_secret(provider(), hash_, write_secret_));
  return wr_.install13(provider(), hash_, aead_, write_secret_);
}

// ---------------------------------------------------------------------------
// Sealing.

Result<void, Error> Connection::Impl::seal(ContentType type, Bytes payload) {
  // Handshake and control records may grow the outbound buffer past its
  // limit: they are of our own making and bounded by our configuration.
  do {
    const size_t frag = std::min(payload.size(), max_fragment());
    const size_t pad = padding_for(frag);
    const size_t need = wire::kRecordHeaderLen + frag + wr_.overhead() + pad;
    // Only as much as this flight needs: handshake peaks stay small.
    out_.acquire(ctx_->pool(), need);
    if (out_.free_tail() < need) out_.compact();
    if (out_.free_tail() < need) out_.grow(ctx_->pool(), out_.end() + need);
    MutBytes area = out_.tail().first(need);
    std::copy(payload.begin(), payload.begin() + static_cast<ptrdiff_t>(frag),
              area.begin() + wire::kRecordHeaderLen);
    size_t n = SLUICE_TRY(wr_.seal(type, area, frag, pad));
    out_.commit(n);
    payload = payload.subspan(frag);
  } while (!payload.empty());
  return {};
}

Result<void, Error> Connection::Impl::send_handshake(Bytes message) {
  hs_out_.insert(hs_out_.end(), message.begin(), message.end());
  return {};
}

Result<void, Error> Connection::Impl::flush_handshake() {
  if (hs_out_.empty()) return {};
  const size_t start = out_.allocated() ? out_.end() : 0;
  SLUICE_TRY(seal(ContentType::kHandshake, hs_out_));
  if (initial_hello_) {
    // RFC 8446 §5.1: the initial ClientHello's record may say 0x0301, as
    // most clients do, for middleboxes that expect it.
    initial_hello_ = false;
    for (size_t at = start; at + wire::kRecordHeaderLen <= out_.end();) {
      auto rec = out_.all().subspan(at);
      rec[2] = 0x01;
      at += wire::kRecordHeaderLen + (static_cast<size_t>(rec[3]) << 8 | rec[4]);
    }
  }
  hs_out_.clear();
  if (hs_done_) hs_out_.shrink_to_fit();
  return {};
}

Result<void, Error> Connection::Impl::set_write_protection(RecordProtection rp) {
  SLUICE_TRY(flush_handshake());
  wr_ = std::move(rp);
  return {};
}

Result<void, Error> Connection::Impl::rekey_write(crypto::HashAlg h, crypto::AeadAlg a, Bytes secret) {
  SLUICE_TRY(flush_handshake());
  return wr_.install13(provider(), h, a, secret);
}

Result<void, Error> Connection::Impl::send_change_cipher_spec() {
  SLUICE_TRY(flush_handshake());
  const uint8_t ccs = 1;
  RecordProtection saved = std::move(wr_);
  wr_ = RecordProtection();
  auto r = seal(ContentType::kChangeCipherSpec, Bytes(&ccs, 1));
  wr_ = std::move(saved);
  return r;
}

Progress Connection::Impl::fail(Error e) {
  if (e.origin == Origin::kApi) {
    if (error_.ok() || error_.origin == Origin::kApi) error_ = e;
    return {Status::kError, 0};
  }
  if (!error_.ok() && error_.origin != Origin::kApi) return {Status::kError, 0};
  error_ = e;
  // A fatal alert is just bytes in outbound() (RFC 8446 §6.2). Nothing is
  // sent for a truncated transport or an alert we received.
  if (e.origin == Origin::kLocal && e.reason != Reason::kTruncated) {
    const uint8_t alert[2] = {2, static_cast<uint8_t>(e.alert)};
    (void)seal(ContentType::kAlert, alert);
  }
  hs_.reset();
  return {Status::kError, 0};
}

// ---------------------------------------------------------------------------
// Opening records.

bool Connection::Impl::has_complete_record() const {
  if (!in_.allocated()) return false;
  const size_t avail = in_.end() - unproc_;
  if (avail < wire::kRecordHeaderLen) return false;
  auto all = const_cast<RecordBuffer&>(in_).all();
  const size_t len = static_cast<size_t>(all[unproc_ + 3]) << 8 | all[unproc_ + 4];
  return avail >= wire::kRecordHeaderLen + len;
}

TlsResult<Connection::Impl::RecordKind> Connection::Impl::read_record() {
  const size_t avail = in_.allocated() ? in_.end() - unproc_ : 0;
  ByteReader header(avail >= wire::kRecordHeaderLen ? Bytes(in_.all().subspan(unproc_, wire::kRecordHeaderLen))
                                                    : Bytes());
  uint8_t type;
  uint16_t version, len;
  if (!header.u8(type) || !header.u16(version) || !header.u16(len)) {
    if (eof_) return Err(Error(Reason::kTruncated, "transport closed without close_notify"));
    return RecordKind::kNeedMore;
  }
  const auto ct = static_cast<ContentType>(type);
  if (ct != ContentType::kHandshake && ct != ContentType::kApplicationData && ct != ContentType::kAlert &&
      ct != ContentType::kChangeCipherSpec) {
    return Err(Error(Reason::kBadRecordType, "unknown record content type"));
  }
  // RFC 8446 §5.1/§5.2: plaintext at most 2^14, ciphertext at most 2^14+256.
  if (len > (rd_.encrypted() ? wire::kMaxCiphertext : wire::kMaxPlaintext)) {
    return Err(Error(Reason::kRecordOverflow, "record length above the limit"));
  }
  if (avail < wire::kRecordHeaderLen + len) {
    if (eof_) return Err(Error(Reason::kTruncated, "transport closed inside a record"));
    return RecordKind::kNeedMore;
  }
  MutBytes record = in_.all().subspan(unproc_, wire::kRecordHeaderLen + len);
  const size_t record_start = unproc_;
  unproc_ += record.size();

  if (early_skip_budget_ > 0 && ct == ContentType::kApplicationData && !app_allowed_) {
    // Rejected 0-RTT (RFC 8446 §4.2.10): records under the early key cannot
    // be opened with the handshake key; skip them within the budget.
    RecordProtection& rp = rd_;
    const bool plaintext_phase = !rp.encrypted();
    bool skip = plaintext_phase;
    if (!plaintext_phase) {
      std::vector<uint8_t> trial(record.begin(), record.end());
      skip = !rp.open_trial(trial);
    }
    if (skip) {
      if (record.size() > early_skip_budget_) return Err(Error(Reason::kUnexpectedMessage, "too much rejected early data"));
      early_skip_budget_ -= record.size();
      consume_inbound_to(unproc_);
      return RecordKind::kControl;
    }
    early_skip_budget_ = 0;
  }
  if (ct == ContentType::kChangeCipherSpec) {
    // RFC 8446 §5: a compatibility CCS is one byte 0x01, unprotected, during
    // the handshake only. It counts towards the empty-record limit.
    if (!ccs_allowed_ || len != 1 || record[wire::kRecordHeaderLen] != 1) {
      return Err(Error(Reason::kUnexpectedMessage, "unexpected change_cipher_spec"));
    }
    if (++empty_records_ > kMaxEmptyRecords) return Err(Error(Reason::kTooManyEmptyRecords));
    consume_inbound_to(unproc_);
    return RecordKind::kControl;
  }
  // RFC 8449 §4: a record above the limit we advertised is record_overflow.
  if (own_record_limit_ && rd_.encrypted() && len > own_record_limit_ + crypto::kAeadTagLen) {
    return Err(Error(Reason::kRecordOverflow, "record above the advertised record_size_limit"));
  }
  OpenedRecord opened = SLUICE_TRY(rd_.open(record));
  if (opened.plaintext.size() > wire::kMaxPlaintext) {
    return Err(Error(Reason::kRecordOverflow, "record plaintext above 2^14"));
  }
  auto drop_record = [&] {
    if (app_len_ == 0) consume_inbound_to(unproc_);
  };
  switch (opened.type) {
    case ContentType::kHandshake: {
      if (opened.plaintext.empty()) return Err(Error(Reason::kUnexpectedMessage, "empty handshake record"));
      if (hs_in_.size() + opened.plaintext.size() > kMaxHandshakeMessageLen + wire::kMaxPlaintext) {
        return Err(Error(Reason::kHandshakeMessageTooLarge));
      }
      // Sized for the whole record at once: a flight arriving in one record
      // then costs one allocation, not a reserve and a regrowth.
      if (const size_t need = hs_in_.size() + opened.plaintext.size(); need > hs_in_.capacity())
        hs_in_.reserve(std::max({need, kHandshakeBufferReserve, 2 * hs_in_.capacity()}));
      hs_in_.insert(hs_in_.end(), opened.plaintext.begin(), opened.plaintext.end());
      drop_record();
      return RecordKind::kHandshake;
    }
    case ContentType::kApplicationData: {
      if (!app_allowed_) return Err(Error(Reason::kUnexpectedMessage, "application data before the handshake ended"));
      if (!hs_in_.empty()) return Err(Error(Reason::kUnexpectedMessage, "application data inside a handshake message"));
      if (opened.plaintext.empty()) {
        if (++empty_records_ > kMaxEmptyRecords) return Err(Error(Reason::kTooManyEmptyRecords));
        drop_record();
        return RecordKind::kControl;
      }
      empty_records_ = 0;
      key_updates_ = 0;
      app_off_ = static_cast<size_t>(opened.plaintext.data() - in_.all().data());
      app_len_ = opened.plaintext.size();
      (void)record_start;
      return RecordKind::kAppData;
    }
    case ContentType::kAlert: {
      ByteReader a(opened.plaintext);
      uint8_t level, desc;
      if (!a.u8(level) || !a.u8(desc) || !a.empty()) return Err(Error(Reason::kDecodeError, "alert length"));
      drop_record();
      const auto alert = static_cast<Alert>(desc);
      if (alert == Alert::kCloseNotify) {
        peer_closed_ = true;
        return RecordKind::kClosed;
      }
      // RFC 8446 §6: all alerts but close_notify and user_canceled are fatal
      // whatever their level.
      if (alert == Alert::kUserCanceled && level == 1) {
        if (++warning_alerts_ > kMaxWarningAlerts) return Err(Error(Reason::kTooManyWarningAlerts));
        return RecordKind::kControl;
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
// Driving the handshake.

Progress Connection::Impl::drive_handshake() {
  Progress p = run_handshake();
  if (p.status == Status::kError) return p;
  // While an async operation is pending, queued messages wait for it, so
  // the records on the wire are the same with or without ASYNC.
  if (p.status == Status::kWantAsync) return p;
  if (auto r = flush_handshake(); !r) return fail(std::move(r).error());
  if (p.status == Status::kOk || p.status == Status::kWantRead) maybe_release_buffers();
  return p;
}

Progress Connection::Impl::run_handshake() {
  if (!error_.ok() && error_.origin != Origin::kApi) return {Status::kError, 0};
  while (!hs_done_) {
    auto w = hs_->step();
    if (!w) return fail(std::move(w).error());
    switch (*w) {
      case Wait::kOk:
        continue;
      case Wait::kDone:
        hs_done_ = true;
        hs_.reset();
        hs_in_.shrink_to_fit();
        if (hs_out_.empty()) hs_out_.shrink_to_fit();
        break;
      case Wait::kAsync:
        if (mode_ & kModeAsync) return {Status::kWantAsync, 0};
        // Without ASYNC the engine waits for the operation itself.
        if (int fd = hs_->async_fd(); fd >= 0) {
          pollfd p{fd, POLLIN, 0};
          (void)::poll(&p, 1, -1);
        }
        continue;
      case Wait::kReadMessage: {
        auto kind = read_record();
        if (!kind) return fail(std::move(kind).error());
        if (*kind == RecordKind::kNeedMore) return {Status::kWantRead, 0};
        // 0-RTT data is for read(): stop so the application can take it.
        if (*kind == RecordKind::kAppData) return {Status::kWantRead, 0};
        if (*kind == RecordKind::kClosed) {
          return fail(Error(Reason::kUnexpectedMessage, "close_notify during the handshake"));
        }
        continue;
      }
    }
  }
  return {Status::kOk, 0};
}

Result<void, Error> Connection::Impl::process_post_handshake() {
  while (true) {
    auto msg = SLUICE_TRY(next_message());
    if (!msg) return {};
    if (pha_state_ != PhaState::kIdle) {
      // RFC 8446 §4.6.2: the answer is Certificate, CertificateVerify (if a
      // certificate was sent), Finished, with nothing in between.
      SLUICE_TRY(process_client_auth_message(msg->type, msg->whole, msg->body));
      message_done();
      continue;
    }
    switch (msg->type) {
      case HandshakeType::kNewSessionTicket: {
        if (role_ != Role::kClient) return Err(Error(Reason::kUnexpectedMessage, "NewSessionTicket from a client"));
        SLUICE_TRY(store_session(msg->body));
        message_done();
        break;
      }
      case HandshakeType::kCertificateRequest:
        if (role_ == Role::kClient) {
          SLUICE_TRY(answer_certificate_request(msg->whole, msg->body));
          message_done();
          break;
        }
        return Err(Error(Reason::kUnexpectedMessage, "CertificateRequest from a client"));
      case HandshakeType::kKeyUpdate: {
        auto ku = SLUICE_TRY(wire::KeyUpdate::parse(msg->body));
        message_done();
        // RFC 8446 §5.1: KeyUpdate must end its record.
        if (!hs_in_.empty()) return Err(Error(Reason::kUnexpectedMessage, "KeyUpdate does not end its record"));
        if (++key_updates_ > kMaxKeyUpdatesWithoutData) {
          return Err(Error(Reason::kUnexpectedMessage, "too many KeyUpdates without data"));
        }
        read_secret_ = SLUICE_TRY(next_traffic_secret(provider(), hash_, read_secret_));
        SLUICE_TRY(rd_.install13(provider(), hash_, aead_, read_secret_));
        if (ku.update_requested && !sent_close_) {
          std::vector<uint8_t> out;
          wire::KeyUpdate{false}.serialize(out);
          SLUICE_TRY(send_handshake(out));
          SLUICE_TRY(flush_handshake());
          write_secret_ = SLUICE_TRY(next_traffic_secret(provider(), hash_, write_secret_));
          SLUICE_TRY(wr_.install13(provider(), hash_, aead_, write_secret_));
        }
        break;
      }
      default:
        return Err(Error(Reason::kUnexpectedMessage, "unexpected post-handshake message"));
    }
  }
}

Result<void, Error> Connection::Impl::answer_certificate_request(Bytes whole, Bytes body) {
  if (!pha_offered_ || !pha_transcript_) {
    return Err(Error(Reason::kUnexpectedMessage, "CertificateRequest without post_handshake_auth"));
  }
  auto cr = SLUICE_TRY(wire::CertificateRequest::parse(body));
  if (cr.request_context.empty()) {
    return Err(Error(Reason::kIllegalParameter, "post-handshake CertificateRequest without a context"));
  }
  Transcript t = pha_transcript_->copy();
  t.add(whole);
  const CertifiedKey& ck = ctx_->certificate();
  std::optional<crypto::SignatureScheme> scheme;
  if (ck.signer && !ck.chain.empty()) {
    const auto& ours = ctx_->signature_schemes();
    for (uint16_t sch : cr.signature_algorithms) {
      const auto s = static_cast<crypto::SignatureScheme>(sch);
      if (std::find(ours.begin(), ours.end(), s) != ours.end() && ck.signer->supports(s)) {
        scheme = s;
        break;
      }
    }
  }
  std::vector<uint8_t> msg;
  wire::CertificateView{cr.request_context, scheme ? std::span(ck.chain) : std::span<const std::vector<uint8_t>>()}
      .serialize(msg);
  t.add(msg);
  SLUICE_TRY(send_handshake(msg));
  if (scheme) {
    HashValue h = current_hash(t);
    auto input = certificate_verify_input(false, h.view());
    std::vector<uint8_t> signature;
    wire::CertificateVerify cv;
    cv.scheme = static_cast<uint16_t>(*scheme);
    // Post-handshake answers are written without returning to the caller,
    // so a pending signature is waited for here (bounded by the signer).
    for (int i = 0; i < 1000; ++i) {
      auto outcome = SLUICE_TRY(ck.signer->sign(*scheme, input.view(), signature));
      if (outcome == crypto::SignOutcome::kDone) break;
      pollfd p{ck.signer->completion_fd(), POLLIN, 0};
      (void)::poll(&p, 1, 1000);
    }
    cv.signature = signature;
    msg.clear();
    cv.serialize(msg);
    t.add(msg);
    SLUICE_TRY(send_handshake(msg));
  }
  HashValue h = current_hash(t);
  auto fin = SLUICE_TRY(finished_message(provider(), hash_, write_secret_, h.view()));
  SLUICE_TRY(send_handshake(fin.view()));
  return flush_handshake();
}

Result<void, Error> Connection::Impl::process_client_auth_message(HandshakeType type, Bytes whole, Bytes body) {
  auto expect = [&](HandshakeType t) -> Result<void, Error> {
    if (type != t) return Err(Error(Reason::kUnexpectedMessage, "unexpected message in a client authentication"));
    return {};
  };
  switch (pha_state_) {
    case PhaState::kCertificate: {
      SLUICE_TRY(expect(HandshakeType::kCertificate));
      auto cert = SLUICE_TRY(wire::Certificate::parse(body));
      if (cert.request_context != pha_context_) {
        return Err(Error(Reason::kIllegalParameter, "client Certificate for another request context"));
      }
      pha_running_->add(whole);
      if (cert.certificates.empty()) {
        pha_chain_.clear();
        pha_state_ = PhaState::kFinished;
        return {};
      }
      CertificateRequest req{cert.certificates, {}, ctx_->now(), false};
      pha_verified_.emplace(SLUICE_TRY(ctx_->verifier()->verify(req)));
      pha_chain_ = std::move(cert.certificates);
      pha_state_ = PhaState::kCertificateVerify;
      return {};
    }
    case PhaState::kCertificateVerify: {
      SLUICE_TRY(expect(HandshakeType::kCertificateVerify));
      auto cv = SLUICE_TRY(wire::CertificateVerify::parse(body));
      if (std::find(pha_schemes_.begin(), pha_schemes_.end(), cv.scheme) == pha_schemes_.end()) {
        return Err(Error(Reason::kIllegalParameter, "client CertificateVerify with a scheme that was not requested"));
      }
      HashValue h = current_hash(*pha_running_);
      SigVerified verified = SLUICE_TRY(verify_certificate_verify(provider(), pha_verified_->end_entity_key(), cv.scheme, h.view(), cv.signature, false));
      (void)verified;
      pha_running_->add(whole);
      pha_state_ = PhaState::kFinished;
      return {};
    }
    case PhaState::kFinished: {
      SLUICE_TRY(expect(HandshakeType::kFinished));
      auto fin = SLUICE_TRY(wire::Finished::parse(body, crypto::hash_len(hash_)));
      HashValue h = current_hash(*pha_running_);
      FinishedVerified verified = SLUICE_TRY(verify_finished(provider(), hash_, read_secret_, h.view(), fin.verify_data));
      (void)verified;
      negotiated_.peer_chain = ctx_->chain_cache().intern(std::move(pha_chain_));
      pha_chain_.clear();
      pha_running_.reset();
      pha_state_ = PhaState::kIdle;
      return {};
    }
    case PhaState::kIdle:
      break;
  }
  return Err(Error(Reason::kUnexpectedMessage, "unexpected message in a client authentication"));
}

Result<void, Error> Connection::Impl::store_session(Bytes body) {
  auto nst = SLUICE_TRY(wire::NewSessionTicket::parse(body));
  SessionStore* store = ctx_->session_store();
  if (!store || resumption_secret_.empty() || nst.lifetime == 0) return {};
  Session s;
  s.psk = SLUICE_TRY(resumption_psk(provider(), hash_, resumption_secret_, nst.nonce));
  s.ticket = std::move(nst.ticket);
  s.cipher_suite = negotiated_.cipher_suite;
  s.age_add = nst.age_add;
  s.lifetime = nst.lifetime;
  s.received_at_ms = ctx_->now_ms();
  s.max_early_data = nst.max_early_data.value_or(0);
  s.alpn = negotiated_.alpn;
  s.peer_chain = negotiated_.peer_chain;
  store->put(session_name_, std::move(s));
  return {};
}

Progress Connection::Impl::fill_readable() {
  if (!hs_done_) {
    Progress p = drive_handshake();
    if (app_len_ > 0) return {Status::kOk, app_len_};  // 0-RTT data
    if (p.status != Status::kOk) return p;
  }
  if (!error_.ok() && error_.origin != Origin::kApi) return {Status::kError, 0};
  while (app_len_ == 0) {
    if (peer_closed_) return {Status::kZeroReturn, 0};
    auto kind = read_record();
    if (!kind) return fail(std::move(kind).error());
    switch (*kind) {
      case RecordKind::kNeedMore:
        maybe_release_buffers();
        return {Status::kWantRead, 0};
      case RecordKind::kAppData:
        break;
      case RecordKind::kClosed:
        return {Status::kZeroReturn, 0};
      case RecordKind::kHandshake:
        if (auto r = process_post_handshake(); !r) return fail(std::move(r).error());
        // Without AUTO_RETRY a record with no application data ends the
        // call, even when more records are buffered (SSL_CTX_set_mode(3)).
        if (!(mode_ & kModeAutoRetry)) {
          maybe_release_buffers();
          return {Status::kWantRead, 0};
        }
        break;
      case RecordKind::kControl:
        if (!(mode_ & kModeAutoRetry)) {
          maybe_release_buffers();
          return {Status::kWantRead, 0};
        }
        break;
    }
  }
  return {Status::kOk, app_len_};
}

// ---------------------------------------------------------------------------
// Application data out.

std::span<uint8_t> Connection::Impl::write_space(size_t want) {
  if (!hs_done_ || sent_close_ || (!error_.ok() && error_.origin != Origin::kApi)) return {};
  if (auto r = rekey_if_due(); !r) {
    fail(std::move(r).error());
    return {};
  }
  // Room for the record's overhead and the most padding it could take.
  const size_t block = ctx_->record_padding();
  const size_t overhead = wire::kRecordHeaderLen + wr_.overhead() + (block ? block - 1 : 0);
  const size_t limit = ctx_->outbound_limit();
  const size_t record = overhead + std::min(want, max_fragment());
  out_.acquire(ctx_->pool(), std::min(limit, record));
  if (out_.free_tail() < record) out_.compact();
  if (out_.free_tail() < record && out_.held() + record <= limit) out_.grow(ctx_->pool(), out_.end() + record);
  // The outbound limit bounds what is held; a record is sealed only if it
  // fits whole.
  const size_t room_in_limit = limit > out_.held() + overhead ? limit - out_.held() - overhead : 0;
  const size_t room_in_storage = out_.free_tail() > overhead ? out_.free_tail() - overhead : 0;
  const size_t room = std::min({room_in_limit, room_in_storage, max_fragment()});
  if (room == 0) return {};
  return out_.tail().subspan(wire::kRecordHeaderLen, room);
}

Progress Connection::Impl::write_commit(size_t n) {
  if (n == 0) return {Status::kOk, 0};
  const size_t pad = padding_for(n);
  const size_t need = wire::kRecordHeaderLen + n + wr_.overhead() + pad;
  if (!hs_done_ || out_.free_tail() < need || n > max_fragment()) {
    return fail(Error::api(Reason::kApiMisuse, "write_commit larger than write_space"));
  }
  auto sealed = wr_.seal(ContentType::kApplicationData, out_.tail().first(need), n, pad);
  if (!sealed) return fail(std::move(sealed).error());
  out_.commit(*sealed);
  return {Status::kOk, n};
}

void Connection::Impl::consume_inbound_to(size_t offset) {
  in_.consume(offset - in_.begin());
  if (in_.empty() && !in_lent_) {
    in_.rewind();
    unproc_ = 0;
  }
}

void Connection::Impl::maybe_release_buffers() {
  if (!(mode_ & kModeReleaseBuffers)) return;
  if (app_len_ == 0 && in_.allocated() && in_.empty() && !in_lent_) {
    unproc_ = 0;
    in_.release(ctx_->pool());
  }
  if (out_.allocated() && out_.empty()) out_.release(ctx_->pool());
}

// ---------------------------------------------------------------------------
// Public API.

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() = default;

Progress Connection::write_early(std::span<const uint8_t> data) {
  Impl& c = *impl_;
  if (c.role_ != Role::kClient || c.hs_done_ || c.initial_hello_ || c.out_.allocated()) {
    return c.fail(Error::api(Reason::kApiMisuse, "write_early after the handshake started"));
  }
  const size_t n = std::min(data.size(), kMaxEarlyDataQueued - c.early_out_.size());
  c.early_out_.insert(c.early_out_.end(), data.begin(), data.begin() + static_cast<ptrdiff_t>(n));
  return {Status::kOk, n};
}

Connection Connection::client(std::shared_ptr<const Context> ctx, std::string server_name) {
  auto impl = std::make_unique<Impl>(std::move(ctx), Role::kClient);
  impl->session_name_ = server_name;
  impl->hs_ = make_client13(*impl, std::move(server_name));
  return Connection(std::move(impl));
}

Connection Connection::server(std::shared_ptr<const Context> ctx) {
  auto impl = std::make_unique<Impl>(std::move(ctx), Role::kServer);
  impl->hs_ = make_server13(*impl);
  return Connection(std::move(impl));
}

long Connection::set_mode(long bits) { return impl_->mode_ |= bits; }
long Connection::clear_mode(long bits) { return impl_->mode_ &= ~bits; }
long Connection::mode() const { return impl_->mode_; }

std::span<uint8_t> Connection::inbound_space() {
  Impl& c = *impl_;
  if (c.eof_) return {};
  c.in_.acquire(c.ctx_->pool(), kInitialInbound);
  if (c.app_len_ == 0 && c.in_.begin() > 0 && !c.in_lent_) {
    c.unproc_ -= c.in_.begin();
    c.in_.compact();
  }
  // Grow when the record being received does not fit (its header says how
  // long it is), or when nothing fits at all.
  if (!c.in_lent_ && c.in_.capacity() < kInboundCapacity) {
    // Find the first record not yet complete: it decides what must fit.
    auto all = c.in_.all();
    size_t at = c.unproc_;
    while (c.in_.end() - at >= wire::kRecordHeaderLen) {
      const size_t len = wire::kRecordHeaderLen + (static_cast<size_t>(all[at + 3]) << 8 | all[at + 4]);
      if (c.in_.end() - at < len) break;
      at += len;
    }
    size_t needed = at + wire::kRecordHeaderLen;
    if (c.in_.end() - at >= wire::kRecordHeaderLen) {
      needed = at + wire::kRecordHeaderLen + (static_cast<size_t>(all[at + 3]) << 8 | all[at + 4]);
    }
    if (needed > c.in_.capacity()) c.in_.grow(c.ctx_->pool(), std::min(kInboundCapacity + c.unproc_, needed));
  }
  auto tail = c.in_.tail();
  c.in_lent_ = tail.data();
  return tail;
}

void Connection::inbound_commit(size_t n) {
  Impl& c = *impl_;
  // The bytes must land where inbound_space() said (STYLE.md practice 12:
  // a commit is checked against what was offered).
  const bool moved = c.in_lent_ == nullptr || c.in_.tail().data() != c.in_lent_;
  c.in_lent_ = nullptr;
  if (n == 0) return;
  if (moved || n > c.in_.free_tail()) {
    c.fail(Error::api(Reason::kApiMisuse, "inbound_commit without a matching inbound_space"));
    return;
  }
  c.in_.commit(n);
}

size_t Connection::feed(std::span<const uint8_t> data) {
  auto space = inbound_space();
  const size_t n = std::min(space.size(), data.size());
  std::copy(data.begin(), data.begin() + static_cast<ptrdiff_t>(n), space.begin());
  inbound_commit(n);
  return n;
}

void Connection::inbound_eof() { impl_->eof_ = true; }

std::span<const uint8_t> Connection::outbound() {
  if (!impl_->out_.allocated()) return {};
  return impl_->out_.data();
}

void Connection::outbound_consumed(size_t n) {
  Impl& c = *impl_;
  c.out_.consume(std::min(n, c.out_.held()));
  c.out_.rewind();
  c.maybe_release_buffers();
}

bool Connection::has_pending() const { return impl_->app_len_ > 0 || impl_->has_complete_record(); }

bool Connection::wants_read() const {
  const Impl& c = *impl_;
  if (has_pending() || c.eof_ || c.peer_closed_) return false;
  if (!c.error_.ok() && c.error_.origin != Origin::kApi) return false;
  return true;
}

bool Connection::wants_write() const { return impl_->out_.allocated() && !impl_->out_.empty(); }

int Connection::async_fd() const { return impl_->hs_ ? impl_->hs_->async_fd() : -1; }

Progress Connection::handshake() {
  Impl& c = *impl_;
  if (c.hs_done_) return {Status::kOk, 0};
  return c.drive_handshake();
}

std::span<const uint8_t> Connection::readable() {
  Impl& c = *impl_;
  if (c.app_len_ == 0 && c.fill_readable().status != Status::kOk) return {};
  return c.in_.all().subspan(c.app_off_, c.app_len_);
}

void Connection::read_consumed(size_t n) {
  Impl& c = *impl_;
  n = std::min(n, c.app_len_);
  c.app_off_ += n;
  c.app_len_ -= n;
  if (c.app_len_ == 0) {
    c.consume_inbound_to(c.unproc_);
    c.maybe_release_buffers();
  }
}

Progress Connection::read(std::span<uint8_t> out) {
  Impl& c = *impl_;
  size_t done = 0;
  while (done < out.size()) {
    if (c.app_len_ == 0) {
      Progress p = c.fill_readable();
      if (p.status != Status::kOk) {
        if (done > 0) break;
        return p;
      }
    }
    auto window = c.in_.all().subspan(c.app_off_, c.app_len_);
    const size_t n = std::min(window.size(), out.size() - done);
    std::copy(window.begin(), window.begin() + static_cast<ptrdiff_t>(n), out.begin() + static_cast<ptrdiff_t>(done));
    read_consumed(n);
    done += n;
    // Return what we have rather than block on the next record.
    if (!c.has_complete_record()) break;
  }
  return {Status::kOk, done};
}

Progress Connection::write(std::span<const uint8_t> in) {
  Impl& c = *impl_;
  if (!c.hs_done_) {
    Progress p = c.drive_handshake();
    if (p.status != Status::kOk) return p;
  }
  if (!c.error_.ok() && c.error_.origin != Origin::kApi) return {Status::kError, 0};
  if (c.sent_close_) return c.fail(Error::api(Reason::kApiMisuse, "write after shutdown"));
  size_t done = 0;
  if (c.retry_ptr_) {
    // SSL_CTX_set_mode(3): a retry must pass the same buffer (or, with
    // ACCEPT_MOVING_WRITE_BUFFER, the same bytes at another address), and
    // never fewer bytes than were already taken.
    if (in.data() != c.retry_ptr_ && !(c.mode_ & kModeAcceptMovingWriteBuffer)) {
      return c.fail(Error::api(Reason::kBadWriteRetry, "bad write retry: buffer moved without ACCEPT_MOVING_WRITE_BUFFER"));
    }
    if (in.size() < c.retry_done_) {
      return c.fail(Error::api(Reason::kBadWriteRetry, "bad write retry: shorter than the bytes already written"));
    }
    done = c.retry_done_;
  }
  if (!c.error_.ok() && c.error_.origin == Origin::kApi) c.error_ = Error();
  while (done < in.size()) {
    auto space = c.write_space(in.size() - done);
    if (space.empty()) {
      if ((c.mode_ & kModeEnablePartialWrite) && done > 0) break;
      c.retry_ptr_ = in.data();
      c.retry_len_ = in.size();
      c.retry_done_ = done;
      return {Status::kWantWrite, 0};
    }
    const size_t n = std::min(space.size(), in.size() - done);
    std::copy(in.begin() + static_cast<ptrdiff_t>(done), in.begin() + static_cast<ptrdiff_t>(done + n), space.begin());
    Progress p = c.write_commit(n);
    if (p.status != Status::kOk) return p;
    done += n;
    if (c.mode_ & kModeEnablePartialWrite) break;
  }
  c.retry_ptr_ = nullptr;
  c.retry_len_ = c.retry_done_ = 0;
  return {Status::kOk, done};
}

Progress Connection::shutdown() {
  Impl& c = *impl_;
  if (!c.error_.ok() && c.error_.origin != Origin::kApi) return {Status::kError, 0};
  if (!c.sent_close_) {
    const uint8_t alert[2] = {1, static_cast<uint8_t>(Alert::kCloseNotify)};
    if (auto r = c.seal(ContentType::kAlert, alert); !r) return c.fail(std::move(r).error());
    c.sent_close_ = true;
  }
  if (c.peer_closed_) return {Status::kOk, 0};
  // Look for the peer's close_notify among buffered records.
  while (!c.peer_closed_) {
    if (!c.hs_done_) return {Status::kWantRead, 0};
    auto kind = c.read_record();
    if (!kind) return c.fail(std::move(kind).error());
    if (*kind == Impl::RecordKind::kNeedMore) return {Status::kWantRead, 0};
    if (*kind == Impl::RecordKind::kAppData) read_consumed(c.app_len_);  // discarded after our close
    if (*kind == Impl::RecordKind::kHandshake) {
      if (auto r = c.process_post_handshake(); !r) return c.fail(std::move(r).error());
    }
  }
  return {Status::kOk, 0};
}

Progress Connection::key_update(bool request_peer_update) {
  Impl& c = *impl_;
  if (!c.hs_done_ || c.sent_close_) return c.fail(Error::api(Reason::kApiMisuse, "key_update before the handshake ended"));
  if (!c.error_.ok() && c.error_.origin != Origin::kApi) return {Status::kError, 0};
  std::vector<uint8_t> msg;
  wire::KeyUpdate{request_peer_update}.serialize(msg);
  if (auto r = c.send_handshake(msg); !r) return c.fail(std::move(r).error());
  if (auto r = c.flush_handshake(); !r) return c.fail(std::move(r).error());
  auto next = next_traffic_secret(c.provider(), c.hash_, c.write_secret_);
  if (!next) return c.fail(std::move(next).error());
  c.write_secret_ = std::move(*next);
  if (auto r = c.wr_.install13(c.provider(), c.hash_, c.aead_, c.write_secret_); !r) return c.fail(std::move(r).error());
  return {Status::kOk, 0};
}

Progress Connection::request_client_certificate() {
  Impl& c = *impl_;
  if (c.role_ != Role::kServer || !c.hs_done_ || !c.pha_offered_ || !c.pha_transcript_ ||
      c.pha_state_ != Impl::PhaState::kIdle || c.sent_close_ || c.ctx_->verifier() == nullptr) {
    return c.fail(Error::api(Reason::kApiMisuse,
                             "request_client_certificate needs a finished handshake, a client that offered "
                             "post_handshake_auth, a verifier, and no request outstanding"));
  }
  wire::CertificateRequest cr;
  cr.request_context.resize(8);
  if (auto r = c.provider().random(cr.request_context); !r) return c.fail(Error(r.error()));
  for (auto s : c.ctx_->signature_schemes()) cr.signature_algorithms.push_back(static_cast<uint16_t>(s));
  cr.certificate_authorities = c.ctx_->certificate_authorities();
  std::vector<uint8_t> msg;
  cr.serialize(msg);
  c.pha_running_ = std::make_unique<Transcript>(c.pha_transcript_->copy());
  c.pha_running_->add(msg);
  c.pha_context_ = cr.request_context;
  c.pha_schemes_ = cr.signature_algorithms;
  if (auto r = c.send_handshake(msg); !r) return c.fail(std::move(r).error());
  if (auto r = c.flush_handshake(); !r) return c.fail(std::move(r).error());
  c.pha_state_ = Impl::PhaState::kCertificate;
  return {Status::kOk, 0};
}

int Connection::client_certificate_requests() const { return impl_->pha_state_ == Impl::PhaState::kIdle ? 0 : 1; }

bool Connection::handshake_done() const { return impl_->hs_done_; }
const Error& Connection::error() const { return impl_->error_; }
const Negotiated& Connection::negotiated() const { return impl_->negotiated_; }

std::span<uint8_t> Connection::write_space() { return impl_->write_space(); }
Progress Connection::write_commit(size_t n) { return impl_->write_commit(n); }

}  // namespace sluice
