// The TLS 1.2 client handshake (RFC 5246 §7.3, ECDHE of RFC 8422, extended
// master secret of RFC 7627, RFC 5746 signalling): one state enum, one
// function per state. It continues from the ClientHello the TLS 1.3 machine
// sent when the server answers with TLS 1.2 (core/client13.cc).
#include <algorithm>

#include "core/context_internals.h"
#include "core/handshake.h"
#include "core/signing.h"
#include "core/suites.h"
#include "core/tls12_both.h"
#include "core/tls13_both.h"
#include "core/wire/hello.h"
#include "core/wire/tls12.h"

namespace sluice {
namespace {

using wire::HandshakeType;

enum class Client12State : uint8_t {
  kSendClientHello,  // a renegotiation's own hello
  kReadServerHello,
  kReadCertificate,
  kReadCertificateStatus,
  kReadServerKeyExchange,
  kReadServerHelloDone,
  kSendClientFlight,
  kSendCertificateVerify,
  kSendFinished,
  kReadFinished,
  kReadResumedFinished,
  kDone,
};

class Client12 final : public HandshakeMachine {
 public:
  Client12(HandshakeIo& io, ClientHelloSent sent) : io_(io), sent_(std::move(sent)) {}
  Client12(HandshakeIo& io, std::string server_name, Renegotiation12 previous)
      : io_(io), state_(Client12State::kSendClientHello), reneg_(std::move(previous)) {
    sent_.server_name = std::move(server_name);
  }

  TlsResult<Wait> step() override {
    switch (state_) {
      case Client12State::kSendClientHello: return do_send_client_hello();
      case Client12State::kReadServerHello: return do_read_server_hello();
      case Client12State::kReadCertificate: return do_read_certificate();
      case Client12State::kReadCertificateStatus: return do_read_certificate_status();
      case Client12State::kReadServerKeyExchange: return do_read_server_key_exchange();
      case Client12State::kReadServerHelloDone: return do_read_server_hello_done();
      case Client12State::kSendClientFlight: return do_send_client_flight();
      case Client12State::kSendCertificateVerify: return do_send_certificate_verify();
      case Client12State::kSendFinished: return do_send_finished();
      case Client12State::kReadFinished: return do_read_finished();
      case Client12State::kReadResumedFinished: return do_read_resumed_finished();
      case Client12State::kDone: return Wait::kDone;
    }
    return Err(Error(Reason::kInternal, "bad client state"));
  }

  std::string_view state_name() const override {
    switch (state_) {
      case Client12State::kSendClientHello: return "send ClientHello (TLS 1.2 renegotiation)";
      case Client12State::kReadServerHello: return "read ServerHello (TLS 1.2)";
      case Client12State::kReadCertificate: return "read Certificate (TLS 1.2)";
      case Client12State::kReadCertificateStatus: return "read CertificateStatus";
      case Client12State::kReadServerKeyExchange: return "read ServerKeyExchange";
      case Client12State::kReadServerHelloDone: return "read CertificateRequest or ServerHelloDone";
      case Client12State::kSendClientFlight: return "send Certificate, ClientKeyExchange";
      case Client12State::kSendCertificateVerify: return "send CertificateVerify (TLS 1.2)";
      case Client12State::kSendFinished: return "send ChangeCipherSpec, Finished (TLS 1.2)";
      case Client12State::kReadFinished: return "read ChangeCipherSpec, Finished (TLS 1.2)";
      case Client12State::kReadResumedFinished: return "read ChangeCipherSpec, Finished (TLS 1.2 resumed)";
      case Client12State::kDone: return "done";
    }
    return "?";
  }

  const Negotiated& negotiated() const override { return negotiated_; }
  crypto::PendingSignature* pending_operation() const override { return pending_signature_.get(); }

 private:
  const Context& ctx() const { return io_.context(); }
  const crypto::Provider& provider() const { return io_.provider(); }

