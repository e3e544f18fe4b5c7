#include "core/post_handshake13.h"
#include "core/context_internals.h"

#include <algorithm>

#include "core/cert_compression.h"
#include "core/keyschedule.h"
#include "core/session.h"
#include "core/tls13_both.h"
#include "core/wire/messages.h"

namespace sluice {

using wire::HandshakeType;

PostHandshake13::PostHandshake13(HandshakeIo& io, Role role, std::string session_name, Traffic13 t)
    : io_(io),
      role_(role),
      session_name_(std::move(session_name)),
      hash_(t.hash),
      aead_(t.aead),
      read_secret_(std::move(t.read_secret)),
      write_secret_(std::move(t.write_secret)),
      resumption_secret_(std::move(t.resumption_secret)),
      exporter_secret_(std::move(t.exporter_secret)) {
  if (t.pha_transcript) auth_ = std::make_unique<ClientAuth>(std::move(*t.pha_transcript));
}

TlsResult<Wait> PostHandshake13::process(const HandshakeMessage& m, bool ends_record, Negotiated& negotiated) {
  if (auth_ && auth_->state != PhaState::kIdle) {
    // RFC 8446 §4.6.2: the answer is Certificate, CertificateVerify (if a
    // certificate was sent), Finished, with nothing in between.
    SLUICE_TRY(process_client_auth(m, negotiated));
    return Wait::kOk;
  }
  switch (m.type) {
    case HandshakeType::kNewSessionTicket:
      if (role_ != Role::kClient) return Err(Error(Reason::kUnexpectedMessage, "NewSessionTicket from a client"));
      SLUICE_TRY(store_session(m.body, negotiated));
      return Wait::kOk;
    case HandshakeType::kCertificateRequest:
      if (role_ != Role::kClient) return Err(Error(Reason::kUnexpectedMessage, "CertificateRequest from a client"));
      return answer_certificate_request(m);
    case HandshakeType::kKeyUpdate:
      SLUICE_TRY(process_key_update(m, ends_record));
      return Wait::kOk;
    default:
      return Err(Error(Reason::kUnexpectedMessage, "unexpected post-handshake message"));
  }
}

Result<void, Error> PostHandshake13::export_keying_material(std::string_view label, std::optional<Bytes> context,
                                                             MutBytes out) const {
  return export_keying_material13(io_.provider(), hash_, exporter_secret_, label, context, out);
}

// ---------------------------------------------------------------------------
// KeyUpdate (RFC 8446 §4.6.3).

void PostHandshake13::note_app_data(size_t bytes) {
  app_bytes_since_credit_ += bytes;
  while (app_bytes_since_credit_ >= kAppBytesPerKeyUpdate && key_update_credit_ < kMaxKeyUpdatesWithoutData) {
    app_bytes_since_credit_ -= kAppBytesPerKeyUpdate;
    ++key_update_credit_;
  }
  if (key_update_credit_ == kMaxKeyUpdatesWithoutData) app_bytes_since_credit_ = 0;
}

Result<void, Error> PostHandshake13::process_key_update(const HandshakeMessage& m, bool ends_record) {
  auto ku = SLUICE_TRY(wire::KeyUpdate::parse(m.body));
  // RFC 8446 §5.1: KeyUpdate must end its record.
  if (!ends_record) return Err(Error(Reason::kUnexpectedMessage, "KeyUpdate does not end its record"));
  if (--key_update_credit_ < 0) return Err(Error(Reason::kTooManyKeyUpdates, "too many KeyUpdates without data"));
  read_secret_ = SLUICE_TRY(next_traffic_secret(io_.provider(), hash_, read_secret_));
  SLUICE_TRY(io_.rekey_read13(hash_, aead_, read_secret_));
  // Our last KeyUpdate, still waiting in the outbound buffer, reaches the
  // peer after this request: it answers it, and a burst of requests gets
  // one reply (RFC 8446 §4.6.3 asks for one before our next data).
  const bool unsent_update = update_end_ != 0 && !io_.outbound_sent_through(update_end_);
  if (ku.update_requested && !unsent_update) reply_pending_ = true;
  return {};
}

Result<void, Error> PostHandshake13::send_key_update(bool request_peer_update) {
  // Our own KeyUpdate answers any request still pending.
  reply_pending_ = false;
  SLUICE_TRY(io_.queue(wire::KeyUpdate{request_peer_update}));
  SLUICE_TRY(io_.flush());
  update_end_ = io_.outbound_position();
  write_secret_ = SLUICE_TRY(next_traffic_secret(io_.provider(), hash_, write_secret_));
  return io_.rekey_write13(hash_, aead_, write_secret_);
}

Result<void, Error> PostHandshake13::send_pending_reply() {
  if (!reply_pending_) return {};
  return send_key_update(false);
}

Result<void, Error> PostHandshake13::rekey_if_due(uint64_t write_sequence, uint64_t interval) {
  if (interval == 0) {
    // RFC 8446 §5.5: AES-GCM keys protect at most 2^24.5 full records.
    if (aead_ == crypto::AeadAlg::kChaCha20Poly1305) return {};
    interval = uint64_t{1} << 24;
  }
  if (write_sequence < interval) return {};
  return send_key_update(false);
}

// ---------------------------------------------------------------------------
// NewSessionTicket (RFC 8446 §4.6.1).

Result<void, Error> PostHandshake13::store_session(Bytes body, const Negotiated& negotiated) {
  auto nst = SLUICE_TRY(wire::NewSessionTicket::parse(body));
  SessionStore* store = ctx().credentials().session_store.get();
  if (!store || resumption_secret_.empty() || nst.lifetime == 0) return {};
  Session s;
  s.psk = SLUICE_TRY(resumption_psk(io_.provider(), hash_, resumption_secret_, nst.nonce));
  s.ticket = std::move(nst.ticket);
  s.cipher_suite = negotiated.cipher_suite;
  s.age_add = nst.age_add;
  s.lifetime = nst.lifetime;
  s.received_at_ms = ctx().now_ms();
  s.max_early_data = nst.max_early_data.value_or(0);
  s.alpn = negotiated.alpn;
  s.peer_chain = negotiated.peer_chain;
  s.peer_ocsp_response = negotiated.peer_ocsp_response;
  s.peer_sct_list = negotiated.peer_sct_list;
  store->put(session_name_, std::move(s));
  return {};
}

// ---------------------------------------------------------------------------
// Post-handshake client authentication (RFC 8446 §4.6.2), client side.

TlsResult<Wait> PostHandshake13::answer_certificate_request(const HandshakeMessage& m) {
  if (!auth_) {
    return Err(Error(Reason::kUnexpectedMessage, "CertificateRequest without post_handshake_auth"));
  }
  auto cr = SLUICE_TRY(wire::CertificateRequest::parse(m.body));
  if (cr.request_context.empty()) {
    return Err(Error(Reason::kIllegalParameter, "post-handshake CertificateRequest without a context"));
  }
  Transcript t = auth_->handshake_transcript.copy();
  t.add(m.whole);
  const CertifiedKey& ck = ctx().certificate();
  std::optional<crypto::SignatureScheme> scheme;
  if (ck.signer && !ck.chain.empty()) {
    scheme = choose_signature_scheme13(cr.signature_algorithms, ctx().policy().signature_schemes, *ck.signer);
  }
  SLUICE_TRY(queue_certificate13(io_, cr.request_context,
                                 scheme ? std::span(ck.chain) : std::span<const std::vector<uint8_t>>(), {}, {}, t,
                                 choose_compression(ctx(), cr.compress_certificate)));
  if (!scheme) {
    SLUICE_TRY(queue_finished13(io_, hash_, write_secret_, t));
    return Wait::kOk;
  }
  auth_->answer.emplace(Answer{std::move(t), *scheme, nullptr});
  return resume();
}

TlsResult<Wait> PostHandshake13::resume() {
  if (!answer_pending()) return Wait::kOk;
  std::optional<Answer>& answer = auth_->answer;
  const CertifiedKey& ck = ctx().certificate();
  Wait w = SLUICE_TRY(
      queue_certificate_verify13(io_, *ck.signer, answer->scheme, answer->transcript, false, answer->pending));
  if (w == Wait::kAsync) return w;
  SLUICE_TRY(queue_finished13(io_, hash_, write_secret_, answer->transcript));
  answer.reset();
  return Wait::kOk;
}

// ---------------------------------------------------------------------------
// Post-handshake client authentication, server side.

bool PostHandshake13::can_request_certificate() const {
  return role_ == Role::kServer && auth_ && auth_->state == PhaState::kIdle &&
         ctx().credentials().verifier.get() != nullptr;
}

Result<void, Error> PostHandshake13::request_client_certificate() {
  if (!auth_) return Err(Error(Reason::kInternal, "client authentication requested without post_handshake_auth"));
  wire::CertificateRequest cr;
  cr.request_context.resize(8);
  SLUICE_TRY(io_.provider().random(cr.request_context));
  for (auto s : ctx().policy().signature_schemes) cr.signature_algorithms.push_back(static_cast<uint16_t>(s));
  cr.certificate_authorities = ctx().credentials().certificate_authorities;
  cr.compress_certificate = decompression_offer(ctx());
  Bytes msg = SLUICE_TRY(io_.queue(cr));
  auth_->running.emplace(auth_->handshake_transcript.copy());
  auth_->running->add(msg);
  auth_->context = cr.request_context;
  auth_->schemes = cr.signature_algorithms;
  auth_->compression = std::move(cr.compress_certificate);
  SLUICE_TRY(io_.flush());
  auth_->state = PhaState::kCertificate;
  return {};
}

Result<void, Error> PostHandshake13::process_client_auth(const HandshakeMessage& m, Negotiated& negotiated) {
  ClientAuth& a = *auth_;  // process() calls this only while a request is outstanding
  switch (a.state) {
    case PhaState::kCertificate: {
      std::vector<uint8_t> decompressed;
      const HandshakeMessage plain = SLUICE_TRY(uncompressed_certificate(m, ctx(), a.compression, decompressed));
      auto cert = SLUICE_TRY(read_certificate(plain, a.context));
      a.running->add(m.whole);
      if (cert.certificates.empty()) {
        a.chain.clear();
        a.state = PhaState::kFinished;
        return {};
      }
      CertificateRequest req{cert.certificates, {}, ctx().now(), false};
      a.verified.emplace(SLUICE_TRY(ctx().credentials().verifier.get()->verify(req)));
      a.chain = std::move(cert.certificates);
      a.state = PhaState::kCertificateVerify;
      return {};
    }
    case PhaState::kCertificateVerify: {
      if (!a.verified) return Err(Error(Reason::kInternal, "CertificateVerify before a verified certificate"));
      auto checked =
          SLUICE_TRY(SignatureCheck::verify(m, io_.provider(), *a.verified, a.schemes, *a.running, false));
      a.sig_verified.emplace(std::move(checked.proof));
      a.running->add(m.whole);
      a.state = PhaState::kFinished;
      return {};
    }
    case PhaState::kFinished: {
      FinishedVerified finished = SLUICE_TRY(FinishedCheck::verify(m, io_.provider(), hash_, read_secret_, *a.running));
      a.running.reset();
      a.state = PhaState::kIdle;
      if (a.chain.empty()) {  // an empty Certificate: the client has none to show
        negotiated.peer_chain = internals(ctx()).chain_cache.intern({});
        return {};
      }
      // The chain becomes the peer's only with all three proofs.
      CertVerified cert = SLUICE_TRY(take_proof(a.verified, "no verified client certificate"));
      SigVerified sig = SLUICE_TRY(take_proof(a.sig_verified, "no verified client CertificateVerify"));
      [[maybe_unused]] HandshakeProof proof{std::move(finished), PeerAuthenticated::by_certificate(std::move(cert), std::move(sig))};
      negotiated.peer_chain = internals(ctx()).chain_cache.intern(std::move(a.chain));
      a.chain.clear();
      return {};
    }
    case PhaState::kIdle:
      break;
  }
  return Err(Error(Reason::kUnexpectedMessage, "unexpected message in a client authentication"));
}

}  // namespace sluice
