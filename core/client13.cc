// The TLS 1.3 client handshake (RFC 8446 §2, full 1-RTT): one state enum,
// one function per state. Each function sets the next state and returns what
// it waits for; the driver in connection.cc turns that into a Status.
#include <algorithm>

#include "core/cert_compression.h"
#include "core/handshake.h"
#include "core/context_internals.h"
#include "core/ech_client.h"
#include "core/session.h"
#include "core/suites.h"
#include "core/tls13_both.h"
#include "core/wire/hello.h"
#include "core/wire/messages.h"

namespace sluice {
namespace {

using wire::HandshakeType;

enum class ClientState : uint8_t {
  kSendClientHello,
  kReadServerHello,
  kReadEncryptedExtensions,
  kReadCertificateRequestOrCertificate,
  kReadCertificate,
  kReadCertificateVerify,
  kReadFinished,
  kSendClientCertificate,
  kSendClientCertificateVerify,
  kSendFinished,
  kDone,
};

class Client13 final : public HandshakeMachine {
 public:
  Client13(HandshakeIo& io, std::string server_name)
      : io_(io), server_name_(server_name), session_name_(std::move(server_name)) {}

  TlsResult<Wait> step() override {
    switch (state_) {
      case ClientState::kSendClientHello: return do_send_client_hello();
      case ClientState::kReadServerHello: return do_read_server_hello();
      case ClientState::kReadEncryptedExtensions: return do_read_encrypted_extensions();
      case ClientState::kReadCertificateRequestOrCertificate: return do_read_certificate_request_or_certificate();
      case ClientState::kReadCertificate: return do_read_certificate();
      case ClientState::kReadCertificateVerify: return do_read_certificate_verify();
      case ClientState::kReadFinished: return do_read_finished();
      case ClientState::kSendClientCertificate: return do_send_client_certificate();
      case ClientState::kSendClientCertificateVerify: return do_send_client_certificate_verify();
      case ClientState::kSendFinished: return do_send_finished();
      case ClientState::kDone: return Wait::kDone;
    }
    return Err(Error(Reason::kInternal, "bad client state"));
  }

  std::string_view state_name() const override {
    switch (state_) {
      case ClientState::kSendClientHello: return "send ClientHello";
      case ClientState::kReadServerHello: return "read ServerHello";
      case ClientState::kReadEncryptedExtensions: return "read EncryptedExtensions";
      case ClientState::kReadCertificateRequestOrCertificate: return "read CertificateRequest or Certificate";
      case ClientState::kReadCertificate: return "read Certificate";
      case ClientState::kReadCertificateVerify: return "read CertificateVerify";
      case ClientState::kReadFinished: return "read Finished";
      case ClientState::kSendClientCertificate: return "send client Certificate";
      case ClientState::kSendClientCertificateVerify: return "send client CertificateVerify";
      case ClientState::kSendFinished: return "send Finished";
      case ClientState::kDone: return "done";
    }
    return "?";
  }

  const Negotiated& negotiated() const override { return negotiated_; }
  crypto::PendingSignature* pending_operation() const override { return pending_signature_.get(); }

 private:
  const Context& ctx() const { return io_.context(); }
  const crypto::Provider& provider() const { return io_.provider(); }

  // A message for the current state, or kReadMessage when none is complete.
  TlsResult<std::optional<HandshakeMessage>> message() { return io_.next_message(); }

  TlsResult<Wait> do_send_client_hello();
  Result<void, Error> send_hello();
  // bind_psk writes the PSK binder over `msg`, our whole hello (RFC 8446
  // §4.2.11.2: it covers the hello up to the binders, which end it).
  Result<void, Error> bind_psk(std::vector<uint8_t>& msg);
  // offered says whether our hello offered `suite` (the SCSV is no suite).
  bool offered(uint16_t suite) const {
    return suite != wire::kFallbackScsv &&
           std::find(hello_.cipher_suites.begin(), hello_.cipher_suites.end(), suite) != hello_.cipher_suites.end();
  }
  Result<void, Error> offer_session(wire::ClientHello& ch, bool tls13);
  // add_grease puts RFC 8701's reserved values in the hello: a suite, a
  // group with a one-byte key share, a version, and two extensions.
  Result<void, Error> add_grease(wire::ClientHello& ch);
  // send_outer_hello sends `inner`, our whole ClientHelloInner, sealed in
  // a ClientHelloOuter; `inner` becomes the hello the transcript holds.
  Result<void, Error> send_outer_hello(std::vector<uint8_t>& inner);
  // resolve_ech: whether the ServerHello `m` answered our inner hello or
  // the outer one (draft-ietf-tls-esni §7.2).
  Result<void, Error> resolve_ech(const wire::ServerHello& sh, const HandshakeMessage& m);
  // continue_with_outer: §6.1.6: the server answered ClientHelloOuter. The
  // handshake goes on with it, authenticates the public name, and ends in
  // ech_required.
  void continue_with_outer();
  // verify_name: the name the server's certificate must carry (the ECH
  // config's public name once ECH was rejected).
  const std::string& verify_name() const { return ech_.rejected() ? ech_.public_name() : server_name_; }
  Result<void, Error> send_early_data();
  TlsResult<Wait> handle_hello_retry_request(const wire::ServerHello& hrr, const HandshakeMessage& m);
  Result<void, Error> check_server_hello_common(const wire::ServerHello& sh);
  // downgraded: RFC 8446 §4.1.3: a TLS 1.3 client offered TLS 1.2 or below
  // by a server whose random carries a downgrade sentinel.
  bool downgraded(const wire::ServerHello& sh) const {
    Bytes tail = Bytes(sh.random).last(8);
    return ctx().policy().max_version >= wire::kTls13 &&
           (std::equal(tail.begin(), tail.end(), wire::kDowngradeTls12.begin()) ||
            std::equal(tail.begin(), tail.end(), wire::kDowngradeTls11.begin()));
  }
  TlsResult<Wait> do_read_server_hello();
  TlsResult<Wait> do_read_encrypted_extensions();
  TlsResult<Wait> do_read_certificate_request_or_certificate();
  TlsResult<Wait> do_read_certificate();
  TlsResult<Wait> do_read_certificate_verify();
  TlsResult<Wait> do_read_finished();
  TlsResult<Wait> do_send_client_certificate();
  TlsResult<Wait> do_send_client_certificate_verify();
  TlsResult<Wait> do_send_finished();
  Result<void, Error> begin_second_flight();
  // send_compat_ccs: RFC 8446 §D.4's one dummy change_cipher_spec, in
  // middlebox compatibility mode, before anything encrypted we send.
  Result<void, Error> send_compat_ccs() {
    if (!ctx().policy().middlebox_compat || ccs_sent_) return {};
    ccs_sent_ = true;
    return io_.send_change_cipher_spec();
  }