  TlsResult<Wait> do_send_client_hello();
  TlsResult<Wait> do_read_server_hello();
  TlsResult<Wait> do_read_certificate();
  TlsResult<Wait> do_read_certificate_status();
  // verify_chain hands the server's chain, with what was stapled, to the
  // verifier.
  Result<void, Error> verify_chain(std::vector<std::vector<uint8_t>> chain);
  TlsResult<Wait> do_read_server_key_exchange();
  TlsResult<Wait> do_read_server_hello_done();
  TlsResult<Wait> do_send_client_flight();
  TlsResult<Wait> do_send_certificate_verify();
  TlsResult<Wait> do_send_finished();
  TlsResult<Wait> do_read_finished();
  TlsResult<Wait> do_read_resumed_finished();
  // read_ticket takes a NewSessionTicket if the server said it would send
  // one; true when the message was one.
  TlsResult<bool> read_ticket(const HandshakeMessage& m);
  // check_ticket_came: past the ticket's place, the ticket is there if the
  // ServerHello promised one.
  Result<void, Error> check_ticket_came() const;
  // read_server_finished checks the server's Finished, which must follow
  // its ChangeCipherSpec, and keeps its verify_data (RFC 5746).
  TlsResult<FinishedVerified> read_server_finished(const HandshakeMessage& m);
  void store_session();
  Result<void, Error> enter(FinishedVerified finished, PeerAuthenticated peer);
  // check_extended_master_secret: RFC 7627 as the policy wants it, and
  // unchanged from the session resumed or the connection renegotiated.
  Result<void, Error> check_extended_master_secret(const wire::ServerHello& sh, bool resumes);

