#include "core/engine.h"
#include "core/context_internals.h"

#include <algorithm>

#include "core/wire/messages.h"

namespace sluice {

using wire::ContentType;

Connection::Impl::Impl(std::shared_ptr<const Context> c, Role r, std::string server_name)
    : ctx_(std::move(c)),
      role_(r),
      mode_(ctx_->mode()),
      session_name_(server_name),
      rl_(internals(*ctx_).pool, ctx_->policy().outbound_limit, ctx_->policy().record_padding) {
  hs_ = r == Role::kClient ? make_client13(*this, std::move(server_name)) : make_server13(*this);
  rl_.set_pooling((mode_ & kModeReleaseBuffers) != 0);
  rl_.set_record_limits(ctx_->policy().max_send_fragment, 0);
}

Connection::Impl::~Impl() {
  // With RELEASE_BUFFERS the context keeps a freelist; a closing
  // connection's buffers go there (wiped) for the next one.
  rl_.release_all((mode_ & kModeReleaseBuffers) != 0);
}

// ---------------------------------------------------------------------------
// HandshakeIo.

Result<void, Error> Connection::Impl::send(Bytes message) {
  handshake_output().insert(hs_out_.end(), message.begin(), message.end());
  return {};
}

void Connection::Impl::observe_handshake(bool sent, uint8_t type, Bytes body) const {
  if (const auto& cb = ctx_->hooks().message_callback; cb)
    cb(MessageInfo{sent, ContentType::kHandshake, type, body.size(), body, 0, negotiated().version});
}

void Connection::Impl::observe_inner_hello(bool sent, Bytes body) const {
  if (const auto& cb = ctx_->hooks().message_callback; cb) {
    MessageInfo info{sent, ContentType::kHandshake, static_cast<uint8_t>(wire::HandshakeType::kClientHello),
                     body.size(), body, 0, negotiated().version};
    info.ech_inner = true;
    cb(info);
  }
}

void Connection::Impl::observe_alert(bool sent, uint8_t level, Alert alert) const {
  if (const auto& cb = ctx_->hooks().message_callback; cb)
    cb(MessageInfo{sent, ContentType::kAlert, static_cast<uint8_t>(alert), 2, {}, level, negotiated().version});
}

TlsResult<std::optional<HandshakeMessage>> Connection::Impl::next_message() {
  auto m = hs_in_.next();
  // Seen here, before the machine acts on it, so a trace shows a message
  // before what answers it (a KeyUpdate's reply, a refusal's alert) and a
  // message that fails its checks before the alert it causes.
  if (m && *m && hs_in_.first_sight()) observe_handshake(false, hs_in_.current_type(), hs_in_.current_body());
  return m;
}

void Connection::Impl::message_done() { hs_in_.done(); }

TlsResult<RecordLayer::Record> Connection::Impl::read_record(MutBytes deliver) {
  auto rec = rl_.read(deliver);
  if (const auto a = rl_.alert_read(); a.level != 0) observe_alert(false, a.level, a.alert);
  return rec;
}

Result<void, Error> Connection::Impl::flush() {
  if (hs_out_.empty()) return {};
  if (ctx_->hooks().message_callback) {
    ByteReader r(hs_out_);
    uint8_t type;
    ByteReader body;
    while (r.u8(type) && r.prefixed24(body)) observe_handshake(true, type, body.rest());
  }
  // RFC 8446 §5.1: the initial ClientHello's record may say 0x0301, as
  // most clients do, for middleboxes that expect it.
  const uint16_t version = initial_hello_ ? wire::kTls10 : wire::kTls12;
  initial_hello_ = false;
  SLUICE_TRY(rl_.seal(ContentType::kHandshake, hs_out_, version));
  hs_out_.clear();
  if (hs_done_) hs_out_.shrink_to_fit();
  return {};
}

Result<void, Error> Connection::Impl::send_change_cipher_spec() {
  SLUICE_TRY(flush());
  // The compatibility CCS is a plaintext record whatever the write key.
  const uint8_t ccs = 1;
  Protection saved = std::move(rl_.write_protection());
  rl_.write_protection() = Protection();
  auto r = rl_.seal(ContentType::kChangeCipherSpec, Bytes(&ccs, 1));
  rl_.write_protection() = std::move(saved);
  return r;
}

Result<void, Error> Connection::Impl::send_early_data(size_t max) {
  const size_t n = std::min(early_out_.size(), max);
  SLUICE_TRY(rl_.seal(ContentType::kApplicationData, Bytes(early_out_).first(n)));
  early_out_.erase(early_out_.begin(), early_out_.begin() + static_cast<ptrdiff_t>(n));
  return {};
}

namespace {
// RFC 8446 §5.1: handshake messages may not span a key change.
Result<void, Error> check_read_key_change(const HandshakeReader& in) {
  if (in.beyond_current()) return Err(Error(Reason::kUnexpectedMessage, "handshake data spans a key change"));
  return {};
}
}  // namespace

Result<void, Error> Connection::Impl::install_read(Protection p) {
  SLUICE_TRY(check_read_key_change(hs_in_));
  rl_.read_protection() = std::move(p);
  return {};
}

Result<void, Error> Connection::Impl::install_write(Protection p) {
  SLUICE_TRY(flush());
  rl_.write_protection() = std::move(p);
  return {};
}

Result<void, Error> Connection::Impl::rekey_read13(crypto::HashAlg h, crypto::AeadAlg a, Bytes secret) {
  SLUICE_TRY(check_read_key_change(hs_in_));
  return rl_.read_protection().install13(provider(), h, a, secret);
}

Result<void, Error> Connection::Impl::rekey_write13(crypto::HashAlg h, crypto::AeadAlg a, Bytes secret) {
  SLUICE_TRY(flush());
  return rl_.write_protection().install13(provider(), h, a, secret);
}

Result<void, Error> Connection::Impl::enter_traffic13(HandshakeProof proof, Traffic13 traffic) {
  // A client must have authenticated its server; only a server may let its
  // peer go without (its policy decided that).
  if (role_ == Role::kClient && proof.peer.anonymous()) {
    return Err(Error(Reason::kInternal, "client entering traffic without an authenticated server"));
  }
  negotiated_ = std::move(traffic.negotiated);
  if (!early_out_.empty()) {
    // 0-RTT the ticket had no room for goes out first as ordinary data:
    // write_early took it, and an accepted 0-RTT tells the application
    // nothing is left to send again. Rejected, the application sends all.
    if (negotiated_.early_data_accepted) SLUICE_TRY(rl_.seal(ContentType::kApplicationData, early_out_));
    std::vector<uint8_t>().swap(early_out_);
  }
  post_ = &post_storage_.emplace<PostHandshake13>(*this, role_, session_name_, std::move(traffic));
  rl_.set_app_data_allowed(true);
  rl_.set_ccs_allowed(false);
  rl_.set_handshaking(false);
  if (role_ == Role::kServer) {
    // Tests replaying recorded traces send their messages here.
    for (const auto& msg : ctx_->danger_shape().server_post_handshake_messages) SLUICE_TRY(send(msg));
  }
  return {};
}

Result<void, Error> Connection::Impl::enter_traffic12(HandshakeProof proof, Traffic12 traffic) {
  if (role_ == Role::kClient && proof.peer.anonymous()) {
    return Err(Error(Reason::kInternal, "client entering traffic without an authenticated server"));
  }
  if (renegotiating_) {
    ++renegotiations_;
    renegotiating_ = false;
    // The application protocol is the connection's: a renegotiation does
    // not change it (our client does not offer ALPN again).
    traffic.negotiated.alpn = std::move(negotiated_.alpn);
  }
  std::vector<uint8_t>().swap(early_out_);  // no 0-RTT in TLS 1.2: the application sends it again
  negotiated_ = std::move(traffic.negotiated);
  Renegotiation12 state{traffic.client_verify_data, traffic.server_verify_data, traffic.peer_secure_renegotiation, {},
                        negotiated_.extended_master_secret};
  if (role_ == Role::kClient && !negotiated_.peer_chain.empty()) state.server_certificate = negotiated_.peer_chain.front();
  Traffic12 keys;
  keys.master_secret = traffic.master_secret.copy();
  keys.client_random = traffic.client_random;
  keys.server_random = traffic.server_random;
  keys.negotiated.cipher_suite = negotiated_.cipher_suite;
  post_ = &post_storage_.emplace<PostHandshake12>(*this, role_, session_name_, std::move(state), renegotiations_,
                                                  std::move(keys));
  rl_.set_app_data_allowed(true);
  rl_.set_handshaking(false);
  return {};
}

Result<void, Error> Connection::Impl::send_change_cipher_spec12(Protection next) {
  SLUICE_TRY(flush());
  const uint8_t ccs = 1;
  SLUICE_TRY(rl_.seal(ContentType::kChangeCipherSpec, Bytes(&ccs, 1)));
  rl_.write_protection() = std::move(next);
  return {};
}

void Connection::Impl::expect_change_cipher_spec12(Protection next) {
  pending_read_.emplace(std::move(next));
  ccs_received_ = false;
  rl_.expect_key_change(true);
}

Result<void, Error> Connection::Impl::send_warning_alert(Alert a) {
  // RFC 5246 §7.2.1: nothing follows our close_notify; what it would have
  // refused goes unanswered.
  if (sent_close_) return {};
  SLUICE_TRY(flush());
  const uint8_t alert[2] = {1, static_cast<uint8_t>(a)};
  SLUICE_TRY(rl_.seal(ContentType::kAlert, alert));
  observe_alert(true, alert[0], a);
  return {};
}

// ---------------------------------------------------------------------------
// Application data during a handshake.

namespace {
// Data set aside while a handshake runs: 0-RTT is bounded by
// max_early_data already; data during a renegotiation by this.
constexpr size_t kMaxHeldAppData = 64 * 1024;
}  // namespace

bool Connection::Impl::hold_app_data() {
  const size_t n = rl_.app_pending();
  if (n == 0) return true;
  const size_t bound = std::max<size_t>(kMaxHeldAppData, ctx_->policy().max_early_data);
  if (held_app_.size() - held_off_ + n > bound) return false;
  if (held_off_ > 0 && held_off_ == held_app_.size()) held_app_.clear(), held_off_ = 0;
  const Bytes window = rl_.app_data();
  held_app_.insert(held_app_.end(), window.begin(), window.end());
  rl_.consume_app_data(n);
  return true;
}

void Connection::Impl::consume_app(size_t n) {
  const size_t held = held_app_.size() - held_off_;
  const size_t from_held = std::min(n, held);
  held_off_ += from_held;
  if (held_off_ == held_app_.size()) {
    std::vector<uint8_t>().swap(held_app_);
    held_off_ = 0;
  }
  if (n > from_held) rl_.consume_app_data(n - from_held);
}

// ---------------------------------------------------------------------------
// Driving.

Progress Connection::Impl::fail(Error e) {
  if (e.origin == Origin::kApi) {
    if (error_.ok() || error_.origin == Origin::kApi) error_ = e;
    return {Status::kError, 0};
  }
  if (failed()) return {Status::kError, 0};
  error_ = e;
  if (hs_) negotiated_ = hs_->negotiated();
  // A fatal alert is just bytes in outbound() (RFC 8446 §6.2). Nothing is
  // sent for a truncated transport or an alert we received. Queued
  // handshake messages are dropped: the alert is the last word.
  hs_out_.clear();
  rl_.abandon_write_space();
  if (e.origin == Origin::kLocal && e.reason != Reason::kTruncated) {
    const uint8_t alert[2] = {2, static_cast<uint8_t>(e.alert)};
    if (rl_.seal(ContentType::kAlert, alert)) observe_alert(true, alert[0], e.alert);
  }
  hs_.reset();
  return {Status::kError, 0};
}

Progress Connection::Impl::wait_async(crypto::PendingSignature* op) {
  if (!op) return fail(Error(Reason::kInternal, "asynchronous wait without an operation"));
  if (mode_ & kModeAsync) {
    async_pending_ = true;
    if (async_callback_) op->on_done(async_callback_);
    return {Status::kWantAsync, 0};
  }
  // Without ASYNC the engine waits for the operation itself, through the
  // provider (core makes no system calls).
  op->wait();
  return {Status::kOk, 0};
}

crypto::PendingSignature* Connection::Impl::pending_operation() const {
  if (hs_) return hs_->pending_operation();
  return post_ ? post_->pending_operation() : nullptr;
}

void Connection::Impl::release_idle() {
  if (!(mode_ & kModeReleaseBuffers)) return;
  rl_.release_idle();
}

Progress Connection::Impl::handshake(bool read_records) {
  if (failed()) return {Status::kError, 0};
  handshake_started_ = true;
  async_pending_ = false;
  while (!hs_done_) {
    auto w = hs_->step();
    if (!w) return fail(std::move(w).error());
    if (next_machine_) hs_ = std::move(next_machine_);  // the version is known: its machine goes on
    if (*w == Wait::kOk) continue;
    if (*w == Wait::kDone) {
      hs_done_ = true;
      hs_.reset();
      hs_in_.release();
      if (hs_out_.empty()) hs_out_.shrink_to_fit();
      break;
    }
    if (*w == Wait::kAsync) {
      // While an operation is pending, queued messages wait for it, so the
      // records on the wire are the same with or without ASYNC.
      Progress p = wait_async(hs_->pending_operation());
      if (p.status != Status::kOk) return p;
      continue;
    }
    // Wait::kReadMessage. Application data already opened (0-RTT, or data
    // during a renegotiation) is set aside first: the next record takes its
    // place in the inbound buffer. Past the bound the application must read.
    if (!read_records || !hold_app_data()) {
      if (auto r = flush(); !r) return fail(std::move(r).error());
      return {Status::kWantRead, 0};
    }
    auto rec = read_record();
    if (!rec) return fail(std::move(rec).error());
    switch (rec->kind) {
      case RecordLayer::Kind::kNeedMore:
        if (auto r = flush(); !r) return fail(std::move(r).error());
        release_idle();
        return {Status::kWantRead, 0};
      case RecordLayer::Kind::kHandshake:
        if (auto r = hs_in_.append(rec->plaintext); !r) return fail(std::move(r).error());
        rl_.release_record();
        continue;
      case RecordLayer::Kind::kAppData:
        // 0-RTT data (or data during a renegotiation) is for read(); it is
        // set aside at the next record and the handshake goes on.
        if (!hs_in_.empty()) return fail(Error(Reason::kUnexpectedMessage, "application data inside a handshake message"));
        if (early_data_left_) {
          if (rec->plaintext.size() > *early_data_left_) {
            return fail(Error(Reason::kEarlyDataOverLimit, "0-RTT data above max_early_data_size"));
          }
          *early_data_left_ -= rec->plaintext.size();
        }
        continue;
      case RecordLayer::Kind::kClosed:
        return fail(Error(Reason::kUnexpectedMessage, "close_notify during the handshake"));
      case RecordLayer::Kind::kControl:
        if (rl_.warning() == Alert::kNoRenegotiation && renegotiation_declined()) {
          // RFC 5746 §4.2 lets a server decline the renegotiation its
          // client asked for with this warning, before any answer: the
          // connection goes on as it was (as sluice's server lets a
          // declined client go on).
          hs_.reset();
          hs_done_ = true;
          renegotiating_ = false;
        }
        continue;
      case RecordLayer::Kind::kChangeCipherSpec:
        // RFC 5246 §7.1: the key change, where the machine expects it; no
        // handshake message may span it.
        if (!hs_in_.empty()) return fail(Error(Reason::kUnexpectedMessage, "change_cipher_spec inside a handshake message"));
        if (!pending_read_) return fail(Error(Reason::kUnexpectedMessage, "change_cipher_spec where a handshake message is due"));
        rl_.read_protection() = std::move(*pending_read_);
        pending_read_.reset();
        ccs_received_ = true;
        continue;
    }
  }
  if (auto r = flush(); !r) return fail(std::move(r).error());
  release_idle();
  return {Status::kOk, 0};
}

bool Connection::Impl::renegotiation_declined() const {
  // Nothing of the server's answer has come: no ServerHello was taken and
  // none is being read.
  return role_ == Role::kClient && renegotiating_ && hs_ && hs_->negotiated().version == 0 && hs_in_.empty();
}

Progress Connection::Impl::start_renegotiation() {
  hs_ = std::move(reneg_machine_);
  hs_done_ = false;
  renegotiating_ = true;
  // The client's ClientHello goes out now; the server's answer is read by
  // the calls that follow.
  Progress p = handshake(false);
  return p.status == Status::kWantRead ? Progress{Status::kOk, 0} : p;
}

Progress Connection::Impl::process_post_handshake() {
  async_pending_ = false;
  while (true) {
    if (post_->answer_pending()) {
      auto w = post_->resume();
      if (!w) return fail(std::move(w).error());
      if (*w == Wait::kAsync) {
        Progress p = wait_async(post_->pending_operation());
        if (p.status != Status::kOk) return p;
        continue;
      }
    }
    auto m = next_message();
    if (!m) return fail(std::move(m).error());
    if (!*m) break;
    auto w = post_->process(**m, message_ends_record(), negotiated_);
    if (!w) return fail(std::move(w).error());
    if (reneg_machine_) {
      // A renegotiation starts: its machine runs from the next handshake()
      // (a ClientHello stays for a server's new machine to read).
      if (!reneg_keep_message_) message_done();
      if (sent_close_) {
        reneg_machine_.reset();  // after our close_notify nothing new begins
        return settle();
      }
      hs_ = std::move(reneg_machine_);
      hs_done_ = false;
      renegotiating_ = true;
      return settle();
    }
    message_done();
    if (*w == Wait::kAsync) {
      // Reported as the handshake reports it: kWantAsync at once with ASYNC
      // (however fast the operation), else waited for here.
      Progress p = wait_async(post_->pending_operation());
      if (p.status != Status::kOk) return p;
    }
  }
  return settle();
}

Progress Connection::Impl::settle() {
  if (failed()) return {Status::kError, 0};
  // Our own records wait while the application holds write space, and a
  // KeyUpdate reply waits while the peer is not taking what we send (one
  // reply then answers every request: nothing queues without bound).
  if (!rl_.write_space_lent()) {
    if (post_ && post_->reply_pending() && !sent_close_ && !rl_.outbound_full()) {
      if (auto r = post_->send_pending_reply(); !r) return fail(std::move(r).error());
    }
    if (auto r = flush(); !r) return fail(std::move(r).error());
  }
  return {Status::kOk, 0};
}

Progress Connection::Impl::fill_readable(MutBytes deliver, size_t* delivered) {
  if (!hs_done_) {
    Progress p = handshake();
    if (p.status == Status::kError) return p;  // nothing is read past a failure
    if (app_pending() > 0) return {Status::kOk, app_pending()};  // 0-RTT data
    if (p.status != Status::kOk) return p;
  }
  if (failed()) return {Status::kError, 0};
  if (post_->answer_pending()) {
    Progress p = process_post_handshake();
    if (p.status != Status::kOk) return p;
  }
  while (app_pending() == 0) {
    if (rl_.peer_closed()) return {Status::kZeroReturn, 0};
    auto rec = read_record(deliver);
    if (!rec) return fail(std::move(rec).error());
    switch (rec->kind) {
      case RecordLayer::Kind::kNeedMore: {
        Progress p = settle();
        release_idle();
        if (p.status != Status::kOk) return p;
        return {Status::kWantRead, 0};
      }
      case RecordLayer::Kind::kAppData:
        if (!hs_in_.empty()) {
          wipe(deliver.first(rec->delivered));
          return fail(Error(Reason::kUnexpectedMessage, "application data inside a post-handshake message"));
        }
        post_->note_app_data(rec->delivered + rec->plaintext.size());
        if (rec->delivered > 0) {
          *delivered = rec->delivered;
          return {Status::kOk, app_pending()};
        }
        break;
      case RecordLayer::Kind::kClosed:
        return {Status::kZeroReturn, 0};
      case RecordLayer::Kind::kHandshake: {
        if (auto r = hs_in_.append(rec->plaintext); !r) return fail(std::move(r).error());
        rl_.release_record();
        Progress p = process_post_handshake();
        if (p.status != Status::kOk) return p;
        if (!hs_done_) {
          // A renegotiation began: it runs now. Without AUTO_RETRY the call
          // ends with kWantRead while it does (SSL_CTX_set_mode(3)); with
          // it, reading goes on once it is done or data comes.
          const bool auto_retry = (mode_ & kModeAutoRetry) != 0;
          Progress h = handshake(auto_retry);
          if (app_pending() > 0) return {Status::kOk, app_pending()};
          if (h.status != Status::kOk || !auto_retry) {
            release_idle();
            return h.status == Status::kOk ? Progress{Status::kWantRead, 0} : h;
          }
          break;
        }
        // Without AUTO_RETRY a record with no application data ends the
        // call, even when more records are buffered (SSL_CTX_set_mode(3));
        // a HelloRequest left to the application ends it in any mode.
        if (!(mode_ & kModeAutoRetry) || post_->renegotiation_requested()) {
          release_idle();
          return {Status::kWantRead, 0};
        }
        break;
      }
      case RecordLayer::Kind::kControl:
        if (!(mode_ & kModeAutoRetry)) {
          release_idle();
          return {Status::kWantRead, 0};
        }
        break;
      case RecordLayer::Kind::kChangeCipherSpec:
        return fail(Error(Reason::kUnexpectedMessage, "change_cipher_spec after the handshake"));
    }
  }
  return {Status::kOk, app_pending()};
}

}  // namespace sluice