  HandshakeIo& io_;
  // Our CertificateVerify's signature while an asynchronous signer makes it.
  std::unique_ptr<crypto::PendingSignature> pending_signature_;
  ClientState state_ = ClientState::kSendClientHello;
  std::string server_name_;
  std::string session_name_;  // where sessions are stored and looked up
  Negotiated negotiated_;
  bool pha_offered_ = false;  // post_handshake_auth was sent
  bool sent_sni_ = false;
  std::array<uint8_t, wire::kRandomLen> client_random_{};
  wire::ClientHello hello_;  // kept to build the second hello after an HRR
  bool retried_ = false;     // a HelloRetryRequest was received
  bool offers12_ = false;    // TLS 1.2 is offered too
  std::unique_ptr<crypto::KeyShare> key_share_;
  std::optional<SuiteInfo> suite_;
  std::optional<KeySchedule> schedule_;
  std::optional<PskAccepted> psk_accepted_;
  Transcript transcript_;
  KeySchedule::Pair hs_secrets_;
  std::optional<CertVerified> cert_verified_;
  std::optional<SigVerified> sig_verified_;
  std::vector<uint16_t> offered_schemes_;  // ours, as advertised
  std::optional<FinishedVerified> finished_verified_;
  bool certificate_requested_ = false;
  std::vector<uint16_t> requested_schemes_;
  // Compresses our Certificate: the server's CertificateRequest listed it.
  const CertificateCompression* compress_with_ = nullptr;
  crypto::SignatureScheme client_scheme_{};
  bool second_flight_started_ = false;
  bool ccs_sent_ = false;
  // Resumption.
  std::optional<Session> session_;     // offered in the ClientHello
  std::optional<Session> session12_;   // a TLS 1.2 session offered (ticket or session ID)
  bool resumed_ = false;               // the server accepted it
  bool early_offered_ = false;         // 0-RTT data was sent
  bool reverified_ = false;            // the session's chain was verified again
  bool early_accepted_ = false;
  std::optional<Protection> handshake_write_;  // held while 0-RTT goes out
  SecretBytes client_app_secret_, server_app_secret_;
  // Encrypted Client Hello: hello_ is ClientHelloInner while ech_ seals it.
  EchClient ech_;
};

// code_points lists enum values as their wire numbers, in one allocation
// (with room for `spare` more).
template <typename Range>
std::vector<uint16_t> code_points(const Range& values, size_t spare = 0) {
  std::vector<uint16_t> out;
  out.reserve(std::size(values) + spare);
  for (auto v : values) out.push_back(static_cast<uint16_t>(v));
  return out;
}

TlsResult<Wait> Client13::do_send_client_hello() {
  if (ctx().credentials().verifier.get() == nullptr) {
    return Err(Error(Reason::kConfiguration, "client context has no certificate verifier"));
  }
  const DangerTestHelloShape& shape = ctx().danger_shape();
  wire::ClientHello& ch = hello_;
  SLUICE_TRY(provider().random(client_random_));
  ch.random = client_random_;
  const Policy& policy = ctx().policy();
  const bool tls13 = policy.max_version >= wire::kTls13 && policy.min_version <= wire::kTls13;
  // RFC 8446 §D.4's fake session ID is TLS 1.3's: a TLS 1.2 server would
  // take it for a session to resume.
  if (policy.middlebox_compat && tls13) {
    ch.legacy_session_id.len = wire::SessionId::kMaxLen;
    SLUICE_TRY(provider().random(ch.legacy_session_id.bytes));
  }
  offers12_ = policy.min_version <= wire::kTls12 && policy.max_version >= wire::kTls12;
  if (!tls13 && !offers12_) return Err(Error(Reason::kConfiguration, "no protocol version between min and max"));
  // The suites of each version offered, in the policy's order.
  ch.cipher_suites.reserve(policy.cipher_suites.size() + 1);
  for (auto cs : policy.cipher_suites) {
    const auto info = suite_info(cs);
    if (info && ((info->version == wire::kTls13 && tls13) || (info->version == wire::kTls12 && offers12_))) {
      ch.cipher_suites.push_back(info->id);
    }
  }
  if (ch.cipher_suites.empty()) return Err(Error(Reason::kConfiguration, "no cipher suite for the versions offered"));
  if (tls13) {
    ch.supported_versions = offers12_ ? std::vector<uint16_t>{wire::kTls13, wire::kTls12}
                                      : std::vector<uint16_t>{wire::kTls13};
    if (policy.groups.empty()) return Err(Error(Reason::kConfiguration, "no key exchange groups"));
    const crypto::Group first = policy.groups.front();
    key_share_ = SLUICE_TRY(provider().new_key_share(first));
    auto pub = key_share_->public_key();
    ch.key_shares.push_back({static_cast<uint16_t>(first), pub});
    ch.has_key_share = true;
  }
  if (offers12_) {
    // RFC 7627, RFC 8422 §5.1.2, RFC 5746 §3.4: what a TLS 1.2 server needs.
    ch.extended_master_secret = !ctx().danger_shape().omit_extended_master_secret;
    ch.ec_point_formats = true;
    ch.renegotiation_info = true;
  }
  if (io_.mode() & kModeSendFallbackScsv) ch.cipher_suites.push_back(wire::kFallbackScsv);
  ch.supported_groups =
      shape.advertised_groups.empty() ? code_points(ctx().policy().groups) : shape.advertised_groups;
  ch.signature_algorithms = shape.advertised_signature_schemes.empty() ? code_points(ctx().policy().signature_schemes)
                                                                      : shape.advertised_signature_schemes;
  // RFC 6066 §3: literal IP addresses are not permitted in SNI.
  if (!server_name_.empty() && !is_ip_literal(server_name_)) {
    ch.server_name = server_name_;
    ch.has_server_name = true;
    sent_sni_ = true;
  }
  ch.alpn = ctx().policy().alpn;
  ch.renegotiation_info = ch.renegotiation_info || shape.renegotiation_info;
  ch.session_ticket = shape.session_ticket;
  if (shape.psk_dhe_ke) ch.psk_modes = {1};
  if (ctx().policy().record_size_limit) ch.record_size_limit = ctx().policy().record_size_limit;
  if (ctx().policy().grease) SLUICE_TRY(add_grease(ch));
  ch.post_handshake_auth = tls13 && ctx().policy().post_handshake_auth;
  ch.status_request = ctx().policy().request_ocsp;
  ch.signed_certificate_timestamp = ctx().policy().request_sct;
  // RFC 8879 §3: a TLS 1.3 extension (a TLS 1.2 server ignores it).
  if (tls13) ch.compress_certificate = decompression_offer(ctx());
  pha_offered_ = ch.post_handshake_auth;
  offered_schemes_ = code_points(ctx().policy().signature_schemes);
  if (tls13) SLUICE_TRY(ech_.offer(provider(), io_.ech_config_list(), policy.ech_grease, ch));
  SLUICE_TRY(offer_session(ch, tls13));
  SLUICE_TRY(send_hello());
  io_.mark_initial_hello();
  // RFC 8446 §D.4: with early data the dummy CCS follows the ClientHello at once.
  if (early_offered_) SLUICE_TRY(send_compat_ccs());
  if (early_offered_) SLUICE_TRY(send_early_data());
  // RFC 8446 §D.4: a compatibility CCS may arrive from now on.
  io_.set_ccs_allowed(true);
  state_ = ClientState::kReadServerHello;
  return Wait::kOk;
}

Result<void, Error> Client13::add_grease(wire::ClientHello& ch) {
  static constexpr uint8_t kGreaseKey[1] = {0};
  uint8_t seed[4];
  SLUICE_TRY(provider().random(seed));
  const uint16_t group = wire::grease_value(seed[1]);
  ch.cipher_suites.insert(ch.cipher_suites.begin(), wire::grease_value(seed[0]));
  ch.supported_groups.insert(ch.supported_groups.begin(), group);
  if (ch.has_key_share) ch.key_shares.insert(ch.key_shares.begin(), {group, Bytes(kGreaseKey)});
  if (!ch.supported_versions.empty()) {
    ch.supported_versions.insert(ch.supported_versions.begin(), wire::grease_value(seed[2]));
  }
  ch.grease_extension_first = wire::grease_value(seed[3]);
  // The two extensions must differ (RFC 8446 §4.2: no repeated type).
  ch.grease_extension_last = wire::grease_value(seed[3] + 1u + seed[0] % 15u);
  return {};
}

Result<void, Error> Client13::offer_session(wire::ClientHello& ch, bool tls13) {
  const bool early_enabled = ctx().policy().enable_early_data;
  negotiated_.early_data_reason = !early_enabled ? EarlyDataReason::kDisabled
                                  : tls13        ? EarlyDataReason::kNoSessionOffered
                                                 : EarlyDataReason::kProtocolVersion;
  SessionStore* store = ctx().credentials().session_store.get();
  if (!store) return {};
  if (tls13) {
    // Sending psk_key_exchange_modes also tells the server we take tickets.
    if (ch.psk_modes.empty()) ch.psk_modes = {1};  // psk_dhe_ke
    if (ctx().policy().allow_psk_ke && std::find(ch.psk_modes.begin(), ch.psk_modes.end(), 0) == ch.psk_modes.end()) {
      ch.psk_modes.push_back(0);
    }
  }
  // RFC 5077 §3.2: an empty session_ticket says a TLS 1.2 server may send
  // one. An inner hello offers TLS 1.3 alone (the outer one says this).
  const bool offers12 = offers12_ && !ech_.offered();
  if (offers12) ch.session_ticket = true;
  std::optional<Session> s = store->take(session_name_);
  if (!s) return {};
  if (const auto info = suite_info(s->cipher_suite); info && info->version == wire::kTls12) {
    if (!offers12 || !offered(s->cipher_suite)) return {};
    // RFC 7627 §5.3 would have us offer no session without it: only a
    // context that accepts such peers resumes with them (as it was made).
    if (!s->extended_master_secret && ctx().policy().require_extended_master_secret) return {};
    const int64_t now_ms = ctx().now_ms();
    if (s->received_at_ms > now_ms || s->received_at_ms <= now_ms - static_cast<int64_t>(s->lifetime) * 1000) return {};
    // RFC 5077 §3.4: with a ticket the session ID is ours, random, and the
    // server echoes it to say it resumes; without one it is the server's.
    ch.session_ticket_data = s->ticket;
    if (!s->ticket.empty()) {
      if (ch.legacy_session_id.empty()) {
        ch.legacy_session_id.len = wire::SessionId::kMaxLen;
        SLUICE_TRY(provider().random(ch.legacy_session_id.bytes));
      }
    } else {
      ch.legacy_session_id.assign(s->session_id);
    }
    session12_ = std::move(s);
    if (early_enabled && tls13) negotiated_.early_data_reason = EarlyDataReason::kUnsupportedForSession;
    return {};
  }
  if (!tls13) return {};
  // The session may come from an application's store: no subtraction
  // that a strange received_at_ms could overflow.
  const int64_t now_ms = ctx().now_ms();
  const bool fresh = s->received_at_ms <= now_ms && s->received_at_ms > now_ms - static_cast<int64_t>(s->lifetime) * 1000;
  const int64_t age_ms = fresh ? now_ms - s->received_at_ms : 0;
  const auto info = suite_info(s->cipher_suite);
  const bool suite_offered = offered(s->cipher_suite);
  // An expired ticket, or one for a suite we no longer offer, is dropped.
  if (!fresh || !info || !suite_offered) return {};
  wire::OfferedPsks psks;
  psks.identities.push_back({s->ticket, static_cast<uint32_t>(age_ms) + s->age_add});
  psks.binders.push_back(std::vector<uint8_t>(crypto::hash_len(info->hash)));
  ch.psk = std::move(psks);
  if (early_enabled) {
    // Offered (peer_declined until the server says otherwise) when the
    // session allows it and write_early queued something to send.
    early_offered_ = s->max_early_data > 0 && io_.has_early_data();
    if (early_offered_) {
      // 0-RTT trusts the server before it has answered.
      SLUICE_TRY(reverify_session(ctx(), *s, server_name_));
      reverified_ = true;
    }
    ch.early_data = early_offered_;
    negotiated_.early_data_reason = s->max_early_data == 0 ? EarlyDataReason::kUnsupportedForSession
                                    : !early_offered_      ? EarlyDataReason::kDisabled
                                                           : EarlyDataReason::kPeerDeclined;
  }
  session_ = std::move(s);
  return {};
}

Result<void, Error> Client13::send_hello() {
  std::vector<uint8_t> msg;
  msg.reserve(wire::kTypicalClientHelloLen);
  hello_.padding_len = 0;
  bool encoded = hello_.serialize(msg);
  // An inner hello is padded by ECH's rule instead (§6.1.3).
  if (size_t pad = wire::f5_padding_len(msg.size()); encoded && pad != 0 && !ech_.offered()) {
    hello_.padding_len = pad;
    msg.clear();
    encoded = hello_.serialize(msg);
  }
  if (!encoded) return Err(Error(Reason::kConfiguration, "ClientHello does not encode (a list is too long)"));
  if (hello_.psk && !ech_.offered()) SLUICE_TRY(bind_psk(msg));
  if (ech_.sealing()) {
    SLUICE_TRY(send_outer_hello(msg));
  } else {
    SLUICE_TRY(io_.send(msg));
  }
  transcript_.add(std::move(msg));
  return {};
}

Result<void, Error> Client13::send_outer_hello(std::vector<uint8_t>& inner) {
  std::vector<uint8_t> encoded = SLUICE_TRY(ech_.encode_inner(hello_, inner, offers12_));
  if (hello_.psk) SLUICE_TRY(bind_psk(inner));
  // Final now (binders included): a trace shows it before the outer hello.
  io_.observe_inner_hello(true, Bytes(inner).subspan(wire::kHandshakeHeaderLen));
  std::vector<uint8_t> outer = SLUICE_TRY(ech_.seal_outer(hello_, inner, std::move(encoded)));
  SLUICE_TRY(io_.send(outer));
  ech_.outer_sent(std::move(outer));
  return {};
}

Result<void, Error> Client13::bind_psk(std::vector<uint8_t>& msg) {
  const auto h = suite_info(session_->cipher_suite)->hash;
  const size_t truncated = msg.size() - hello_.psk->binders_len();
  HashValue hv;
  hv.len = crypto::hash_len(h);
  SLUICE_TRY(transcript_.hash_with(provider(), h, Bytes(msg).first(truncated), MutBytes(hv.bytes, hv.len)));
  auto binder = SLUICE_TRY(psk_binder(provider(), h, session_->psk, hv.view()));
  std::copy(binder.begin(), binder.end(), msg.end() - static_cast<ptrdiff_t>(binder.size()));
  hello_.psk->binders[0] = std::move(binder);
  return {};
}

Result<void, Error> Client13::resolve_ech(const wire::ServerHello& sh, const HandshakeMessage& m) {
  if (!transcript_.hash_selected()) SLUICE_TRY(transcript_.select_hash(provider(), suite_->hash));
  if (SLUICE_TRY(ech_.accepted_in_server_hello(provider(), suite_->hash, transcript_, m.whole))) {
    negotiated_.ech_accepted = true;
    return {};
  }
  if (!ech_.rejected()) continue_with_outer();  // else the HelloRetryRequest did
  // ClientHelloOuter offered no PSK.
  if (sh.selected_psk) return Err(Error(Reason::kUnsupportedExtension, "pre_shared_key answering a ClientHelloOuter"));
  return {};
}

void Client13::continue_with_outer() {
  EchClient::Outer outer = ech_.reject();
  transcript_ = std::move(outer.transcript);
  hello_ = std::move(outer.hello);
  sent_sni_ = true;
  session_.reset();
}

Result<void, Error> Client13::send_early_data() {
  const auto h = suite_info(session_->cipher_suite);
  KeySchedule early(provider(), h->hash);
  SLUICE_TRY(early.start_early(session_->psk));
  HashValue hello_hash;
  hello_hash.len = crypto::hash_len(h->hash);
  SLUICE_TRY(transcript_.hash_with(provider(), h->hash, {}, MutBytes(hello_hash.bytes, hello_hash.len)));
  SecretBytes secret = SLUICE_TRY(early.client_early_traffic_secret(hello_hash.view()));
  key_log(ctx(), "CLIENT_EARLY_TRAFFIC_SECRET", client_random_, secret);
  SLUICE_TRY(io_.rekey_write13(h->hash, h->aead, secret));
  // RFC 8446 §4.2.10: no more than the ticket allows.
  return io_.send_early_data(session_->max_early_data);
}

Result<void, Error> Client13::check_server_hello_common(const wire::ServerHello& sh) {
  if (sh.selected_version == 0) {
    if (downgraded(sh)) return Err(Error(Reason::kDowngradeDetected, "downgrade sentinel in ServerHello.random"));
    if (retried_) return Err(Error(Reason::kIllegalParameter, "TLS 1.2 ServerHello after a HelloRetryRequest"));
    return Err(Error(Reason::kNoSharedVersion, "server chose a version that was not offered"));
  }
  if (sh.selected_version != wire::kTls13 || ctx().policy().max_version < wire::kTls13) {
    return Err(Error(Reason::kIllegalParameter, "server selected a version that was not offered"));
  }
  // RFC 8446 §4.1.3: legacy_version is 0x0303 in every TLS 1.3 ServerHello.
  // A server that gets it wrong after a HelloRetryRequest sent a malformed
  // message (decode_error, as BoringSSL answers); before, it is a version
  // we do not speak.
  if (sh.legacy_version != wire::kTls12) {
    if (retried_) return Err(Error(Reason::kDecodeError, "ServerHello legacy_version after a HelloRetryRequest"));
    return Err(Error(Reason::kNoSharedVersion, "ServerHello legacy_version is not 0x0303"));
  }
  // RFC 8446 §4.1.3: a TLS 1.3 ServerHello carries only TLS 1.3 extensions.
  if (sh.has_tls12_extensions()) {
    return Err(Error(Reason::kUnsupportedExtension, "TLS 1.2 extension in a TLS 1.3 ServerHello"));
  }
  if (sh.legacy_session_id_echo != hello_.legacy_session_id) {
    return Err(Error(Reason::kIllegalParameter, "legacy_session_id_echo does not match"));
  }
  if (!offered(sh.cipher_suite) || !suite_info(sh.cipher_suite) || suite_info(sh.cipher_suite)->version != wire::kTls13) {
    return Err(Error(Reason::kUnofferedSelection, "server chose a cipher suite that was not offered"));
  }
  // RFC 8446 §4.1.4: the ServerHello must keep the HelloRetryRequest's suite.
  if (retried_ && suite_ && sh.cipher_suite != suite_->id) {
    return Err(Error(Reason::kIllegalParameter, "ServerHello suite differs from the HelloRetryRequest's"));
  }
  return {};
}

TlsResult<Wait> Client13::handle_hello_retry_request(const wire::ServerHello& hrr, const HandshakeMessage& m) {
  // RFC 8446 §5.1: our second hello may change keys (0-RTT's are dropped);
  // nothing may follow the HelloRetryRequest in its record.
  if (!io_.message_ends_record()) {
    return Err(Error(Reason::kUnexpectedMessage, "HelloRetryRequest does not end its record"));
  }
  // RFC 8446 §4.1.4: a second HelloRetryRequest is unexpected_message.
  if (retried_) return Err(Error(Reason::kUnexpectedMessage, "second HelloRetryRequest"));
  retried_ = true;
  negotiated_.hello_retry_request = true;
  const auto& groups = ctx().policy().groups;
  if (hrr.hrr_selected_group) {
    const auto g = static_cast<crypto::Group>(*hrr.hrr_selected_group);
    if (std::find(groups.begin(), groups.end(), g) == groups.end()) {
      return Err(Error(Reason::kUnofferedSelection, "HelloRetryRequest for a group we do not support"));
    }
    if (g == key_share_->group()) {
      return Err(Error(Reason::kIllegalParameter, "HelloRetryRequest for the group we already sent"));
    }
  } else if (hrr.cookie.empty()) {
    return Err(Error(Reason::kIllegalParameter, "HelloRetryRequest that would change nothing"));
  }
  // §6.1.5: the signal answers an ECH offer; without one it is unsolicited.
  if (hrr.ech_confirmation && !ech_.sent()) {
    return Err(Error(Reason::kUnsupportedExtension, "encrypted_client_hello in a HelloRetryRequest without ECH offered"));
  }
  suite_ = suite_info(hrr.cipher_suite);
  SLUICE_TRY(transcript_.select_hash(provider(), suite_->hash));
  transcript_.replace_with_message_hash();
  if (ech_.offered()) {
    const bool accepted = SLUICE_TRY(ech_.accepted_in_hello_retry(provider(), suite_->hash, transcript_, hrr, m.whole));
    // Not accepted: the server answers ClientHelloOuter, and the second
    // one repeats the first's encrypted_client_hello unchanged.
    if (!accepted) continue_with_outer();
  }
  if (!ech_.rejected()) transcript_.add(m.whole);
  io_.message_done();

  if (hrr.hrr_selected_group) {
    key_share_ = SLUICE_TRY(provider().new_key_share(static_cast<crypto::Group>(*hrr.hrr_selected_group)));
    hello_.key_shares = {{*hrr.hrr_selected_group, key_share_->public_key()}};
  }
  hello_.cookie = hrr.cookie;
  // RFC 8446 §4.1.2: no early_data in a second hello; the PSK stays only if
  // its hash fits the suite the server chose.
  hello_.early_data = false;
  if (hello_.psk && suite_info(session_->cipher_suite)->hash != suite_->hash) hello_.psk.reset();
  if (hello_.psk) {
    const int64_t age_ms = ctx().now_ms() - session_->received_at_ms;
    hello_.psk->identities[0].obfuscated_ticket_age = static_cast<uint32_t>(age_ms) + session_->age_add;
  }
  if (early_offered_) {
    negotiated_.early_data_reason = EarlyDataReason::kHelloRetryRequest;
    // Back to plaintext records for the second hello.
    SLUICE_TRY(io_.install_write(Protection()));
    early_offered_ = false;
  }
  SLUICE_TRY(send_compat_ccs());
  SLUICE_TRY(send_hello());
  return Wait::kOk;
}

TlsResult<Wait> Client13::do_read_server_hello() {
  auto m = SLUICE_TRY(message());
  if (!m) return Wait::kReadMessage;
  SLUICE_TRY(expect_message(*m, HandshakeType::kServerHello));
  auto sh = SLUICE_TRY(wire::ServerHello::parse(m->body));
  if (sh.selected_version == 0 && !sh.is_hello_retry_request() && !retried_ && offers12_ &&
      sh.legacy_version == wire::kTls12 && !downgraded(sh)) {
    // A TLS 1.2 server: its machine reads this ServerHello and goes on from
    // the hello we sent (ClientHelloOuter, if ECH was offered: a TLS 1.2
    // server answers that one).
    std::string ech_public_name;
    if (ech_.offered()) {
      ech_public_name = ech_.public_name();
      continue_with_outer();
    }
    ClientHelloSent sent{std::move(hello_), std::move(transcript_), server_name_, sent_sni_, std::move(session12_),
                         negotiated_.early_data_reason, std::move(ech_public_name)};
    sent.hello.key_shares.clear();  // views into our TLS 1.3 key share
    io_.hand_off(make_client12(io_, std::move(sent)));
    return Wait::kOk;
  }
  SLUICE_TRY(check_server_hello_common(sh));
  if (sh.is_hello_retry_request()) return handle_hello_retry_request(sh, *m);
  suite_ = suite_info(sh.cipher_suite);
  if (ech_.offered()) SLUICE_TRY(resolve_ech(sh, *m));
  if (sh.selected_psk) {
    const size_t offered_psks = hello_.psk ? hello_.psk->identities.size() : 0;
    const auto psk_hash = offered_psks ? suite_info(session_->cipher_suite)->hash : suite_->hash;
    psk_accepted_.emplace(SLUICE_TRY(PskCheck::accept_selection(offered_psks, *sh.selected_psk, psk_hash, suite_->hash)));
    resumed_ = true;
  } else if (early_offered_) {
    negotiated_.early_data_reason = EarlyDataReason::kSessionNotResumed;
  }
  SecretBytes shared;
  if (sh.key_share) {
    if (sh.key_share->group != static_cast<uint16_t>(key_share_->group())) {
      return Err(Error(Reason::kUnofferedSelection, "server key share is for a group we did not share"));
    }
    shared = SLUICE_TRY(key_share_->agree(sh.key_share->key_exchange));
    negotiated_.group = static_cast<crypto::Group>(sh.key_share->group);
  } else if (!resumed_ || std::find(hello_.psk_modes.begin(), hello_.psk_modes.end(), 0) == hello_.psk_modes.end()) {
    return Err(Error(Reason::kMissingExtension, "ServerHello without key_share"));
  } else {
    shared = SecretBytes(crypto::hash_len(suite_->hash));  // psk_ke: zeros (RFC 8446 §7.1)
  }
  key_share_.reset();

  if (!transcript_.hash_selected()) SLUICE_TRY(transcript_.select_hash(provider(), suite_->hash));
  transcript_.add(m->whole);
  io_.message_done();
  schedule_.emplace(provider(), suite_->hash);
  SLUICE_TRY(schedule_->start_early(resumed_ ? Bytes(session_->psk) : Bytes()));
  HashValue hello_hash = current_hash(transcript_);
  hs_secrets_ = SLUICE_TRY(schedule_->advance_with_shared_secret(shared, hello_hash.view()));
  key_log(ctx(), "CLIENT_HANDSHAKE_TRAFFIC_SECRET", client_random_, hs_secrets_.client);
  key_log(ctx(), "SERVER_HANDSHAKE_TRAFFIC_SECRET", client_random_, hs_secrets_.server);
  SLUICE_TRY(io_.rekey_read13(suite_->hash, suite_->aead, hs_secrets_.server));
  // The dummy CCS goes before any encrypted record of ours, an alert included.
  SLUICE_TRY(send_compat_ccs());
  // While 0-RTT may still be going out, the early key stays until
  // EndOfEarlyData (RFC 8446 §4.5); the handshake key waits.
  if (early_offered_) {
    handshake_write_ = SLUICE_TRY(Protection::tls13(provider(), suite_->hash, suite_->aead, hs_secrets_.client));
  } else {
    SLUICE_TRY(io_.rekey_write13(suite_->hash, suite_->aead, hs_secrets_.client));
  }
  Negotiated& n = negotiated_;
  n.version = wire::kTls13;
  n.extended_master_secret = true;
  n.cipher_suite = sh.cipher_suite;
  n.resumed = resumed_;
  if (resumed_) {
    if (!reverified_) SLUICE_TRY(reverify_session(ctx(), *session_, server_name_));
    n.peer_chain = session_->peer_chain;
    n.peer_ocsp_response = session_->peer_ocsp_response;
    n.peer_sct_list = session_->peer_sct_list;
    // ALPN is the connection's, from EncryptedExtensions, not the session's
    // (RFC 7301 §3.1).
  }
  state_ = ClientState::kReadEncryptedExtensions;
  return Wait::kOk;
}

TlsResult<Wait> Client13::do_read_encrypted_extensions() {
  auto m = SLUICE_TRY(message());
  if (!m) return Wait::kReadMessage;
  SLUICE_TRY(expect_message(*m, HandshakeType::kEncryptedExtensions));
  auto ee = SLUICE_TRY(wire::EncryptedExtensions::parse(m->body));
  if (ee.server_name_ack && !sent_sni_) {
    return Err(Error(Reason::kUnsupportedExtension, "server_name acknowledged but not sent"));
  }
  if (ee.ech_retry_configs) {
    SLUICE_TRY(ech_.check_retry_configs(*ee.ech_retry_configs));
    // Kept only when our offer was rejected, for the application's retry;
    // after GREASE they are checked and dropped (draft-ietf-tls-esni §6.2).
    if (ech_.rejected()) io_.set_ech_retry_configs(*ee.ech_retry_configs);
  }
  if (!ee.alpn.empty()) {
    const auto& offered = ctx().policy().alpn;
    if (std::find(offered.begin(), offered.end(), ee.alpn) == offered.end()) {
      // RFC 7301 §3.2 with RFC 8446 §4.2: a protocol we did not offer.
      return Err(Error(offered.empty() ? Reason::kUnsupportedExtension : Reason::kIllegalParameter,
                       "server selected an ALPN protocol that was not offered"));
    }
    negotiated_.alpn = ee.alpn;
  }
  if (ee.early_data) {
    // RFC 8446 §4.2.10: 0-RTT is accepted only with the offered session
    // resumed, under the suite and ALPN protocol it was issued with.
    if (retried_) return Err(Error(Reason::kUnsupportedExtension, "early_data after a HelloRetryRequest"));
    if (!early_offered_) return Err(Error(Reason::kUnsupportedExtension, "early_data accepted but not offered"));
    if (!resumed_) return Err(Error(Reason::kUnsupportedExtension, "early_data in a handshake that did not resume"));
    if (suite_->id != session_->cipher_suite) {
      return Err(Error(Reason::kIllegalParameter, "0-RTT accepted under another cipher suite"));
    }
    if (negotiated_.alpn != session_->alpn) {
      return Err(Error(Reason::kIllegalParameter, "0-RTT accepted under another ALPN protocol"));
    }
  }
  early_accepted_ = ee.early_data;
  negotiated_.early_data_accepted = early_accepted_;
  if (early_accepted_) negotiated_.early_data_reason = EarlyDataReason::kAccepted;
  if (early_offered_ && !early_accepted_) {
    // Rejected: the handshake key replaces the early key at once.
    SLUICE_TRY(io_.install_write(std::move(*handshake_write_)));
    handshake_write_.reset();
  }
  if (ee.record_size_limit) {
    if (!ctx().policy().record_size_limit) {
      return Err(Error(Reason::kUnsupportedExtension, "record_size_limit not offered"));
    }
    // RFC 8449 §4: in TLS 1.3 the limit includes the inner content type.
    io_.set_record_limits(*ee.record_size_limit - 1u, ctx().policy().record_size_limit);
  }
  negotiated_.server_name = sent_sni_ ? server_name_ : std::string();
  transcript_.add(m->whole);
  io_.message_done();
  // A resumed handshake authenticates by the PSK: no certificates follow.
  state_ = resumed_ ? ClientState::kReadFinished : ClientState::kReadCertificateRequestOrCertificate;
  return Wait::kOk;
}

TlsResult<Wait> Client13::do_read_certificate_request_or_certificate() {
  auto m = SLUICE_TRY(message());
  if (!m) return Wait::kReadMessage;
  if (m->type == HandshakeType::kCertificateRequest) {
    auto cr = SLUICE_TRY(wire::CertificateRequest::parse(m->body));
    // RFC 8446 §4.3.2: the context is empty during the handshake; one there
    // is a malformed message (decode_error, as BoringSSL answers).
    if (!cr.request_context.empty()) {
      return Err(Error(Reason::kDecodeError, "CertificateRequest context must be empty in the handshake"));
    }
    certificate_requested_ = true;
    requested_schemes_ = std::move(cr.signature_algorithms);
    compress_with_ = choose_compression(ctx(), cr.compress_certificate);
    transcript_.add(m->whole);
    io_.message_done();
  }
  state_ = ClientState::kReadCertificate;
  return Wait::kOk;
}

TlsResult<Wait> Client13::do_read_certificate() {
  auto m = SLUICE_TRY(message());
  if (!m) return Wait::kReadMessage;
  std::vector<uint8_t> decompressed;
  const HandshakeMessage plain =
      SLUICE_TRY(uncompressed_certificate(*m, ctx(), hello_.compress_certificate, decompressed));
  auto cert = SLUICE_TRY(read_certificate(plain, {}, hello_.status_request, hello_.signed_certificate_timestamp));
  // RFC 8446 §4.4.2.4: an empty server Certificate is a decode_error.
  if (cert.certificates.empty()) return Err(Error(Reason::kDecodeError, "empty server Certificate"));
  CertificateRequest req{cert.certificates, verify_name(), ctx().now(), true};
  req.ocsp_response = cert.ocsp_response;
  req.sct_list = cert.sct_list;
  cert_verified_.emplace(SLUICE_TRY(ctx().credentials().verifier.get()->verify(req)));
  negotiated_.peer_chain = internals(ctx()).chain_cache.intern(std::move(cert.certificates));
  negotiated_.peer_ocsp_response = std::move(cert.ocsp_response);
  negotiated_.peer_sct_list = std::move(cert.sct_list);
  transcript_.add(m->whole);
  io_.message_done();
  state_ = ClientState::kReadCertificateVerify;
  return Wait::kOk;
}

TlsResult<Wait> Client13::do_read_certificate_verify() {
  auto m = SLUICE_TRY(message());
  if (!m) return Wait::kReadMessage;
  if (!cert_verified_) return Err(Error(Reason::kInternal, "CertificateVerify before a verified certificate"));
  auto checked =
      SLUICE_TRY(SignatureCheck::verify(*m, provider(), *cert_verified_, offered_schemes_, transcript_, true));
  sig_verified_.emplace(std::move(checked.proof));
  negotiated_.signature_scheme = checked.scheme;
  negotiated_.peer_signature_scheme = checked.scheme;
  transcript_.add(m->whole);
  io_.message_done();
  state_ = ClientState::kReadFinished;
  return Wait::kOk;
}

TlsResult<Wait> Client13::do_read_finished() {
  auto m = SLUICE_TRY(message());
  if (!m) return Wait::kReadMessage;
  finished_verified_.emplace(
      SLUICE_TRY(FinishedCheck::verify(*m, provider(), suite_->hash, hs_secrets_.server, transcript_)));
  transcript_.add(m->whole);
  io_.message_done();
  HashValue through_server_finished = current_hash(transcript_);
  auto app = SLUICE_TRY(schedule_->advance_to_master(through_server_finished.view()));
  client_app_secret_ = std::move(app.client);
  server_app_secret_ = std::move(app.server);
  key_log(ctx(), "CLIENT_TRAFFIC_SECRET_0", client_random_, client_app_secret_);
  key_log(ctx(), "SERVER_TRAFFIC_SECRET_0", client_random_, server_app_secret_);
  key_log(ctx(), "EXPORTER_SECRET", client_random_, schedule_->exporter_master());
  SLUICE_TRY(io_.rekey_read13(suite_->hash, suite_->aead, server_app_secret_));
  state_ = certificate_requested_ ? ClientState::kSendClientCertificate : ClientState::kSendFinished;
  return Wait::kOk;
}

Result<void, Error> Client13::begin_second_flight() {
  // RFC 8446 §D.4: in compatibility mode a CCS precedes the second flight
  // (unless one already preceded a second ClientHello).
  if (second_flight_started_) return {};
  second_flight_started_ = true;
  SLUICE_TRY(send_compat_ccs());
  return {};
}

TlsResult<Wait> Client13::do_send_client_certificate() {
  SLUICE_TRY(begin_second_flight());
  const CertifiedKey& ck = ctx().certificate();
  std::optional<crypto::SignatureScheme> scheme;
  // §6.1.6: a server that declined ECH is not shown our certificate.
  if (ck.signer && !ck.chain.empty() && !ech_.rejected()) {
    scheme = choose_signature_scheme13(requested_schemes_, ctx().policy().signature_schemes, *ck.signer);
  }
  // Without a certificate that fits, RFC 8446 §4.4.2 has us send an empty one.
  SLUICE_TRY(queue_certificate13(io_, {}, scheme ? std::span(ck.chain) : std::span<const std::vector<uint8_t>>(),
                                 {}, {}, transcript_, compress_with_));
  if (scheme) client_scheme_ = *scheme;
  state_ = scheme ? ClientState::kSendClientCertificateVerify : ClientState::kSendFinished;
  return Wait::kOk;
}

TlsResult<Wait> Client13::do_send_client_certificate_verify() {
  Wait w = SLUICE_TRY(queue_certificate_verify13(io_, *ctx().certificate().signer, client_scheme_, transcript_, false, pending_signature_));
  if (w == Wait::kAsync) return w;
  state_ = ClientState::kSendFinished;
  return Wait::kOk;
}

TlsResult<Wait> Client13::do_send_finished() {
  if (ech_.rejected()) {
    // §6.1.6: the public name is authenticated (and an empty Certificate
    // sent if one was asked for); the connection ends here.
    SLUICE_TRY(io_.flush());
    return Err(Error(Reason::kEchRejected));
  }
  if (early_accepted_) {
    // RFC 8446 §4.5: EndOfEarlyData, under the early key, ends 0-RTT.
    const uint8_t eoed[4] = {static_cast<uint8_t>(HandshakeType::kEndOfEarlyData), 0, 0, 0};
    transcript_.add(eoed);
    SLUICE_TRY(io_.send(eoed));
    SLUICE_TRY(io_.install_write(std::move(*handshake_write_)));
    handshake_write_.reset();
  }
  SLUICE_TRY(begin_second_flight());
  SLUICE_TRY(queue_finished13(io_, suite_->hash, hs_secrets_.client, transcript_));
  SLUICE_TRY(io_.rekey_write13(suite_->hash, suite_->aead, client_app_secret_));
  HashValue through_client_finished = current_hash(transcript_);
  Traffic13 traffic;
  traffic.resumption_secret = SLUICE_TRY(schedule_->resumption_master(through_client_finished.view()));
  traffic.exporter_secret = schedule_->exporter_master().copy();
  traffic.hash = suite_->hash;
  traffic.aead = suite_->aead;
  traffic.read_secret = std::move(server_app_secret_);
  traffic.write_secret = std::move(client_app_secret_);
  if (pha_offered_) traffic.pha_transcript.emplace(std::move(transcript_));
  traffic.negotiated = negotiated_;
  // The server proved itself by its certificate and signature, or (when a
  // PSK was accepted) by a Finished keyed from that PSK.
  FinishedVerified finished = SLUICE_TRY(take_proof(finished_verified_, "no verified server Finished"));
  std::optional<PeerAuthenticated> peer;
  if (resumed_) {
    peer.emplace(PeerAuthenticated::by_psk(SLUICE_TRY(take_proof(psk_accepted_, "no accepted PSK"))));
  } else {
    CertVerified cert = SLUICE_TRY(take_proof(cert_verified_, "no verified server certificate"));
    SigVerified sig = SLUICE_TRY(take_proof(sig_verified_, "no verified CertificateVerify"));
    peer.emplace(PeerAuthenticated::by_certificate(std::move(cert), std::move(sig)));
  }
  state_ = ClientState::kDone;
  SLUICE_TRY(io_.enter_traffic13(HandshakeProof{std::move(finished), std::move(*peer)}, std::move(traffic)));
  return Wait::kDone;
}

}  // namespace

std::unique_ptr<HandshakeMachine> make_client13(HandshakeIo& io, std::string server_name) {
  return std::make_unique<Client13>(io, std::move(server_name));
}

}  // namespace sluice