  HandshakeIo& io_;
  ClientHelloSent sent_;
  Client12State state_ = Client12State::kReadServerHello;
  Negotiated negotiated_;
  std::optional<SuiteInfo> suite_;
  std::array<uint8_t, wire::kRandomLen> server_random_{};
  std::optional<CertVerified> cert_verified_;
  bool status_expected_ = false;                    // the ServerHello acknowledged status_request
  std::vector<std::vector<uint8_t>> status_chain_;  // the chain, verified once the status is in
  std::optional<SigVerified> sig_verified_;
  bool certificate_requested_ = false;
  SecretBytes pre_master_;
  std::unique_ptr<crypto::KeyShare> key_share_;
  SecretBytes master_;
  bool ticket_expected_ = false;  // the ServerHello acknowledged session_ticket
  std::optional<wire::NewSessionTicket12> ticket_;
  wire::SessionId server_session_id_;
  std::optional<PskAccepted> resumed_;
  std::optional<Protection> client_write_;
  std::optional<Protection> server_write_;
  std::vector<uint16_t> requested_schemes_;  // from a CertificateRequest
  crypto::SignatureScheme client_scheme_{};
  std::unique_ptr<crypto::PendingSignature> pending_signature_;
  std::optional<Renegotiation12> reneg_;  // this handshake renegotiates
  bool server_secure_renegotiation_ = false;  // the ServerHello had renegotiation_info
  std::array<uint8_t, 12> client_verify_data_{}, server_verify_data_{};
};

TlsResult<Wait> Client12::do_send_client_hello() {
  // RFC 5746 §3.5: a renegotiating hello carries our last verify_data, and
  // offers TLS 1.2 only (a connection does not change its version).
  const Policy& policy = ctx().policy();
  wire::ClientHello& ch = sent_.hello;
  SLUICE_TRY(provider().random(ch.random));
  for (auto cs : policy.cipher_suites) {
    if (const auto info = suite_info(cs); info && info->version == wire::kTls12) ch.cipher_suites.push_back(info->id);
  }
  for (auto g : policy.groups) ch.supported_groups.push_back(static_cast<uint16_t>(g));
  for (auto s : policy.signature_schemes) ch.signature_algorithms.push_back(static_cast<uint16_t>(s));
  if (!sent_.server_name.empty() && !is_ip_literal(sent_.server_name)) {
    ch.server_name = sent_.server_name;
    ch.has_server_name = true;
    sent_.sent_sni = true;
  }
  // No ALPN: the connection's protocol was settled by its first handshake
  // (BoringSSL's servers refuse it here).
  ch.extended_master_secret = !ctx().danger_shape().omit_extended_master_secret;
  ch.ec_point_formats = true;
  ch.status_request = policy.request_ocsp;
  ch.signed_certificate_timestamp = policy.request_sct;
  ch.renegotiation_info = true;
  ch.renegotiated_connection.assign(reneg_->client_verify_data.begin(), reneg_->client_verify_data.end());
  std::vector<uint8_t> msg;
  if (!ch.serialize(msg)) return Err(Error(Reason::kConfiguration, "ClientHello does not encode"));
  SLUICE_TRY(io_.send(msg));
  sent_.transcript.add(std::move(msg));
  SLUICE_TRY(io_.flush());
  state_ = Client12State::kReadServerHello;
  return Wait::kOk;
}

TlsResult<Wait> Client12::do_read_server_hello() {
  auto m = SLUICE_TRY(io_.next_message());
  if (!m) return Wait::kReadMessage;
  SLUICE_TRY(expect_message(*m, HandshakeType::kServerHello));
  auto sh = SLUICE_TRY(wire::ServerHello::parse(m->body));
  const auto& hello = sent_.hello;
  if (sh.legacy_version != wire::kTls12) {
    return Err(Error(Reason::kNoSharedVersion, "server chose a version below TLS 1.2"));
  }
  // Our session id is random when we offer no session (TLS 1.3's
  // compatibility mode): echoed, it claims a resumption of nothing.
  if (!sent_.session && !hello.legacy_session_id.empty() && sh.legacy_session_id_echo == hello.legacy_session_id) {
    return Err(Error(Reason::kIllegalParameter, "legacy_session_id_echo resumes a session that was not offered"));
  }
  // RFC 8446 §D.3: a TLS 1.2 server cannot skip the 0-RTT data that follows
  // our hello, so an offer of it fails the connection here; the
  // application may retry without 0-RTT.
  if (hello.early_data) return Err(Error(Reason::kNoSharedVersion, "TLS 1.2 ServerHello after an offer of 0-RTT"));
  suite_ = suite_info(sh.cipher_suite);
  if (!suite_ || suite_->version != wire::kTls12 ||
      std::find(hello.cipher_suites.begin(), hello.cipher_suites.end(), sh.cipher_suite) == hello.cipher_suites.end()) {
    return Err(Error(Reason::kUnofferedSelection, "server chose a cipher suite that was not offered"));
  }
  // RFC 5246 §7.4.1.3 / RFC 5077 §3.4: the server echoing the session ID we
  // sent with a session resumes it (without one, see above).
  const bool resumes = !hello.legacy_session_id.empty() && sh.legacy_session_id_echo == hello.legacy_session_id;
  SLUICE_TRY(check_extended_master_secret(sh, resumes));
  // RFC 5746 §3.4/§3.5: empty on an initial handshake; on a renegotiation
  // both Finished values of the handshake before.
  if (reneg_) {
    if (!reneg_->server_secure) {
      return Err(Error(Reason::kInsecureRenegotiation, "renegotiation with a server that did not signal RFC 5746 before"));
    }
    std::vector<uint8_t> expected(reneg_->client_verify_data.begin(), reneg_->client_verify_data.end());
    expected.insert(expected.end(), reneg_->server_verify_data.begin(), reneg_->server_verify_data.end());
    if (!sh.renegotiation_info || sh.renegotiated_connection != expected) {
      return Err(Error(Reason::kInsecureRenegotiation, "renegotiation_info does not continue this connection"));
    }
  } else if (sh.renegotiation_info && !sh.renegotiated_connection.empty()) {
    return Err(Error(Reason::kInsecureRenegotiation, "renegotiation_info not empty on an initial handshake"));
  }
  if (sh.selected_psk || sh.key_share || sh.hrr_selected_group || !sh.cookie.empty()) {
    return Err(Error(Reason::kUnsupportedExtension, "TLS 1.3 extension in a TLS 1.2 ServerHello"));
  }
  if (sh.session_ticket && !hello.session_ticket) {
    return Err(Error(Reason::kUnsupportedExtension, "session_ticket acknowledged but not offered"));
  }
  if (sh.server_name_ack && !sent_.sent_sni) {
    return Err(Error(Reason::kUnsupportedExtension, "server_name acknowledged but not sent"));
  }
  if ((sh.status_request && !hello.status_request) || (!sh.sct_list.empty() && !hello.signed_certificate_timestamp)) {
    return Err(Error(Reason::kUnsupportedExtension, "certificate status acknowledged but not requested"));
  }
  if (!sh.alpn.empty()) {
    if (std::find(hello.alpn.begin(), hello.alpn.end(), sh.alpn) == hello.alpn.end()) {
      return Err(Error(hello.alpn.empty() ? Reason::kUnsupportedExtension : Reason::kIllegalParameter,
                       "server selected an ALPN protocol that was not offered"));
    }
    negotiated_.alpn = sh.alpn;
  }
  if (sh.record_size_limit) {
    if (!hello.record_size_limit) return Err(Error(Reason::kUnsupportedExtension, "record_size_limit not offered"));
    // RFC 8449 §4: in TLS 1.2 the limit counts the plaintext only.
    io_.set_record_limits(*sh.record_size_limit, *hello.record_size_limit);
  }
  server_random_ = sh.random;
  server_session_id_ = sh.legacy_session_id_echo;
  server_secure_renegotiation_ = sh.renegotiation_info;
  // A CertificateRequest would have us sign the messages themselves.
  sent_.transcript.keep_messages();
  ticket_expected_ = sh.session_ticket;
  status_expected_ = sh.status_request;
  negotiated_.peer_sct_list = std::move(sh.sct_list);
  SLUICE_TRY(sent_.transcript.select_hash(provider(), suite_->hash));
  sent_.transcript.add(m->whole);
  io_.message_done();
  negotiated_.version = wire::kTls12;
  negotiated_.cipher_suite = sh.cipher_suite;
  negotiated_.early_data_reason = sent_.early_data_reason;  // no 0-RTT was offered (see above)
  negotiated_.server_name = sent_.sent_sni ? sent_.server_name : std::string();
  // The compatibility CCS of TLS 1.3 has no place here.
  io_.set_ccs_allowed(false);
  if (resumes) {
    const Session& session = *sent_.session;
    if (sh.cipher_suite != session.cipher_suite) {
      return Err(Error(Reason::kIllegalParameter, "resumed session with another cipher suite"));
    }
    SLUICE_TRY(reverify_session(ctx(), session, sent_.server_name));
    resumed_.emplace(SLUICE_TRY(PskCheck::accept_selection(1, 0, suite_->hash, suite_->hash)));
    master_ = session.psk.copy();
    negotiated_.resumed = true;
    negotiated_.group = static_cast<crypto::Group>(session.group);  // no key exchange: the session's
    negotiated_.peer_chain = session.peer_chain;
    negotiated_.peer_ocsp_response = session.peer_ocsp_response;
    negotiated_.peer_sct_list = session.peer_sct_list;  // what the full handshake was shown
    auto keys = SLUICE_TRY(protections12(provider(), *suite_, master_, hello.random, server_random_));
    client_write_.emplace(std::move(keys.client_write));
    io_.expect_change_cipher_spec12(std::move(keys.server_write));
    state_ = Client12State::kReadResumedFinished;
    return Wait::kOk;
  }
  state_ = Client12State::kReadCertificate;
  return Wait::kOk;
}

Result<void, Error> Client12::check_extended_master_secret(const wire::ServerHello& sh, bool resumes) {
  const bool ems = sh.extended_master_secret;
  if (ems && !sent_.hello.extended_master_secret) {
    return Err(Error(Reason::kUnsupportedExtension, "extended_master_secret acknowledged but not offered"));
  }
  // RFC 7627 §5.3: a resumption keeps the session's state; the triple
  // handshake's last step is a renegotiation that changes it.
  if (resumes && ems != sent_.session->extended_master_secret) {
    return Err(Error(Reason::kExtendedMasterSecretMismatch,
                     ems ? "a session without extended master secret resumed with it"
                         : "a session with extended master secret resumed without it"));
  }
  if (reneg_ && ems != reneg_->extended_master_secret) {
    return Err(Error(Reason::kExtendedMasterSecretMismatch, "renegotiation changes the extended master secret"));
  }
  if (!ems && ctx().policy().require_extended_master_secret) {
    return Err(Error(Reason::kExtendedMasterSecretRequired, "ServerHello without extended_master_secret"));
  }
  negotiated_.extended_master_secret = ems;
  return {};
}

TlsResult<Wait> Client12::do_read_certificate() {
  auto m = SLUICE_TRY(io_.next_message());
  if (!m) return Wait::kReadMessage;
  SLUICE_TRY(expect_message(*m, HandshakeType::kCertificate));
  auto cert = SLUICE_TRY(wire::Certificate12::parse(m->body));
  if (cert.certificates.empty()) return Err(Error(Reason::kDecodeError, "server sent no certificate"));
  // A renegotiation keeps the peer it started with.
  if (reneg_ && cert.certificates.front() != reneg_->server_certificate) {
    return Err(Error(Reason::kIllegalParameter, "server certificate changed in a renegotiation"));
  }
  sent_.transcript.add(m->whole);
  io_.message_done();
  if (status_expected_) {
    // The OCSP response comes next: the verifier sees it with the chain.
    status_chain_ = std::move(cert.certificates);
    state_ = Client12State::kReadCertificateStatus;
    return Wait::kOk;
  }
  SLUICE_TRY(verify_chain(std::move(cert.certificates)));
  state_ = Client12State::kReadServerKeyExchange;
  return Wait::kOk;
}

TlsResult<Wait> Client12::do_read_certificate_status() {
  auto m = SLUICE_TRY(io_.next_message());
  if (!m) return Wait::kReadMessage;
  // RFC 6066 §8: a server that acknowledged status_request may still send
  // no CertificateStatus.
  if (m->type == HandshakeType::kCertificateStatus) {
    auto status = SLUICE_TRY(wire::CertificateStatus::parse(m->body));
    negotiated_.peer_ocsp_response.assign(status.ocsp_response.begin(), status.ocsp_response.end());
    sent_.transcript.add(m->whole);
    io_.message_done();
  }
  SLUICE_TRY(verify_chain(std::move(status_chain_)));
  state_ = Client12State::kReadServerKeyExchange;
  return Wait::kOk;
}

Result<void, Error> Client12::verify_chain(std::vector<std::vector<uint8_t>> chain) {
  const bool ech_rejected = !sent_.ech_public_name.empty();
  CertificateRequest req{chain, ech_rejected ? sent_.ech_public_name : sent_.server_name, ctx().now(), true};
  req.ocsp_response = negotiated_.peer_ocsp_response;
  req.sct_list = negotiated_.peer_sct_list;
  cert_verified_.emplace(SLUICE_TRY(ctx().credentials().verifier->verify(req)));
  // RFC 5246 §7.4.2: the certificate suits the suite's authentication.
  const crypto::KeyType key = cert_verified_->end_entity_key().type;
  if (!key_fits_suite12(key, suite_->auth)) {
    return Err(Error(Reason::kUnsupportedCertificate, "server certificate key does not fit the cipher suite"));
  }
  if (!curve_offered12(key, sent_.hello.supported_groups)) {
    return Err(Error(Reason::kIllegalParameter, "server certificate key on a curve the client did not offer"));
  }
  negotiated_.peer_chain = internals(ctx()).chain_cache.intern(std::move(chain));
  return {};
}

TlsResult<Wait> Client12::do_read_server_key_exchange() {
  auto m = SLUICE_TRY(io_.next_message());
  if (!m) return Wait::kReadMessage;
  SLUICE_TRY(expect_message(*m, HandshakeType::kServerKeyExchange));
  auto ske = SLUICE_TRY(wire::ServerKeyExchangeEcdhe::parse(m->body));
  const auto& groups = sent_.hello.supported_groups;
  if (std::find(groups.begin(), groups.end(), ske.group) == groups.end()) {
    return Err(Error(Reason::kUnofferedSelection, "ServerKeyExchange for a group that was not offered"));
  }
  if (!cert_verified_) return Err(Error(Reason::kInternal, "ServerKeyExchange before a verified certificate"));
  sig_verified_.emplace(SLUICE_TRY(SignatureCheck12::verify_server_key_exchange(
      provider(), *cert_verified_, ctx().policy().signature_schemes, suite_->auth, sent_.hello.random,
      server_random_, ske)));
  const auto group = static_cast<crypto::Group>(ske.group);
  key_share_ = SLUICE_TRY(provider().new_key_share(group));
  pre_master_ = SLUICE_TRY(key_share_->agree(ske.public_key));
  negotiated_.group = group;
  negotiated_.signature_scheme = static_cast<crypto::SignatureScheme>(ske.scheme);
  negotiated_.peer_signature_scheme = negotiated_.signature_scheme;
  sent_.transcript.add(m->whole);
  io_.message_done();
  state_ = Client12State::kReadServerHelloDone;
  return Wait::kOk;
}

TlsResult<Wait> Client12::do_read_server_hello_done() {
  auto m = SLUICE_TRY(io_.next_message());
  if (!m) return Wait::kReadMessage;
  if (m->type == HandshakeType::kCertificateRequest && !certificate_requested_) {
    // Our flight answers it with a certificate that fits its schemes, or
    // an empty Certificate (RFC 5246 §7.4.6).
    auto cr = SLUICE_TRY(wire::CertificateRequest12::parse(m->body));
    requested_schemes_ = std::move(cr.signature_algorithms);
    certificate_requested_ = true;
    sent_.transcript.add(m->whole);
    io_.message_done();
    return Wait::kOk;
  }
  SLUICE_TRY(expect_message(*m, HandshakeType::kServerHelloDone));
  if (!m->body.empty()) return Err(Error(Reason::kDecodeError, "ServerHelloDone with a body"));
  // Our flight answers it: nothing of the server's may follow in its record.
  if (!io_.message_ends_record()) return Err(Error(Reason::kUnexpectedMessage, "ServerHelloDone does not end its record"));
  if (!certificate_requested_) sent_.transcript.drop_messages();
  sent_.transcript.add(m->whole);
  io_.message_done();
  state_ = Client12State::kSendClientFlight;
  return Wait::kOk;
}

TlsResult<Wait> Client12::do_send_client_flight() {
  bool sign = false;
  if (certificate_requested_) {
    // RFC 5246 §7.4.6: our certificate if one fits the request, else none.
    const CertifiedKey& ck = ctx().certificate();
    std::optional<crypto::SignatureScheme> scheme;
    // A server that declined ECH is not shown our certificate.
    if (ck.signer && !ck.chain.empty() && sent_.ech_public_name.empty()) {
      scheme = client_auth_scheme12(requested_schemes_, ctx().policy().signature_schemes, *ck.signer);
    }
    sign = scheme.has_value();
    if (sign) client_scheme_ = *scheme;
    sent_.transcript.add(SLUICE_TRY(io_.queue(
        wire::Certificate12View{sign ? std::span(ck.chain) : std::span<const std::vector<uint8_t>>()})));
  }
  sent_.transcript.add(SLUICE_TRY(io_.queue(wire::ClientKeyExchangeEcdhe{key_share_->public_key()})));
  key_share_.reset();
  // RFC 7627 §4: the session hash covers the handshake through
  // ClientKeyExchange.
  master_ = SLUICE_TRY(negotiated_.extended_master_secret
                           ? extended_master_secret(provider(), suite_->hash, pre_master_,
                                                    current_hash(sent_.transcript).view())
                           : legacy_master_secret(provider(), suite_->hash, pre_master_, sent_.hello.random,
                                                  server_random_));
  pre_master_ = SecretBytes();
  key_log(ctx(), "CLIENT_RANDOM", sent_.hello.random, master_);
  auto keys = SLUICE_TRY(protections12(provider(), *suite_, master_, sent_.hello.random, server_random_));
  client_write_.emplace(std::move(keys.client_write));
  server_write_.emplace(std::move(keys.server_write));
  if (!sign) sent_.transcript.drop_messages();
  state_ = sign ? Client12State::kSendCertificateVerify : Client12State::kSendFinished;
  return Wait::kOk;
}

TlsResult<Wait> Client12::do_send_certificate_verify() {
  // RFC 5246 §7.4.8: the signature covers every handshake message so far.
  auto signature = SLUICE_TRY(
      sign_or_wait(*ctx().certificate().signer, client_scheme_, sent_.transcript.messages(), pending_signature_));
  if (!signature) return Wait::kAsync;
  sent_.transcript.add(SLUICE_TRY(io_.queue(wire::CertificateVerify{static_cast<uint16_t>(client_scheme_), *signature})));
  sent_.transcript.drop_messages();
  state_ = Client12State::kSendFinished;
  return Wait::kOk;
}

TlsResult<Wait> Client12::do_send_finished() {
  SLUICE_TRY(io_.send_change_cipher_spec12(SLUICE_TRY(take_proof(client_write_, "no client write key"))));
  client_verify_data_ = SLUICE_TRY(queue_finished12(io_, suite_->hash, master_, true, sent_.transcript));
  io_.expect_change_cipher_spec12(SLUICE_TRY(take_proof(server_write_, "no server write key")));
  state_ = Client12State::kReadFinished;
  return Wait::kOk;
}

TlsResult<bool> Client12::read_ticket(const HandshakeMessage& m) {
  if (m.type != HandshakeType::kNewSessionTicket || !ticket_expected_ || ticket_ || io_.change_cipher_spec_received()) {
    return false;
  }
  // RFC 5077 §3.3: sent before the server's ChangeCipherSpec.
  ticket_.emplace(SLUICE_TRY(wire::NewSessionTicket12::parse(m.body)));
  sent_.transcript.add(m.whole);
  io_.message_done();
  return true;
}

Result<void, Error> Client12::check_ticket_came() const {
  // RFC 5077 §3.3: a server that acknowledged session_ticket sends a
  // NewSessionTicket (empty if it changed its mind) before its
  // ChangeCipherSpec.
  if (ticket_expected_ && !ticket_) {
    return Err(Error(Reason::kUnexpectedMessage, io_.change_cipher_spec_received()
                                                     ? "the promised NewSessionTicket did not come before ChangeCipherSpec"
                                                     : "another message where a NewSessionTicket was due"));
  }
  return {};
}

void Client12::store_session() {
  SessionStore* store = ctx().credentials().session_store.get();
  if (!store) return;
  Session s;
  if (ticket_) {
    s.ticket = std::move(ticket_->ticket);
    s.lifetime = ticket_->lifetime_hint ? std::min<uint32_t>(ticket_->lifetime_hint, 604800) : 7200;
  } else if (sent_.session && negotiated_.resumed) {
    s.ticket = sent_.session->ticket;  // not renewed: the same one again
    s.lifetime = sent_.session->lifetime;
  } else {
    s.lifetime = 7200;
  }
  s.session_id.assign(server_session_id_.view().begin(), server_session_id_.view().end());
  if (s.ticket.empty() && s.session_id.empty()) return;  // nothing to resume with
  s.psk = master_.copy();
  s.cipher_suite = negotiated_.cipher_suite;
  s.group = static_cast<uint16_t>(negotiated_.group);
  s.extended_master_secret = negotiated_.extended_master_secret;
  s.received_at_ms = ctx().now_ms();
  s.alpn = negotiated_.alpn;
  s.peer_chain = negotiated_.peer_chain;
  s.peer_ocsp_response = negotiated_.peer_ocsp_response;
  s.peer_sct_list = negotiated_.peer_sct_list;
  store->put(sent_.server_name, std::move(s));
}

Result<void, Error> Client12::enter(FinishedVerified finished, PeerAuthenticated peer) {
  store_session();
  Traffic12 traffic;
  traffic.client_verify_data = client_verify_data_;
  traffic.server_verify_data = server_verify_data_;
  traffic.peer_secure_renegotiation = server_secure_renegotiation_;
  traffic.master_secret = std::move(master_);
  traffic.client_random = sent_.hello.random;
  traffic.server_random = server_random_;
  traffic.negotiated = negotiated_;
  state_ = Client12State::kDone;
  return io_.enter_traffic12(HandshakeProof{std::move(finished), std::move(peer)}, std::move(traffic));
}

TlsResult<FinishedVerified> Client12::read_server_finished(const HandshakeMessage& m) {
  if (!io_.change_cipher_spec_received()) {
    return Err(Error(Reason::kUnexpectedMessage, "handshake message before ChangeCipherSpec"));
  }
  FinishedVerified finished =
      SLUICE_TRY(FinishedCheck12::verify(m, provider(), suite_->hash, master_, false, sent_.transcript));
  // It ends the server's flight and, but for a resumption, the handshake: a
  // HelloRequest packed behind it would ask for a new one before this one
  // was seen to end.
  if (!io_.message_ends_record()) return Err(Error(Reason::kUnexpectedMessage, "Finished does not end its record"));
  std::copy_n(m.body.begin(), server_verify_data_.size(), server_verify_data_.begin());
  sent_.transcript.add(m.whole);
  io_.message_done();
  return finished;
}

TlsResult<Wait> Client12::do_read_resumed_finished() {
  auto m = SLUICE_TRY(io_.next_message());
  if (!m) return Wait::kReadMessage;
  if (SLUICE_TRY(read_ticket(*m))) return Wait::kOk;
  SLUICE_TRY(check_ticket_came());
  FinishedVerified finished = SLUICE_TRY(read_server_finished(*m));
  // RFC 5246 §7.3: in a resumption the client's ChangeCipherSpec and
  // Finished come last.
  SLUICE_TRY(io_.send_change_cipher_spec12(SLUICE_TRY(take_proof(client_write_, "no client write key"))));
  client_verify_data_ = SLUICE_TRY(queue_finished12(io_, suite_->hash, master_, true, sent_.transcript));
  PskAccepted psk = SLUICE_TRY(take_proof(resumed_, "no resumed session"));
  SLUICE_TRY(enter(std::move(finished), PeerAuthenticated::by_psk(std::move(psk))));
  return Wait::kDone;
}

TlsResult<Wait> Client12::do_read_finished() {
  auto m = SLUICE_TRY(io_.next_message());
  if (!m) return Wait::kReadMessage;
  if (SLUICE_TRY(read_ticket(*m))) return Wait::kOk;
  SLUICE_TRY(check_ticket_came());
  FinishedVerified finished = SLUICE_TRY(read_server_finished(*m));
  // The server answered a ClientHelloOuter and proved the public name: the
  // connection ends here (draft-ietf-tls-esni §6.1.6).
  if (!sent_.ech_public_name.empty()) return Err(Error(Reason::kEchRejected));
  CertVerified cert = SLUICE_TRY(take_proof(cert_verified_, "no verified server certificate"));
  SigVerified sig = SLUICE_TRY(take_proof(sig_verified_, "no verified ServerKeyExchange"));
  SLUICE_TRY(enter(std::move(finished), PeerAuthenticated::by_certificate(std::move(cert), std::move(sig))));
  return Wait::kDone;
}

}  // namespace

std::unique_ptr<HandshakeMachine> make_client12(HandshakeIo& io, ClientHelloSent sent) {
  return std::make_unique<Client12>(io, std::move(sent));
}

std::unique_ptr<HandshakeMachine> make_client12_renegotiation(HandshakeIo& io, std::string server_name,
                                                              Renegotiation12 previous) {
  return std::make_unique<Client12>(io, std::move(server_name), std::move(previous));
}

}  // namespace sluice
