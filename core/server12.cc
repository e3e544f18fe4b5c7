// The TLS 1.2 server handshake (RFC 5246 §7.3, ECDHE of RFC 8422, extended
// master secret of RFC 7627, secure renegotiation signalling of RFC 5746):
// one state enum, one function per state. It takes over a ClientHello that
// the TLS 1.3 machine found to be TLS 1.2 (core/server13.cc).
#include <algorithm>

#include "core/context_internals.h"
#include "core/handshake.h"
#include "core/signing.h"
#include "core/suites.h"
#include "core/tls12_both.h"
#include "core/tls13_both.h"
#include "core/wire/extensions.h"
#include "core/wire/hello.h"
#include "core/wire/tls12.h"

namespace sluice {
namespace {

using wire::HandshakeType;

enum class Server12State : uint8_t {
  kReadClientHello,
  kSendServerHello,
  kSendServerKeyExchange,
  kReadClientCertificate,
  kReadClientKeyExchange,
  kReadClientCertificateVerify,
  kReadFinished,
  kSendResumption,
  kReadResumedFinished,
  kDone,
};

class Server12 final : public HandshakeMachine {
 public:
  explicit Server12(HandshakeIo& io) : io_(io) {}
  Server12(HandshakeIo& io, Renegotiation12 previous) : io_(io), reneg_(std::move(previous)) {}

  TlsResult<Wait> step() override {
    switch (state_) {
      case Server12State::kReadClientHello: return do_read_client_hello();
      case Server12State::kSendServerHello: return do_send_server_hello();
      case Server12State::kSendServerKeyExchange: return do_send_server_key_exchange();
      case Server12State::kReadClientCertificate: return do_read_client_certificate();
      case Server12State::kReadClientKeyExchange: return do_read_client_key_exchange();
      case Server12State::kReadClientCertificateVerify: return do_read_client_certificate_verify();
      case Server12State::kReadFinished: return do_read_finished();
      case Server12State::kSendResumption: return do_send_resumption();
      case Server12State::kReadResumedFinished: return do_read_resumed_finished();
      case Server12State::kDone: return Wait::kDone;
    }
    return Err(Error(Reason::kInternal, "bad server state"));
  }

  std::string_view state_name() const override {
    switch (state_) {
      case Server12State::kReadClientHello: return "read ClientHello (TLS 1.2)";
      case Server12State::kSendServerHello: return "send ServerHello, Certificate (TLS 1.2)";
      case Server12State::kSendServerKeyExchange: return "send ServerKeyExchange, ServerHelloDone";
      case Server12State::kReadClientCertificate: return "read client Certificate (TLS 1.2)";
      case Server12State::kReadClientKeyExchange: return "read ClientKeyExchange";
      case Server12State::kReadClientCertificateVerify: return "read client CertificateVerify (TLS 1.2)";
      case Server12State::kReadFinished: return "read ChangeCipherSpec, Finished (TLS 1.2)";
      case Server12State::kSendResumption: return "send ServerHello, ChangeCipherSpec, Finished (resumed)";
      case Server12State::kReadResumedFinished: return "read ChangeCipherSpec, Finished (resumed)";
      case Server12State::kDone: return "done";
    }
    return "?";
  }

  const Negotiated& negotiated() const override { return negotiated_; }
  crypto::PendingSignature* pending_operation() const override { return pending_signature_.get(); }

 private:
  const Context& ctx() const { return io_.context(); }
  const crypto::Provider& provider() const { return io_.provider(); }

  TlsResult<Wait> do_read_client_hello();
  TlsResult<Wait> do_send_server_hello();
  TlsResult<Wait> do_send_server_key_exchange();
  TlsResult<Wait> do_read_client_key_exchange();
  TlsResult<Wait> do_read_client_certificate();
  TlsResult<Wait> do_read_client_certificate_verify();
  TlsResult<Wait> do_read_finished();
  TlsResult<Wait> do_send_resumption();
  TlsResult<Wait> do_read_resumed_finished();
  // read_client_finished checks the client's Finished, which must follow its
  // ChangeCipherSpec, and keeps its verify_data (RFC 5746).
  TlsResult<FinishedVerified> read_client_finished(const HandshakeMessage& m);
  Result<void, Error> enter(FinishedVerified finished, PeerAuthenticated peer);
  Result<void, Error> negotiate(const wire::ClientHello& ch);
  Result<void, Error> check_extensions(const wire::ClientHello& ch);
  // find_session: the session a ticket or session ID names, if it may resume here.
  TlsResult<std::optional<TicketState>> find_session(const wire::ClientHello& ch);
  TicketState session_state() const;
  Result<void, Error> send_ticket_or_cache();
  wire::ServerHello server_hello_base();

