// The public Connection API and the mode contract (SSL_CTX_set_mode(3)):
// how the engine's progress is reported to the caller. The protocol itself
// lives in engine.cc, the record layer and the handshake machines.
#include "core/connection.h"

#include <algorithm>

#include "core/engine.h"
#include "core/wire/ech.h"

namespace sluice {

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() = default;

Connection Connection::client(std::shared_ptr<const Context> ctx, std::string server_name) {
  return Connection(std::make_unique<Impl>(std::move(ctx), Role::kClient, std::move(server_name)));
}

Connection Connection::server(std::shared_ptr<const Context> ctx) {
  return Connection(std::make_unique<Impl>(std::move(ctx), Role::kServer, std::string()));
}

long Connection::set_mode(long bits) {
  impl_->mode_ |= bits;
  impl_->rl_.set_pooling((impl_->mode_ & kModeReleaseBuffers) != 0);
  return impl_->mode_;
}
long Connection::clear_mode(long bits) {
  impl_->mode_ &= ~bits;
  impl_->rl_.set_pooling((impl_->mode_ & kModeReleaseBuffers) != 0);
  return impl_->mode_;
}
long Connection::mode() const { return impl_->mode_; }

// ---------------------------------------------------------------------------
// Transport side.

std::span<uint8_t> Connection::inbound_space() { return impl_->rl_.inbound_space(); }

void Connection::inbound_commit(size_t n) {
  // The bytes must land where inbound_space() said (STYLE.md practice 12).
  if (!impl_->rl_.inbound_commit(n)) {
    impl_->fail(Error::api(Reason::kApiMisuse, "inbound_commit without a matching inbound_space"));
    return;
  }
  // Space handed back unused (a receive that brought nothing): an empty
  // buffer may go back to the freelist now.
  if (n == 0) impl_->release_idle();
}

size_t Connection::feed(std::span<const uint8_t> data) {
  auto space = inbound_space();
  const size_t n = std::min(space.size(), data.size());
  std::copy(data.begin(), data.begin() + static_cast<ptrdiff_t>(n), space.begin());
  inbound_commit(n);
  return n;
}

void Connection::inbound_eof() { impl_->rl_.inbound_eof(); }

std::span<const uint8_t> Connection::outbound() { return impl_->rl_.outbound(); }

void Connection::outbound_consumed(size_t n) {
  impl_->rl_.outbound_consumed(n);
  impl_->release_idle();
}

bool Connection::has_pending() const {
  // Application data set aside while a handshake runs does not count until
  // the handshake is done: calling handshake() again cannot use it, and the
  // handshake still needs the socket (read() returns it at any time).
  const Impl& c = *impl_;
  return c.rl_.has_complete_record() || (c.app_pending() > 0 && (c.hs_done_ || c.rl_.app_pending() > 0));
}

bool Connection::wants_read() const {
  const Impl& c = *impl_;
  return !has_pending() && !c.rl_.eof() && !c.rl_.peer_closed() && !c.failed();
}

bool Connection::wants_write() const { return impl_->rl_.has_outbound(); }

int Connection::async_fd() const {
  crypto::PendingSignature* op = impl_->async_pending_ ? impl_->pending_operation() : nullptr;
  return op ? op->completion_fd() : -1;
}

void Connection::set_async_callback(std::function<void()> callback) {
  impl_->async_callback_ = std::move(callback);
  if (crypto::PendingSignature* op = impl_->async_pending_ ? impl_->pending_operation() : nullptr; op) {
    op->on_done(impl_->async_callback_);
  }
}

// ---------------------------------------------------------------------------
// Application side.

Progress Connection::handshake() {
  Impl& c = *impl_;
  if (c.hs_done_) return c.failed() ? Progress{Status::kError, 0} : Progress{Status::kOk, 0};
  return c.handshake();
}

Progress Connection::write_early(std::span<const uint8_t> data) {
  Impl& c = *impl_;
  if (c.role_ != Role::kClient || c.handshake_started_) {
    return c.fail(Error::api(Reason::kApiMisuse, "write_early after the handshake started"));
  }
  const size_t n = std::min(data.size(), kMaxEarlyDataQueued - c.early_out_.size());
  c.early_out_.insert(c.early_out_.end(), data.begin(), data.begin() + static_cast<ptrdiff_t>(n));
  return {Status::kOk, n};
}

Progress Connection::set_ech_config_list(std::span<const uint8_t> list) {
  Impl& c = *impl_;
  if (c.role_ != Role::kClient || c.handshake_started_) {
    return c.fail(Error::api(Reason::kApiMisuse, "set_ech_config_list on a server or after the handshake started"));
  }
  if (!wire::parse_ech_config_list(list).ok()) {
    return c.fail(Error::api(Reason::kDecodeError, "ECHConfigList does not parse"));
  }
  if (!c.ech_) c.ech_ = std::make_unique<Impl::EchClient>();
  c.ech_->config_list.assign(list.begin(), list.end());
  return {Status::kOk, 0};
}

std::span<const uint8_t> Connection::ech_retry_configs() const {
  return impl_->ech_ ? std::span<const uint8_t>(impl_->ech_->retry_configs) : std::span<const uint8_t>();
}

std::span<const uint8_t> Connection::readable() {
  Impl& c = *impl_;
  if (c.app_pending() == 0 && c.fill_readable().status != Status::kOk) return {};
  return c.app_data();
}

void Connection::read_consumed(size_t n) {
  Impl& c = *impl_;
  c.consume_app(n);
  if (c.app_pending() == 0) c.release_idle();
}

Progress Connection::read(std::span<uint8_t> out) {
  Impl& c = *impl_;
  if (out.empty()) {
    // Nothing can be returned, but the call still reports what read()
    // would: drive the handshake, the peer's close, a failure.
    if (c.app_pending() > 0) return {Status::kOk, 0};
    Progress p = c.fill_readable();
    return p.status == Status::kOk ? Progress{Status::kOk, 0} : p;
  }
  size_t done = 0;
  while (done < out.size()) {
    if (c.app_pending() == 0) {
      // The next record opens straight into `out` (no copy through the
      // record buffer); what does not fit waits in the window, copied out
      // below like any other. An empty window still goes through
      // read_consumed, which lets an idle connection release its buffers.
      size_t delivered = 0;
      Progress p = c.fill_readable(out.subspan(done), &delivered);
      if (p.status != Status::kOk) {
        if (done > 0) break;
        return p;
      }
      done += delivered;
    }
    Bytes window = c.app_data();
    const size_t n = std::min(window.size(), out.size() - done);
    std::copy(window.begin(), window.begin() + static_cast<ptrdiff_t>(n), out.begin() + static_cast<ptrdiff_t>(done));
    read_consumed(n);
    done += n;
    // Return what we have rather than block on the next record.
    if (!c.rl_.has_complete_record()) break;
  }
  return {Status::kOk, done};
}

std::span<uint8_t> Connection::write_space() {
  Impl& c = *impl_;
  if (!c.hs_done_ || c.sent_close_ || c.failed()) return {};
  if (c.settle().status != Status::kOk) return {};
  if (auto r = c.post_->rekey_if_due(c.rl_.write_sequence(), c.ctx_->policy().key_update_interval); !r) {
    c.fail(std::move(r).error());
    return {};
  }
  return c.rl_.write_space();
}

Progress Connection::write_commit(size_t n) {
  Impl& c = *impl_;
  if (c.failed()) return {Status::kError, 0};
  if (c.sent_close_) return c.fail(Error::api(Reason::kApiMisuse, "write_commit after shutdown"));
  if (c.retry_ptr_) return c.fail(Error::api(Reason::kApiMisuse, "write_commit while a write() retry is pending"));
  auto sealed = c.rl_.write_commit(n);
  if (!sealed) return c.fail(std::move(sealed).error());
  Progress p = c.settle();
  if (p.status != Status::kOk) return p;
  return {Status::kOk, *sealed};
}

Progress Connection::write(std::span<const uint8_t> in) {
  Impl& c = *impl_;
  if (!c.hs_done_) {
    // A server that accepted 0-RTT writes its answer before the client's
    // Finished comes: it need not wait a round trip for it.
    Progress p = c.handshake();
    if (p.status != Status::kOk && !(p.status == Status::kWantRead && c.half_rtt())) return p;
  }
  if (c.failed()) return {Status::kError, 0};
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
  if (c.error_.origin == Origin::kApi) c.error_ = Error();
  while (done < in.size()) {
    if (c.settle().status != Status::kOk) return {Status::kError, 0};
    if (c.post_) {
      if (auto r = c.post_->rekey_if_due(c.rl_.write_sequence(), c.ctx_->policy().key_update_interval); !r) {
        return c.fail(std::move(r).error());
      }
    }
    auto space = c.rl_.write_space(in.size() - done);
    if (space.empty()) {
      if ((c.mode_ & kModeEnablePartialWrite) && done > 0) break;
      c.retry_ptr_ = in.data();
      c.retry_len_ = in.size();
      c.retry_done_ = done;
      return {Status::kWantWrite, 0};
    }
    const size_t n = std::min(space.size(), in.size() - done);
    auto sealed = c.rl_.write_commit(n, in.subspan(done, n));
    if (!sealed) return c.fail(std::move(sealed).error());
    done += n;
    if (c.mode_ & kModeEnablePartialWrite) break;
  }
  c.retry_ptr_ = nullptr;
  c.retry_len_ = c.retry_done_ = 0;
  return {Status::kOk, done};
}

Progress Connection::shutdown() {
  Impl& c = *impl_;
  if (c.failed()) return {Status::kError, 0};
  if (!c.hs_done_) {
    // As OpenSSL ("shutdown while in init"): a handshake in progress is not
    // closed politely; abandon it by dropping the connection instead.
    return c.fail(Error::api(Reason::kApiMisuse, "shutdown during the handshake"));
  }
  if (c.rl_.write_space_lent()) return c.fail(Error::api(Reason::kApiMisuse, "shutdown while write space is lent"));
  if (!c.sent_close_) {
    if (Progress p = c.settle(); p.status != Status::kOk) return p;
    const uint8_t alert[2] = {1, static_cast<uint8_t>(Alert::kCloseNotify)};
    if (auto r = c.rl_.seal(wire::ContentType::kAlert, alert); !r) return c.fail(std::move(r).error());
    c.observe_alert(true, alert[0], Alert::kCloseNotify);
    c.sent_close_ = true;
  }
  // Look for the peer's close_notify among buffered records.
  while (!c.rl_.peer_closed()) {
    auto rec = c.read_record();
    if (!rec) return c.fail(std::move(rec).error());
    switch (rec->kind) {
      case RecordLayer::Kind::kNeedMore:
        return {Status::kWantRead, 0};
      case RecordLayer::Kind::kAppData:
        c.consume_app(c.app_pending());  // discarded after our close
        break;
      case RecordLayer::Kind::kHandshake: {
        if (auto r = c.hs_in_.append(rec->plaintext); !r) return c.fail(std::move(r).error());
        c.rl_.release_record();
        Progress p = c.process_post_handshake();
        if (p.status != Status::kOk) return p;
        break;
      }
      case RecordLayer::Kind::kClosed:
      case RecordLayer::Kind::kControl:
        break;
      case RecordLayer::Kind::kChangeCipherSpec:
        return c.fail(Error(Reason::kUnexpectedMessage, "change_cipher_spec after the handshake"));
    }
  }
  return {Status::kOk, 0};
}

Progress Connection::key_update(bool request_peer_update) {
  Impl& c = *impl_;
  if (c.failed()) return {Status::kError, 0};
  if (!c.hs_done_ || c.sent_close_) return c.fail(Error::api(Reason::kApiMisuse, "key_update before the handshake ended"));
  if (c.rl_.write_space_lent()) return c.fail(Error::api(Reason::kApiMisuse, "key_update while write space is lent"));
  if (auto r = c.post_->send_key_update(request_peer_update); !r) return c.fail(std::move(r).error());
  return {Status::kOk, 0};
}

Progress Connection::renegotiate() {
  Impl& c = *impl_;
  if (c.failed()) return {Status::kError, 0};
  if (!c.hs_done_ || c.sent_close_ || !c.post_) {
    return c.fail(Error::api(Reason::kApiMisuse, "renegotiate before the handshake ended, while one runs, or after shutdown"));
  }
  if (c.rl_.write_space_lent()) return c.fail(Error::api(Reason::kApiMisuse, "renegotiate while write space is lent"));
  if (auto r = c.post_->request_renegotiation(); !r) return c.fail(std::move(r).error());
  // A client's renegotiation begins at once (a server's when the client
  // answers its HelloRequest).
  if (c.reneg_machine_) return c.start_renegotiation();
  return {Status::kOk, 0};
}

bool Connection::renegotiation_requested() const {
  return impl_->hs_done_ && impl_->post_ && impl_->post_->renegotiation_requested();
}

Progress Connection::request_client_certificate() {
  Impl& c = *impl_;
  if (c.failed()) return {Status::kError, 0};
  if (!c.hs_done_ || c.sent_close_ || !c.post_->can_request_certificate()) {
    return c.fail(Error::api(Reason::kApiMisuse,
                             "request_client_certificate needs a finished handshake, a client that offered "
                             "post_handshake_auth, a verifier, and no request outstanding"));
  }
  if (c.rl_.write_space_lent()) {
    return c.fail(Error::api(Reason::kApiMisuse, "request_client_certificate while write space is lent"));
  }
  if (auto r = c.post_->request_client_certificate(); !r) return c.fail(std::move(r).error());
  return {Status::kOk, 0};
}

Progress Connection::export_keying_material(std::string_view label, std::optional<std::span<const uint8_t>> context,
                                            std::span<uint8_t> out) {
  Impl& c = *impl_;
  if (c.failed()) return {Status::kError, 0};
  if ((!c.hs_done_ || !c.post_) && !c.half_rtt()) {
    return c.fail(Error::api(Reason::kApiMisuse, "export_keying_material before the handshake ended"));
  }
  auto r = c.hs_done_ ? c.post_->export_keying_material(label, context, out) : c.hs_->export_half_rtt(label, context, out);
  if (!r) return c.fail(std::move(r).error());
  return {Status::kOk, out.size()};
}

int Connection::client_certificate_requests() const {
  return impl_->post_ ? impl_->post_->outstanding_requests() : 0;
}

bool Connection::handshake_done() const { return impl_->hs_done_; }
int Connection::renegotiations() const { return impl_->renegotiations_; }
const Error& Connection::error() const { return impl_->error_; }
const Negotiated& Connection::negotiated() const { return impl_->negotiated(); }

}  // namespace sluice