  HandshakeIo& io_;
  Server12State state_ = Server12State::kReadClientHello;
  Negotiated negotiated_;
  Transcript transcript_;
  std::optional<SuiteInfo> suite_;
  const CertifiedKey* cert_ = nullptr;
  crypto::SignatureScheme scheme_{};
  crypto::Group group_{};
  std::array<uint8_t, wire::kRandomLen> client_random_{}, server_random_{};
  bool client_point_formats_ = false;
  bool client_secure_renegotiation_ = false;  // the client signalled RFC 5746
  bool sni_ack_ = false;
  std::string alpn_;
  std::optional<uint16_t> record_size_limit_;
  std::unique_ptr<crypto::KeyShare> key_share_;
  wire::ServerKeyExchangeEcdhe ske_;
  std::unique_ptr<crypto::PendingSignature> pending_signature_;
  SecretBytes master_;
  std::optional<Protection> server_write_;  // installed with our ChangeCipherSpec
  std::optional<Protection> client_write_;  // armed once a client certificate's CertificateVerify is read
  wire::SessionId client_session_id_;
  wire::SessionId session_id_;     // ours, for the session-ID cache (full handshakes without a ticket)
  bool client_takes_tickets_ = false;
  bool ocsp_requested_ = false, sct_requested_ = false;
  std::optional<TicketState> resumed_;
  std::optional<PskAccepted> psk_accepted_;
  std::vector<uint16_t> requested_schemes_;  // in our CertificateRequest
  std::optional<Renegotiation12> reneg_;     // this handshake renegotiates
  std::array<uint8_t, 12> client_verify_data_{}, server_verify_data_{};
  std::optional<CertVerified> client_cert_verified_;
  std::optional<SigVerified> client_sig_verified_;
};

Result<void, Error> Server12::check_extensions(const wire::ClientHello& ch) {
  // RFC 7627 §5.3: without the extended master secret the session is open
  // to the triple handshake, whose last step is a renegotiation changing it.
  if (reneg_ && ch.extended_master_secret != reneg_->extended_master_secret) {
    return Err(Error(Reason::kExtendedMasterSecretMismatch, "renegotiation changes the extended master secret"));
  }
  if (!ch.extended_master_secret && ctx().policy().require_extended_master_secret) {
    return Err(Error(Reason::kExtendedMasterSecretRequired, "ClientHello without extended_master_secret"));
  }
  negotiated_.extended_master_secret =
      ch.extended_master_secret && !ctx().danger_shape().omit_extended_master_secret;
  // RFC 5746 §3.6/§3.7: on an initial handshake the client signals with
  // the SCSV or an empty renegotiation_info; on a renegotiation with its
  // last verify_data, and never the SCSV.
  if (reneg_) {
    const bool scsv = std::find(ch.cipher_suites.begin(), ch.cipher_suites.end(),
                                wire::kEmptyRenegotiationInfoScsv) != ch.cipher_suites.end();
    if (scsv || !ch.renegotiation_info ||
        !std::equal(ch.renegotiated_connection.begin(), ch.renegotiated_connection.end(),
                    reneg_->client_verify_data.begin(), reneg_->client_verify_data.end())) {
      return Err(Error(Reason::kInsecureRenegotiation, "renegotiating ClientHello does not continue this connection"));
    }
  } else if (ch.renegotiation_info && !ch.renegotiated_connection.empty()) {
    return Err(Error(Reason::kInsecureRenegotiation, "initial ClientHello with renegotiation data"));
  }
  // RFC 5746 §3.6: renegotiation_info is answered only to a client that
  // signalled (an extension not offered is never sent, RFC 5246 §7.4.1.4).
  client_secure_renegotiation_ =
      reneg_ || ch.renegotiation_info ||
      std::find(ch.cipher_suites.begin(), ch.cipher_suites.end(), wire::kEmptyRenegotiationInfoScsv) != ch.cipher_suites.end();
  // RFC 8422 §5.1.2: we send uncompressed points only.
  if (ch.ec_point_formats && !ch.ec_point_uncompressed) {
    return Err(Error(Reason::kIllegalParameter, "ec_point_formats without uncompressed"));
  }
  client_point_formats_ = ch.ec_point_formats;
  // ALPN (RFC 7301 §3.2) and SNI as in TLS 1.3.
  alpn_ = SLUICE_TRY(choose_alpn(ctx(), ch.alpn));
  negotiated_.early_data_reason =
      ctx().policy().max_early_data == 0 ? EarlyDataReason::kDisabled : EarlyDataReason::kProtocolVersion;
  if (ch.has_server_name && !ch.server_name.empty()) {
    negotiated_.server_name = ch.server_name;
    sni_ack_ = true;
  }
  if (ch.record_size_limit) {
    // RFC 8449 §4: in TLS 1.2 the limit counts the plaintext only.
    record_size_limit_ = ctx().policy().record_size_limit ? ctx().policy().record_size_limit
                                                          : uint16_t{wire::kMaxPlaintext};
    io_.set_record_limits(*ch.record_size_limit, *record_size_limit_);
  }
  return {};
}

Result<void, Error> Server12::negotiate(const wire::ClientHello& ch) {
  if (ch.signature_algorithms.empty()) {
    // RFC 5246 §7.4.1.4.1 would mean SHA-1, which sluice does not sign with.
    return Err(Error(Reason::kNoSharedSignatureScheme, "ClientHello without signature_algorithms"));
  }
  // Group: ours in preference order, among the client's (RFC 8422 §5.1.1:
  // without supported_groups, P-256 is assumed).
  bool have_group = false;
  for (auto g : ctx().policy().groups) {
    const bool client_has = ch.supported_groups.empty()
                                ? g == crypto::Group::kSecp256r1
                                : std::find(ch.supported_groups.begin(), ch.supported_groups.end(),
                                            static_cast<uint16_t>(g)) != ch.supported_groups.end();
    if (client_has && provider().supports(g)) {
      group_ = g;
      have_group = true;
      break;
    }
  }
  if (!have_group) return Err(Error(Reason::kNoSharedGroup, "no key exchange group in common"));
  // Suite and certificate together: our suite order, the first with a
  // certificate whose key signs with one of the client's schemes.
  const auto& certs = ctx().credentials().certificates;
  const std::string_view sni = ch.has_server_name ? std::string_view(ch.server_name) : std::string_view();
  for (auto s : ctx().policy().cipher_suites) {
    const auto info = suite_info(s);
    if (!info || info->version != wire::kTls12) continue;
    if (std::find(ch.cipher_suites.begin(), ch.cipher_suites.end(), info->id) == ch.cipher_suites.end()) continue;
    if (!provider().supports(info->aead) || !provider().supports(info->hash)) continue;
    for (const CertifiedKey& ck : certs) {
      if (!ck.signer || ck.chain.empty()) continue;
      const bool name_ok = ck.server_names.empty() || std::any_of(ck.server_names.begin(), ck.server_names.end(),
                                                                  [&](const std::string& n) { return n == sni; });
      if (!name_ok && certs.size() > 1) continue;
      if (!curve_offered12(ck.signer->key_type(), ch.supported_groups)) continue;
      if (auto scheme = choose_signature_scheme12(ch.signature_algorithms, ctx().policy().signature_schemes,
                                                  *ck.signer, info->auth);
          scheme) {
        suite_ = info, cert_ = &ck, scheme_ = *scheme;
        break;
      }
    }
    if (suite_) break;
  }
  if (!suite_) return Err(Error(Reason::kNoSharedCipherSuite, "no TLS 1.2 cipher suite fits a certificate"));
  return {};
}

TlsResult<Wait> Server12::do_read_client_hello() {
  auto m = SLUICE_TRY(io_.next_message());
  if (!m) return Wait::kReadMessage;
  SLUICE_TRY(expect_message(*m, HandshakeType::kClientHello));
  // Our flight answers it: nothing of the client's may follow in its record.
  if (!io_.message_ends_record()) return Err(Error(Reason::kUnexpectedMessage, "ClientHello does not end its record"));
  auto ch = SLUICE_TRY(wire::ClientHello::parse(m->body));
  client_random_ = ch.random;
  client_session_id_ = ch.legacy_session_id;
  client_takes_tickets_ = ch.session_ticket;
  ocsp_requested_ = ch.status_request;
  sct_requested_ = ch.signed_certificate_timestamp;
  SLUICE_TRY(check_extensions(ch));
  if (!reneg_) resumed_ = SLUICE_TRY(find_session(ch));
  if (resumed_) {
    suite_ = suite_info(resumed_->cipher_suite);
    // No key exchange: the session's group is the one it was made with.
    group_ = static_cast<crypto::Group>(resumed_->group);
    master_ = resumed_->psk.copy();
    psk_accepted_.emplace(SLUICE_TRY(PskCheck::accept_selection(1, 0, suite_->hash, suite_->hash)));
  } else {
    SLUICE_TRY(negotiate(ch));
  }
  // A client's CertificateVerify signs the messages themselves.
  if (!resumed_ && ctx().policy().client_auth != ClientAuth::kNone) transcript_.keep_messages();
  SLUICE_TRY(transcript_.select_hash(provider(), suite_->hash));
  transcript_.add(m->whole);
  io_.message_done();
  state_ = resumed_ ? Server12State::kSendResumption : Server12State::kSendServerHello;
  return Wait::kOk;
}

TlsResult<std::optional<TicketState>> Server12::find_session(const wire::ClientHello& ch) {
  std::optional<TicketState> st;
  const int64_t now = ctx().now();
  // RFC 5077 §3.4: a ticket may come with an empty session ID, which we
  // echo; the client then learns of the resumption from the message after
  // our ServerHello.
  if (!ch.session_ticket_data.empty() && ctx().credentials().ticket_sealer) {
    st = ctx().credentials().ticket_sealer->open(provider(), ch.session_ticket_data, now);
  } else if (!ch.legacy_session_id.empty() && ctx().credentials().session_id_cache) {
    st = ctx().credentials().session_id_cache->take(ch.legacy_session_id.view());
  }
  if (!st) return std::optional<TicketState>();
  // A TLS 1.2 session of a suite the client offers and we still allow, not
  // expired (written so no subtraction involves the ticket's own numbers).
  const auto info = suite_info(st->cipher_suite);
  const auto& ours = ctx().policy().cipher_suites;
  if (!info || info->version != wire::kTls12 || st->psk.size() != 48 ||
      std::find(ch.cipher_suites.begin(), ch.cipher_suites.end(), info->id) == ch.cipher_suites.end() ||
      std::find(ours.begin(), ours.end(), static_cast<wire::CipherSuite>(info->id)) == ours.end() ||
      st->issued_at > now || st->issued_at < now - static_cast<int64_t>(st->lifetime)) {
    return std::optional<TicketState>();
  }
  // RFC 7627 §5.3: a session with the extended master secret never
  // resumes without it; one without it is replaced by a full handshake
  // for a client that offers it (and resumes as it was made otherwise).
  if (st->extended_master_secret != negotiated_.extended_master_secret) {
    if (st->extended_master_secret) {
      return Err(Error(Reason::kExtendedMasterSecretMismatch, "a session with extended master secret resumed without it"));
    }
    return std::optional<TicketState>();
  }
  return st;
}

TicketState Server12::session_state() const {
  TicketState st;
  st.cipher_suite = suite_->id;
  st.group = static_cast<uint16_t>(group_);
  st.extended_master_secret = negotiated_.extended_master_secret;
  st.psk = master_.copy();
  st.lifetime = ctx().policy().ticket_lifetime;
  st.issued_at = ctx().now();
  st.alpn = alpn_;
  return st;
}

wire::ServerHello Server12::server_hello_base() {
  wire::ServerHello sh;
  sh.random = server_random_;
  sh.cipher_suite = suite_->id;
  sh.extended_master_secret = negotiated_.extended_master_secret;
  sh.renegotiation_info = client_secure_renegotiation_ && !(ctx().danger_shape().omit_server_renegotiation_info && !reneg_);
  if (reneg_) {
    sh.renegotiated_connection.assign(reneg_->client_verify_data.begin(), reneg_->client_verify_data.end());
    sh.renegotiated_connection.insert(sh.renegotiated_connection.end(), reneg_->server_verify_data.begin(),
                                      reneg_->server_verify_data.end());
  }
  sh.ec_point_formats = client_point_formats_;
  sh.server_name_ack = sni_ack_;
  sh.alpn = alpn_;
  sh.record_size_limit = record_size_limit_;
  // RFC 5077 §3.2: say a ticket follows when the client takes them.
  sh.session_ticket = client_takes_tickets_ && ctx().credentials().ticket_sealer && ctx().policy().ticket_count > 0;
  return sh;
}

Result<void, Error> Server12::send_ticket_or_cache() {
  if (client_takes_tickets_ && ctx().credentials().ticket_sealer && ctx().policy().ticket_count > 0) {
    wire::NewSessionTicket12 nst;
    nst.lifetime_hint = ctx().policy().ticket_lifetime;
    TicketState st = session_state();
    nst.ticket = SLUICE_TRY(ctx().credentials().ticket_sealer->seal(provider(), st, st.issued_at));
    transcript_.add(SLUICE_TRY(io_.queue(nst)));
    return {};
  }
  if (!session_id_.empty() && ctx().credentials().session_id_cache) {
    ctx().credentials().session_id_cache->put(session_id_.view(), session_state());
  }
  return {};
}

TlsResult<Wait> Server12::do_send_resumption() {
  SLUICE_TRY(provider().random(server_random_));
  if (ctx().policy().max_version >= wire::kTls13) {
    std::copy(wire::kDowngradeTls12.begin(), wire::kDowngradeTls12.end(), server_random_.end() - 8);
  }
  wire::ServerHello sh = server_hello_base();
  // Echoing the client's session ID says this handshake resumes (an empty
  // one, with a ticket, leaves that to what follows).
  sh.legacy_session_id_echo = client_session_id_;
  session_id_ = client_session_id_;
  transcript_.add(SLUICE_TRY(io_.queue(sh)));
  SLUICE_TRY(send_ticket_or_cache());
  auto keys = SLUICE_TRY(protections12(provider(), *suite_, master_, client_random_, server_random_));
  SLUICE_TRY(io_.send_change_cipher_spec12(std::move(keys.server_write)));
  server_verify_data_ = SLUICE_TRY(queue_finished12(io_, suite_->hash, master_, false, transcript_));
  io_.expect_change_cipher_spec12(std::move(keys.client_write));
  Negotiated& n = negotiated_;
  n.version = wire::kTls12;
  n.cipher_suite = suite_->id;
  n.alpn = alpn_;
  n.group = group_;
  n.resumed = true;
  state_ = Server12State::kReadResumedFinished;
  return Wait::kOk;
}

TlsResult<FinishedVerified> Server12::read_client_finished(const HandshakeMessage& m) {
  // RFC 5246 §7.4.9: Finished comes right after ChangeCipherSpec.
  if (!io_.change_cipher_spec_received()) {
    return Err(Error(Reason::kUnexpectedMessage, "handshake message before ChangeCipherSpec"));
  }
  FinishedVerified finished =
      SLUICE_TRY(FinishedCheck12::verify(m, provider(), suite_->hash, master_, true, transcript_));
  // It ends the client's flight: nothing may follow in its record.
  if (!io_.message_ends_record()) return Err(Error(Reason::kUnexpectedMessage, "Finished does not end its record"));
  std::copy_n(m.body.begin(), client_verify_data_.size(), client_verify_data_.begin());
  transcript_.add(m.whole);
  io_.message_done();
  return finished;
}

Result<void, Error> Server12::enter(FinishedVerified finished, PeerAuthenticated peer) {
  Traffic12 traffic;
  traffic.client_verify_data = client_verify_data_;
  traffic.server_verify_data = server_verify_data_;
  traffic.master_secret = std::move(master_);
  traffic.client_random = client_random_;
  traffic.server_random = server_random_;
  traffic.negotiated = negotiated_;
  state_ = Server12State::kDone;
  return io_.enter_traffic12(HandshakeProof{std::move(finished), std::move(peer)}, std::move(traffic));
}

TlsResult<Wait> Server12::do_read_resumed_finished() {
  auto m = SLUICE_TRY(io_.next_message());
  if (!m) return Wait::kReadMessage;
  FinishedVerified finished = SLUICE_TRY(read_client_finished(*m));
  PskAccepted psk = SLUICE_TRY(take_proof(psk_accepted_, "no resumed session"));
  SLUICE_TRY(enter(std::move(finished), PeerAuthenticated::by_psk(std::move(psk))));
  return Wait::kDone;
}

TlsResult<Wait> Server12::do_send_server_hello() {
  SLUICE_TRY(provider().random(server_random_));
  if (ctx().policy().max_version >= wire::kTls13) {
    // RFC 8446 §4.1.3: a TLS 1.3 server negotiating TLS 1.2 says so in the
    // last 8 bytes of its random, so a TLS 1.3 client can detect a downgrade.
    std::copy(wire::kDowngradeTls12.begin(), wire::kDowngradeTls12.end(), server_random_.end() - 8);
  }
  wire::ServerHello sh = server_hello_base();
  if (!sh.session_ticket && ctx().credentials().session_id_cache) {
    // No ticket: a session ID names the session in our cache.
    session_id_.len = wire::SessionId::kMaxLen;
    SLUICE_TRY(provider().random(session_id_.bytes));
    sh.legacy_session_id_echo = session_id_;
  }
  // Staples only for a client that asked (RFC 6066 §8, RFC 6962 §3.3.1).
  const bool staple_ocsp = ocsp_requested_ && !cert_->ocsp_response.empty();
  sh.status_request = staple_ocsp;
  if (sct_requested_ && !cert_->sct_list.empty()) {
    if (!wire::check_sct_list(cert_->sct_list)) {
      return Err(Error(Reason::kConfiguration, "the certificate's SCT list is malformed"));
    }
    sh.sct_list = cert_->sct_list;
  }
  transcript_.add(SLUICE_TRY(io_.queue(sh)));
  transcript_.add(SLUICE_TRY(io_.queue(wire::Certificate12View{cert_->chain})));
  if (staple_ocsp) transcript_.add(SLUICE_TRY(io_.queue(wire::CertificateStatus{cert_->ocsp_response})));
  key_share_ = SLUICE_TRY(provider().new_key_share(group_));
  ske_.group = static_cast<uint16_t>(group_);
  ske_.public_key = key_share_->public_key();
  ske_.scheme = static_cast<uint16_t>(scheme_);
  Negotiated& n = negotiated_;
  n.version = wire::kTls12;
  n.cipher_suite = suite_->id;
  n.group = group_;
  n.signature_scheme = scheme_;
  n.alpn = alpn_;
  state_ = Server12State::kSendServerKeyExchange;
  return Wait::kOk;
}

TlsResult<Wait> Server12::do_send_server_key_exchange() {
  const auto content = ske_signed_content(client_random_, server_random_, ske_);
  auto signature = SLUICE_TRY(sign_or_wait(*cert_->signer, scheme_, content, pending_signature_));
  if (!signature) return Wait::kAsync;
  ske_.signature = *signature;
  transcript_.add(SLUICE_TRY(io_.queue(ske_)));
  ske_.signature = {};
  const bool ask = ctx().policy().client_auth != ClientAuth::kNone;
  if (ask) {
    // RFC 5246 §7.4.4: rsa_sign and ecdsa_sign certificates, our schemes.
    wire::CertificateRequest12 cr;
    cr.certificate_types = {1, 64};
    for (auto sch : ctx().policy().signature_schemes) {
      if (tls12_signature_scheme(sch, Authentication::kAny)) requested_schemes_.push_back(static_cast<uint16_t>(sch));
    }
    cr.signature_algorithms = requested_schemes_;
    cr.certificate_authorities = ctx().credentials().certificate_authorities;
    transcript_.add(SLUICE_TRY(io_.queue(cr)));
  }
  transcript_.add(SLUICE_TRY(io_.queue(wire::EmptyMessage{HandshakeType::kServerHelloDone})));
  state_ = ask ? Server12State::kReadClientCertificate : Server12State::kReadClientKeyExchange;
  return Wait::kOk;
}

TlsResult<Wait> Server12::do_read_client_certificate() {
  auto m = SLUICE_TRY(io_.next_message());
  if (!m) return Wait::kReadMessage;
  SLUICE_TRY(expect_message(*m, HandshakeType::kCertificate));
  auto cert = SLUICE_TRY(wire::Certificate12::parse(m->body));
  transcript_.add(m->whole);
  io_.message_done();
  if (cert.certificates.empty()) {
    // RFC 5246 §7.4.6: the server may go on without one, or abort.
    if (ctx().policy().client_auth == ClientAuth::kRequire) {
      return Err(Error(Reason::kNoClientCertificate, "client sent no certificate"));
    }
    transcript_.drop_messages();
  } else {
    CertificateRequest req{cert.certificates, {}, ctx().now(), false};
    client_cert_verified_.emplace(SLUICE_TRY(ctx().credentials().verifier->verify(req)));
    negotiated_.peer_chain = internals(ctx()).chain_cache.intern(std::move(cert.certificates));
  }
  state_ = Server12State::kReadClientKeyExchange;
  return Wait::kOk;
}

TlsResult<Wait> Server12::do_read_client_certificate_verify() {
  auto m = SLUICE_TRY(io_.next_message());
  if (!m) return Wait::kReadMessage;
  if (!client_cert_verified_) return Err(Error(Reason::kInternal, "CertificateVerify before a verified certificate"));
  client_sig_verified_.emplace(SLUICE_TRY(ClientSignatureCheck12::verify(
      *m, provider(), *client_cert_verified_, requested_schemes_, transcript_.messages())));
  ByteReader scheme_reader(m->body);
  uint16_t scheme = 0;
  if (scheme_reader.u16(scheme)) negotiated_.peer_signature_scheme = static_cast<crypto::SignatureScheme>(scheme);
  transcript_.add(m->whole);
  transcript_.drop_messages();
  io_.message_done();
  io_.expect_change_cipher_spec12(SLUICE_TRY(take_proof(client_write_, "no client write key")));
  state_ = Server12State::kReadFinished;
  return Wait::kOk;
}

TlsResult<Wait> Server12::do_read_client_key_exchange() {
  auto m = SLUICE_TRY(io_.next_message());
  if (!m) return Wait::kReadMessage;
  SLUICE_TRY(expect_message(*m, HandshakeType::kClientKeyExchange));
  auto cke = SLUICE_TRY(wire::ClientKeyExchangeEcdhe::parse(m->body));
  SecretBytes pre_master = SLUICE_TRY(key_share_->agree(cke.public_key));
  key_share_.reset();
  transcript_.add(m->whole);
  io_.message_done();
  // RFC 7627 §4: the session hash covers the handshake through
  // ClientKeyExchange.
  master_ = SLUICE_TRY(negotiated_.extended_master_secret
                           ? extended_master_secret(provider(), suite_->hash, pre_master,
                                                    current_hash(transcript_).view())
                           : legacy_master_secret(provider(), suite_->hash, pre_master, client_random_,
                                                  server_random_));
  key_log(ctx(), "CLIENT_RANDOM", client_random_, master_);
  auto keys = SLUICE_TRY(protections12(provider(), *suite_, master_, client_random_, server_random_));
  server_write_.emplace(std::move(keys.server_write));
  if (client_cert_verified_) {
    // The client's ChangeCipherSpec may come only after its CertificateVerify.
    client_write_.emplace(std::move(keys.client_write));
    state_ = Server12State::kReadClientCertificateVerify;
    return Wait::kOk;
  }
  io_.expect_change_cipher_spec12(std::move(keys.client_write));
  state_ = Server12State::kReadFinished;
  return Wait::kOk;
}

TlsResult<Wait> Server12::do_read_finished() {
  auto m = SLUICE_TRY(io_.next_message());
  if (!m) return Wait::kReadMessage;
  FinishedVerified finished = SLUICE_TRY(read_client_finished(*m));
  // RFC 5077 §3.3: the ticket comes before our ChangeCipherSpec.
  SLUICE_TRY(send_ticket_or_cache());
  SLUICE_TRY(io_.send_change_cipher_spec12(SLUICE_TRY(take_proof(server_write_, "no server write key"))));
  server_verify_data_ = SLUICE_TRY(queue_finished12(io_, suite_->hash, master_, false, transcript_));
  std::optional<PeerAuthenticated> peer;
  if (client_cert_verified_) {
    CertVerified cert = SLUICE_TRY(take_proof(client_cert_verified_, "no verified client certificate"));
    SigVerified sig = SLUICE_TRY(take_proof(client_sig_verified_, "no verified client CertificateVerify"));
    peer.emplace(PeerAuthenticated::by_certificate(std::move(cert), std::move(sig)));
  } else if (ctx().policy().client_auth != ClientAuth::kRequire) {
    peer.emplace(PeerAuthenticated::client_without_certificate());
  } else {
    return Err(Error(Reason::kNoClientCertificate, "client did not authenticate"));
  }
  SLUICE_TRY(enter(std::move(finished), std::move(*peer)));
  return Wait::kDone;
}

}  // namespace

std::unique_ptr<HandshakeMachine> make_server12(HandshakeIo& io) { return std::make_unique<Server12>(io); }

std::unique_ptr<HandshakeMachine> make_server12_renegotiation(HandshakeIo& io, Renegotiation12 previous) {
  return std::make_unique<Server12>(io, std::move(previous));
}

}  // namespace sluice
