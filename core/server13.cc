// The TLS 1.3 server handshake (RFC 8446 §2, full 1-RTT): one state enum,
// one function per state.
#include <algorithm>

#include "core/cert_compression.h"
#include "core/handshake.h"
#include "core/context_internals.h"
#include "core/ech.h"
#include "core/record_layer.h"
#include "core/suites.h"
#include "core/tickets.h"
#include "core/tls13_both.h"
#include "core/wire/ech.h"
#include "core/wire/extensions.h"
#include "crypto/hpke.h"
#include "core/wire/hello.h"
#include "core/wire/messages.h"

namespace sluice {
namespace {

using wire::HandshakeType;

enum class ServerState : uint8_t {
  kReadClientHello,
  kSendHelloRetryRequest,
  kSendServerHello,
  kSendEncryptedExtensions,
  kSendCertificateRequest,
  kSendCertificate,
  kSendCertificateVerify,
  kSendFinished,
  kReadEndOfEarlyData,
  kReadClientCertificate,
  kReadClientCertificateVerify,
  kReadFinished,
  kDone,
};

class Server13 final : public HandshakeMachine {
 public:
  explicit Server13(HandshakeIo& io) : io_(io) {}

  TlsResult<Wait> step() override {
    switch (state_) {
      case ServerState::kReadClientHello: return do_read_client_hello();
      case ServerState::kSendHelloRetryRequest: return do_send_hello_retry_request();
      case ServerState::kSendServerHello: return do_send_server_hello();
      case ServerState::kSendEncryptedExtensions: return do_send_encrypted_extensions();
      case ServerState::kSendCertificateRequest: return do_send_certificate_request();
      case ServerState::kSendCertificate: return do_send_certificate();
      case ServerState::kSendCertificateVerify: return do_send_certificate_verify();
      case ServerState::kSendFinished: return do_send_finished();
      case ServerState::kReadEndOfEarlyData: return do_read_end_of_early_data();
      case ServerState::kReadClientCertificate: return do_read_client_certificate();
      case ServerState::kReadClientCertificateVerify: return do_read_client_certificate_verify();
      case ServerState::kReadFinished: return do_read_finished();
      case ServerState::kDone: return Wait::kDone;
    }
    return Err(Error(Reason::kInternal, "bad server state"));
  }

  std::string_view state_name() const override {
    switch (state_) {
      case ServerState::kReadClientHello: return "read ClientHello";
      case ServerState::kSendHelloRetryRequest: return "send HelloRetryRequest";
      case ServerState::kSendServerHello: return "send ServerHello";
      case ServerState::kSendEncryptedExtensions: return "send EncryptedExtensions";
      case ServerState::kSendCertificateRequest: return "send CertificateRequest";
      case ServerState::kSendCertificate: return "send Certificate";
      case ServerState::kSendCertificateVerify: return "send CertificateVerify";
      case ServerState::kSendFinished: return "send Finished";
      case ServerState::kReadEndOfEarlyData: return "read EndOfEarlyData";
      case ServerState::kReadClientCertificate: return "read client Certificate";
      case ServerState::kReadClientCertificateVerify: return "read client CertificateVerify";
      case ServerState::kReadFinished: return "read Finished";
      case ServerState::kDone: return "done";
    }
    return "?";
  }

  const Negotiated& negotiated() const override { return negotiated_; }
  crypto::PendingSignature* pending_operation() const override { return pending_signature_.get(); }
  bool half_rtt() const override {
    return early_accepted_ && (state_ == ServerState::kReadEndOfEarlyData || state_ == ServerState::kReadFinished);
  }
  Result<void, Error> export_half_rtt(std::string_view label, std::optional<Bytes> context,
                                      MutBytes out) const override {
    if (!half_rtt()) return HandshakeMachine::export_half_rtt(label, context, out);
    return export_keying_material13(provider(), suite_->hash, schedule_->exporter_master(), label, context, out);
  }

 private:
  const Context& ctx() const { return io_.context(); }
  const crypto::Provider& provider() const { return io_.provider(); }

  TlsResult<Wait> do_read_client_hello();
  TlsResult<Wait> do_send_hello_retry_request();
  Result<void, Error> choose_group(const wire::ClientHello& ch);
  Result<void, Error> choose_certificate(const wire::ClientHello& ch);
  Result<void, Error> check_second_hello(const wire::ClientHello& ch, crypto::Group retry_group);
  TlsResult<Wait> do_send_server_hello();
  TlsResult<Wait> do_send_encrypted_extensions();
  TlsResult<Wait> do_send_certificate_request();
  TlsResult<Wait> do_read_end_of_early_data();
  TlsResult<Wait> do_read_client_certificate();
  Result<void, Error> accept_psk(const wire::ClientHello& ch, const HandshakeMessage& m);
  EarlyDataReason accept_early_data(const wire::ClientHello& ch, uint32_t obfuscated_age);
  Result<void, Error> send_tickets();
  TlsResult<Wait> do_read_client_certificate_verify();
  TlsResult<Wait> do_send_certificate();
  TlsResult<Wait> do_send_certificate_verify();
  TlsResult<Wait> do_send_finished();
  TlsResult<Wait> do_read_finished();
  Result<void, Error> negotiate(const wire::ClientHello& ch);
  Result<void, Error> open_ech(wire::ClientHello& ch, Bytes body, std::vector<uint8_t>& inner_message);
  Result<void, Error> take_inner_hello(wire::ClientHello& ch, Bytes body, Bytes encoded,
                                       std::vector<uint8_t>& inner_message);
  // confirm_ech patches the acceptance signal into `sent`, the message just
  // queued with zeros where it goes.
  Result<void, Error> confirm_ech(std::string_view label, MutBytes sent, MutBytes signal);

  HandshakeIo& io_;
  // Our CertificateVerify's signature while an asynchronous signer makes it.
  std::unique_ptr<crypto::PendingSignature> pending_signature_;
  ServerState state_ = ServerState::kReadClientHello;
  Negotiated negotiated_;
  bool pha_offered_ = false;  // the client offered post_handshake_auth
  bool ocsp_requested_ = false, sct_requested_ = false;
  std::optional<PskAccepted> psk_accepted_;
  std::optional<SigVerified> client_sig_verified_;
  std::array<uint8_t, wire::kRandomLen> client_random_{};
  wire::SessionId session_id_;
  std::optional<SuiteInfo> suite_;
  crypto::Group group_{};
  std::vector<uint8_t> peer_share_;
  bool need_retry_ = false;  // no usable key share: send a HelloRetryRequest
  bool retried_ = false;     // a HelloRetryRequest was sent
  bool sent_ccs_ = false;
  crypto::SignatureScheme scheme_{};
  const CertifiedKey* cert_ = nullptr;  // the chain we present (full handshakes)
  std::string alpn_;
  bool sni_ack_ = false;
  std::optional<uint16_t> record_size_limit_;
  Transcript transcript_;
  std::optional<KeySchedule> schedule_;
  KeySchedule::Pair hs_secrets_;
  SecretBytes client_app_secret_, server_app_secret_;
  // The cookie a HelloRetryRequest carries (none: sluice's server keeps the
  // retry state itself, it does not need the client to echo any).
  std::vector<uint8_t> hello_retry_cookie_;
  // What a second ClientHello must repeat of the first (after an HRR).
  std::vector<uint8_t> first_hello_;
  std::vector<uint16_t> requested_schemes_;  // in our CertificateRequest
  std::vector<uint16_t> offered_compression_;  // compress_certificate in our CertificateRequest
  // Compresses our Certificate: the client's hello listed it.
  const CertificateCompression* compress_with_ = nullptr;
  std::optional<CertVerified> client_cert_verified_;
  // Resumption.
  std::vector<uint8_t> client_psk_modes_;
  std::optional<TicketState> ticket_;  // the accepted ticket
  uint16_t psk_index_ = 0;
  bool psk_dhe_ = true;                // psk_dhe_ke (else psk_ke)
  bool early_accepted_ = false;
  EarlyDataReason early_reason_ = EarlyDataReason::kSessionNotResumed;
  std::optional<Protection> handshake_read_;  // after EndOfEarlyData
  SecretBytes resumption_secret_;
  // Encrypted Client Hello (draft-ietf-tls-esni §7). The HPKE context that
  // opened the first hello opens the second; a hello that did not open is
  // answered as it is, with our retry configs.
  std::unique_ptr<crypto::HpkeContext> ech_context_;
  wire::EchCipherSuite ech_suite_;
  uint8_t ech_config_id_ = 0;
  bool ech_declined_ = false;
  bool confirm_ech_ = false;  // the hello answered is an inner one: signal it
  bool first_psk_fits_ = false;  // the first hello's PSK was usable, but a retry was needed
};

// Ticket ages may differ by network delay and clock drift; beyond this,
// 0-RTT is refused (RFC 8446 §8.3 recommends a window of this order).
constexpr int64_t kTicketAgeWindowMs = 10000;

Result<void, Error> Server13::negotiate(const wire::ClientHello& ch) {
  // Suite: the server's preference among the client's offers.
  suite_.reset();
  for (auto s : ctx().policy().cipher_suites) {
    const auto code = static_cast<uint16_t>(s);
    const auto info = suite_info(code);
    if (info && info->version == wire::kTls13 &&
        std::find(ch.cipher_suites.begin(), ch.cipher_suites.end(), code) != ch.cipher_suites.end() &&
        provider().supports(info->aead) && provider().supports(info->hash)) {
      suite_ = info;
      break;
    }
  }
  if (!suite_) return Err(Error(Reason::kNoSharedCipherSuite, "no cipher suite in common"));

  // RFC 8446 §9.2: a TLS 1.3 ClientHello without a PSK must carry these.
  if (ch.signature_algorithms.empty() && !ch.psk) {
    return Err(Error(Reason::kMissingExtension, "ClientHello without signature_algorithms"));
  }
  if (!ch.has_key_share || ch.supported_groups.empty()) {
    return Err(Error(Reason::kMissingExtension, "ClientHello without key_share or supported_groups"));
  }
  SLUICE_TRY(choose_group(ch));

  alpn_ = SLUICE_TRY(choose_alpn(ctx(), ch.alpn));
  compress_with_ = choose_compression(ctx(), ch.compress_certificate);
  if (ch.has_server_name && !ch.server_name.empty()) {
    negotiated_.server_name = ch.server_name;
    sni_ack_ = true;
  }
  if (ch.record_size_limit) {
    // RFC 8449 §4: answer with our own limit; each side's applies to what
    // the other sends.
    record_size_limit_ = ctx().policy().record_size_limit ? ctx().policy().record_size_limit : uint16_t{wire::kMaxPlaintext + 1};
    io_.set_record_limits(*ch.record_size_limit - 1u, *record_size_limit_);
  }
  return {};
}

namespace {

// name_matches: `pattern` is `name`, or "*.rest" and `name` is one label
// followed by ".rest" (RFC 6125 §6.4.3, ASCII case-insensitive).
bool name_matches(std::string_view pattern, std::string_view name) {
  auto lower_equal = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return (x >= 'A' && x <= 'Z' ? x + 32 : x) == (y >= 'A' && y <= 'Z' ? y + 32 : y);
           });
  };
  if (pattern.size() > 2 && pattern.substr(0, 2) == "*.") {
    const size_t dot = name.find('.');
    return dot != std::string_view::npos && dot > 0 && lower_equal(pattern.substr(1), name.substr(dot));
  }
  return lower_equal(pattern, name);
}

}  // namespace

Result<void, Error> Server13::choose_certificate(const wire::ClientHello& ch) {
  const std::span<const CertifiedKey> certs = ctx().credentials().certificates;
  if (certs.empty()) return Err(Error(Reason::kConfiguration, "server has no certificate"));
  const std::string_view sni = ch.has_server_name ? std::string_view(ch.server_name) : std::string_view();
  const auto& ours = ctx().policy().signature_schemes;
  auto usable = [](const CertifiedKey& ck) { return ck.signer && !ck.chain.empty(); };
  if (const auto& select = ctx().credentials().selector; select) {
    const CertifiedKey* ck = select(CertificateQuery{sni, ch.signature_algorithms, ch.signature_algorithms_cert}, certs);
    if (!ck || !usable(*ck)) return Err(Error(Reason::kNoSharedSignatureScheme, "the certificate selector chose none"));
    const auto scheme = choose_signature_scheme13(ch.signature_algorithms, ours, *ck->signer);
    if (!scheme) return Err(Error(Reason::kNoSharedSignatureScheme, "no signature scheme fits the selected certificate"));
    cert_ = ck, scheme_ = *scheme;
    return {};
  }
  // Chains named for the SNI first; the unnamed ones serve everything else.
  bool named = false;
  for (const CertifiedKey& ck : certs) {
    for (const auto& n : ck.server_names) named |= !sni.empty() && name_matches(n, sni);
  }
  auto candidate = [&](const CertifiedKey& ck) {
    if (!named) return ck.server_names.empty();
    return std::any_of(ck.server_names.begin(), ck.server_names.end(),
                       [&](const std::string& n) { return name_matches(n, sni); });
  };
  // The client's preference decides between chains: the first of its
  // schemes that some candidate's key can make.
  for (uint16_t code : ch.signature_algorithms) {
    const std::array<uint16_t, 1> one = {code};
    for (const CertifiedKey& ck : certs) {
      if (!candidate(ck) || !usable(ck)) continue;
      if (const auto scheme = choose_signature_scheme13(one, ours, *ck.signer); scheme) {
        cert_ = &ck, scheme_ = *scheme;
        return {};
      }
    }
  }
  return Err(Error(Reason::kNoSharedSignatureScheme, "no signature scheme fits a certificate"));
}

Result<void, Error> Server13::choose_group(const wire::ClientHello& ch) {
  // Each share must be for a group the client listed (RFC 8446 §4.2.8).
  for (const auto& ks : ch.key_shares) {
    if (std::find(ch.supported_groups.begin(), ch.supported_groups.end(), ks.group) == ch.supported_groups.end()) {
      return Err(Error(Reason::kIllegalParameter, "key share for a group not in supported_groups"));
    }
  }
  auto share_for = [&](crypto::Group g) {
    return std::find_if(ch.key_shares.begin(), ch.key_shares.end(),
                        [&](const wire::KeyShareEntry& e) { return e.group == static_cast<uint16_t>(g); });
  };
  auto client_supports = [&](crypto::Group g) {
    return std::find(ch.supported_groups.begin(), ch.supported_groups.end(), static_cast<uint16_t>(g)) !=
           ch.supported_groups.end();
  };
  need_retry_ = false;
  peer_share_.clear();
  if (!ctx().policy().strict_group_preference) {
    // A share we accept saves a round trip: take the most preferred of those.
    for (auto g : ctx().policy().groups) {
      if (auto it = share_for(g); it != ch.key_shares.end() && provider().supports(g)) {
        group_ = g;
        peer_share_.assign(it->key_exchange.begin(), it->key_exchange.end());
        return {};
      }
    }
  }
  for (auto g : ctx().policy().groups) {
    if (!client_supports(g) || !provider().supports(g)) continue;
    group_ = g;
    if (auto it = share_for(g); it != ch.key_shares.end()) {
      peer_share_.assign(it->key_exchange.begin(), it->key_exchange.end());
    } else {
      need_retry_ = true;
    }
    return {};
  }
  return Err(Error(Reason::kNoSharedGroup, "no key exchange group in common"));
}

Result<void, Error> Server13::check_second_hello(const wire::ClientHello& ch, crypto::Group retry_group) {
  // RFC 8446 §4.1.2: the second hello answers the retry exactly.
  if (ch.key_shares.size() != 1 || ch.key_shares[0].group != static_cast<uint16_t>(retry_group)) {
    return Err(Error(Reason::kIllegalParameter, "second ClientHello without the requested key share"));
  }
  if (ch.cookie != hello_retry_cookie_) {
    return Err(Error(Reason::kIllegalParameter, "second ClientHello does not echo the cookie"));
  }
  if (ch.legacy_session_id != session_id_) {
    return Err(Error(Reason::kIllegalParameter, "second ClientHello changed the session id"));
  }
  return {};
}

TlsResult<Wait> Server13::do_send_hello_retry_request() {
  wire::ServerHello hrr;
  hrr.random = wire::kHelloRetryRandom;
  hrr.legacy_session_id_echo = session_id_;
  hrr.cipher_suite = suite_->id;
  hrr.selected_version = wire::kTls13;
  hrr.hrr_selected_group = static_cast<uint16_t>(group_);
  if (const auto& make_cookie = ctx().hooks().hello_retry_cookie; make_cookie) hello_retry_cookie_ = make_cookie();
  hrr.cookie = hello_retry_cookie_;
  // RFC 8446 §4.4.1: the first ClientHello is replaced by its hash.
  transcript_.replace_with_message_hash();
  if (confirm_ech_) hrr.ech_confirmation.emplace();  // zeros until computed
  const MutBytes sent = SLUICE_TRY(io_.queue(hrr));
  // The signal ends the message (ServerHello::serialize writes it last).
  if (confirm_ech_) SLUICE_TRY(confirm_ech(kEchHrrAcceptLabel, sent, sent.last(wire::kEchConfirmationLen)));
  transcript_.add(sent);
  if (!session_id_.empty()) {
    SLUICE_TRY(io_.send_change_cipher_spec());
    sent_ccs_ = true;
  }
  retried_ = true;
  negotiated_.hello_retry_request = true;
  state_ = ServerState::kReadClientHello;
  return Wait::kOk;
}

Result<void, Error> Server13::accept_psk(const wire::ClientHello& ch, const HandshakeMessage& m) {
  ticket_.reset();
  if (!ch.psk) return {};
  // RFC 8446 §4.2.9: a client offering a PSK must say how it may be used.
  if (ch.psk_modes.empty()) {
    return Err(Error(Reason::kMissingExtension, "pre_shared_key without psk_key_exchange_modes"));
  }
  const bool dhe_ok = std::find(ch.psk_modes.begin(), ch.psk_modes.end(), 1) != ch.psk_modes.end();
  const bool ke_ok =
      ctx().policy().allow_psk_ke && std::find(ch.psk_modes.begin(), ch.psk_modes.end(), 0) != ch.psk_modes.end();
  // RFC 8446 §4.2.9: a PSK without a mode we share is not used.
  if (!dhe_ok && !ke_ok) return {};
  const int64_t now = ctx().now();
  for (size_t i = 0; i < ch.psk->identities.size(); ++i) {
    auto st = (*ctx().credentials().ticket_sealer).open(provider(), ch.psk->identities[i].identity, now);
    if (!st) continue;  // not ours, or from a retired key: a full handshake
    // Expired or from the future. Written so no subtraction involves
    // issued_at: it comes from the ticket, and in the fuzzing build any
    // int64 can arrive there.
    if (st->issued_at > now || st->issued_at < now - static_cast<int64_t>(st->lifetime)) continue;
    const auto info = suite_info(st->cipher_suite);
    // RFC 8446 §4.2.11: the hash must match; a TLS 1.2 session is no PSK.
    if (!info || info->version != wire::kTls13 || info->hash != suite_->hash) continue;
    // The binder covers the hello up to the binders (RFC 8446 §4.2.11.2).
    const size_t truncated = m.whole.size() - ch.psk->binders_len();
    HashValue hv;
    hv.len = crypto::hash_len(suite_->hash);
    SLUICE_TRY(transcript_.hash_with(provider(), suite_->hash, m.whole.first(truncated), MutBytes(hv.bytes, hv.len)));
    psk_accepted_.emplace(SLUICE_TRY(PskCheck::verify_binder(provider(), suite_->hash, st->psk, hv.view(), ch.psk->binders[i])));
    psk_index_ = static_cast<uint16_t>(i);
    psk_dhe_ = dhe_ok;
    // 0-RTT is under the first PSK only (RFC 8446 §4.2.10).
    early_reason_ = i == 0 ? accept_early_data(ch, ch.psk->identities[i].obfuscated_ticket_age)
                           : EarlyDataReason::kSessionNotResumed;
    early_accepted_ = early_reason_ == EarlyDataReason::kAccepted;
    ticket_ = std::move(st);
    if (early_accepted_) ticket_->max_early_data = ctx().policy().max_early_data;
    return {};
  }
  return {};
}

EarlyDataReason Server13::accept_early_data(const wire::ClientHello& ch, uint32_t obfuscated_age) {
  // RFC 8446 §4.2.10: the first PSK only, the same suite and ALPN as the
  // ticket, no HelloRetryRequest, a plausible ticket age, and (our policy)
  // a ticket used for 0-RTT only once.
  if (ctx().policy().max_early_data == 0) return EarlyDataReason::kDisabled;
  if (!ch.early_data) return EarlyDataReason::kPeerDeclined;
  if (retried_) return EarlyDataReason::kHelloRetryRequest;
  auto st = (*ctx().credentials().ticket_sealer).open(provider(), ch.psk->identities[0].identity, ctx().now());
  if (!st) return EarlyDataReason::kSessionNotResumed;
  if (st->max_early_data == 0 || st->cipher_suite != suite_->id) return EarlyDataReason::kUnsupportedForSession;
  if (st->alpn != alpn_) return EarlyDataReason::kAlpnMismatch;
  const int64_t client_age = static_cast<uint32_t>(obfuscated_age - st->age_add);
  const int64_t server_age = ctx().now_ms() - st->issued_at * 1000;
  if (std::abs(client_age - server_age) > kTicketAgeWindowMs + 1000) return EarlyDataReason::kTicketAgeSkew;
  if (!internals(ctx()).claim_early_data_ticket(ch.psk->identities[0].identity)) return EarlyDataReason::kReplay;
  return EarlyDataReason::kAccepted;
}

Result<void, Error> Server13::open_ech(wire::ClientHello& ch, Bytes body, std::vector<uint8_t>& inner_message) {
  if (retried_) {
    if (!ech_context_) return {};  // the first hello was answered as it came
    // §7.1.1: the second hello goes on with the first's context.
    if (!ch.ech || ch.ech->inner) {
      return Err(Error(Reason::kMissingExtension, "second ClientHelloOuter without encrypted_client_hello"));
    }
    if (ch.ech->config_id != ech_config_id_ || wire::EchCipherSuite{ch.ech->kdf, ch.ech->aead} != ech_suite_ ||
        !ch.ech->enc.empty()) {
      Error e(Reason::kDecodeError, "second ClientHelloOuter changed the ECH config, suite or enc");
      e.alert = Alert::kIllegalParameter;
      return Err(e);
    }
    std::vector<uint8_t> encoded;
    if (!ech_context_->open(ech_aad(body, *ch.ech), ch.ech->payload, encoded).ok()) {
      return Err(Error(Reason::kEchDecryptFailed, "second ClientHelloOuter's ECH does not decrypt"));
    }
    return take_inner_hello(ch, body, encoded, inner_message);
  }
  const auto& keys = ctx().credentials().ech_keys;
  if (!ch.ech || ch.ech->inner || keys.empty() || ctx().policy().max_version < wire::kTls13) return {};
  const wire::EchCipherSuite suite{ch.ech->kdf, ch.ech->aead};
  const std::vector<uint8_t> aad = ech_aad(body, *ch.ech);
  for (const EchKey& key : keys) {
    const auto& offered = key.config.cipher_suites;
    if (key.config.config_id != ch.ech->config_id ||
        std::find(offered.begin(), offered.end(), suite) == offered.end() ||
        !crypto::hpke_supported(provider(), {suite.kdf, suite.aead})) {
      continue;
    }
    auto context = crypto::HpkeSetup::recipient(provider(), key.config.kem_id, {suite.kdf, suite.aead},
                                                key.private_key, ch.ech->enc, ech_info(key.config));
    std::vector<uint8_t> encoded;
    // Another key may share the config_id (§7.1: trial decryption).
    if (!context.ok() || !context->open(aad, ch.ech->payload, encoded).ok()) continue;
    ech_context_ = std::make_unique<crypto::HpkeContext>(std::move(*context));
    ech_suite_ = suite;
    ech_config_id_ = ch.ech->config_id;
    negotiated_.ech_accepted = true;
    return take_inner_hello(ch, body, encoded, inner_message);
  }
  // §7.1: not for us, or not decryptable: the outer hello is answered.
  ech_declined_ = true;
  return {};
}

Result<void, Error> Server13::take_inner_hello(wire::ClientHello& ch, Bytes body, Bytes encoded,
                                               std::vector<uint8_t>& inner_message) {
  std::vector<uint8_t> inner_body = SLUICE_TRY(wire::decode_client_hello_inner(encoded, body));
  inner_message.clear();
  inner_message.reserve(wire::kHandshakeHeaderLen + inner_body.size());
  ByteWriter w(inner_message);
  {
    wire::MessageWriter header(w, HandshakeType::kClientHello);
    w.bytes(inner_body);
  }
  if (!w.ok()) return Err(Error(Reason::kDecodeError, "ClientHelloInner too long"));
  // Shown as it opened, before the checks: a refused one is traced before
  // the alert it causes.
  io_.observe_inner_hello(false, inner_body);
  // The parsed hello views into inner_message, which the caller keeps.
  wire::ClientHello inner =
      SLUICE_TRY(wire::ClientHello::parse(Bytes(inner_message).subspan(wire::kHandshakeHeaderLen)));
  // §7.1: an inner hello says so, and offers TLS 1.3 and nothing older.
  if (!inner.ech || !inner.ech->inner) {
    return Err(Error(Reason::kInvalidClientHelloInner, "ClientHelloInner without an inner encrypted_client_hello"));
  }
  const auto& versions = inner.supported_versions;
  if (versions.empty() || std::any_of(versions.begin(), versions.end(), [](uint16_t v) { return v < wire::kTls13; })) {
    return Err(Error(Reason::kInvalidClientHelloInner, "ClientHelloInner offers a version below TLS 1.3"));
  }
  ch = std::move(inner);
  return {};
}

Result<void, Error> Server13::confirm_ech(std::string_view label, MutBytes sent, MutBytes signal) {
  std::array<uint8_t, wire::kEchConfirmationLen> confirmation;
  SLUICE_TRY(ech_accept_confirmation(provider(), suite_->hash, client_random_, label, transcript_, sent, confirmation));
  std::copy(confirmation.begin(), confirmation.end(), signal.begin());
  return {};
}

TlsResult<Wait> Server13::do_read_client_hello() {
  auto m = SLUICE_TRY(io_.next_message());
  if (!m) return Wait::kReadMessage;
  SLUICE_TRY(expect_message(*m, HandshakeType::kClientHello));
  if (ctx().policy().client_auth != ClientAuth::kNone && ctx().credentials().verifier.get() == nullptr) {
    return Err(Error(Reason::kConfiguration, "client certificates requested but no verifier is set"));
  }
  // RFC 8446 §5.1: a ClientHello precedes a key change (0-RTT, or the
  // handshake keys), so it ends its record.
  if (!io_.message_ends_record()) return Err(Error(Reason::kUnexpectedMessage, "ClientHello does not end its record"));
  auto ch = SLUICE_TRY(wire::ClientHello::parse(m->body));
  // With Encrypted Client Hello accepted, the rest of the handshake answers
  // (and its transcript holds) the ClientHelloInner.
  std::vector<uint8_t> inner_message;
  SLUICE_TRY(open_ech(ch, m->body, inner_message));
  const Bytes body = inner_message.empty() ? m->body : Bytes(inner_message).subspan(wire::kHandshakeHeaderLen);
  const HandshakeMessage hello{m->type, body, inner_message.empty() ? m->whole : Bytes(inner_message)};
  // RFC 8446 §4.1.2, Appendix D.5: a TLS 1.3 ClientHello says 0x0303 here,
  // and nothing below TLS 1.2 is negotiated.
  if (ch.legacy_version < wire::kTls12) {
    return Err(Error(Reason::kNoSharedVersion, "ClientHello legacy_version below TLS 1.2"));
  }
  const bool offers_tls13 =
      std::find(ch.supported_versions.begin(), ch.supported_versions.end(), wire::kTls13) != ch.supported_versions.end();
  if (!offers_tls13 || ctx().policy().max_version < wire::kTls13 || ctx().policy().min_version > wire::kTls13) {
    // RFC 7507 §3: a fallback from a client whose maximum is below ours.
    const bool scsv =
        std::find(ch.cipher_suites.begin(), ch.cipher_suites.end(), wire::kFallbackScsv) != ch.cipher_suites.end();
    if (scsv && !offers_tls13 && ctx().policy().max_version >= wire::kTls13) {
      return Err(Error(Reason::kInappropriateFallback, "TLS_FALLBACK_SCSV from a client below our maximum"));
    }
    // TLS 1.2: from supported_versions, or from legacy_version without it
    // (RFC 8446 §4.2.1, D.2). Its machine reads this ClientHello again.
    const bool offers_tls12 =
        ch.supported_versions.empty() ||
        std::find(ch.supported_versions.begin(), ch.supported_versions.end(), wire::kTls12) != ch.supported_versions.end();
    if (offers_tls12 && ctx().policy().min_version <= wire::kTls12 && ctx().policy().max_version >= wire::kTls12) {
      io_.hand_off(make_server12(io_));
      return Wait::kOk;
    }
    return Err(Error(Reason::kNoSharedVersion, "no protocol version in common"));
  }
  // RFC 8446 §4.1.2: in TLS 1.3 the compression methods are exactly null.
  if (!ch.only_null_compression) return Err(Error(Reason::kIllegalParameter, "compression methods other than null"));
  const std::optional<SuiteInfo> first_suite = suite_;
  const crypto::Group retry_group = group_;
  SLUICE_TRY(negotiate(ch));
  if (retried_) {
    SLUICE_TRY(check_second_hello(ch, retry_group));
    // RFC 8446 §4.1.2: apart from what the retry asked for, the same hello.
    if (wire::retry_invariant(body) != first_hello_) {
      return Err(Error(Reason::kIllegalParameter, "second ClientHello changed more than the retry allows"));
    }
    first_hello_.clear();
    first_hello_.shrink_to_fit();
    if (!first_suite || suite_->id != first_suite->id) {
      return Err(Error(Reason::kIllegalParameter, "second ClientHello changed the cipher suite"));
    }
    if (need_retry_) return Err(Error(Reason::kIllegalParameter, "second ClientHello still needs a retry"));
  } else {
    client_random_ = ch.random;
    session_id_ = ch.legacy_session_id;
    pha_offered_ = ch.post_handshake_auth;
    ocsp_requested_ = ch.status_request;
    sct_requested_ = ch.signed_certificate_timestamp;
    SLUICE_TRY(transcript_.select_hash(provider(), suite_->hash));
  }
  client_psk_modes_ = ch.psk_modes;
  SLUICE_TRY(accept_psk(ch, hello));
  // A resumption authenticates by the PSK: the certificate (and whether one
  // fits the client's schemes) matters only without one.
  if (!ticket_) SLUICE_TRY(choose_certificate(ch));
  // psk_ke needs no key exchange, so no retry for one.
  if (ticket_ && !psk_dhe_) need_retry_ = false;
  if (!retried_) {  // a second ClientHello never has early data: the first one says why
    const bool disabled = ctx().policy().max_early_data == 0;
    negotiated_.early_data_reason = disabled         ? EarlyDataReason::kDisabled
                                    : !ch.psk        ? EarlyDataReason::kNoSessionOffered
                                    : !ticket_       ? EarlyDataReason::kSessionNotResumed
                                    : !ch.early_data ? EarlyDataReason::kPeerDeclined
                                    : need_retry_    ? EarlyDataReason::kHelloRetryRequest
                                                     : early_reason_;
  }
  // RFC 8446 §4.1.2: the second hello may drop only PSKs the retry's suite
  // cannot use; one that fits it must be offered again.
  if (retried_ && first_psk_fits_ && !ch.psk) {
    return Err(Error(Reason::kIllegalParameter, "second ClientHello dropped a PSK that fits the suite"));
  }
  if (need_retry_) {
    first_psk_fits_ = ticket_.has_value();
    ticket_.reset(), psk_accepted_.reset(), early_accepted_ = false;
  }
  if (ch.early_data && !early_accepted_ && !retried_) {
    // Rejected 0-RTT follows this hello, also when we ask for a retry; it
    // is skipped up to max_early_data_size (RFC 8446 §4.2.10). None may
    // follow a second hello (§4.1.2): nothing is skipped there.
    io_.skip_rejected_early_data(std::max<size_t>(ctx().policy().max_early_data, kMinEarlyDataSkipped));
  }
  if (need_retry_ && !retried_) first_hello_ = wire::retry_invariant(body);
  // An inner hello (ours, or one a client-facing server decrypted for us)
  // is answered with the acceptance signal (§7.2).
  confirm_ech_ = ch.ech && ch.ech->inner;
  transcript_.add(hello.whole);
  io_.message_done();
  io_.set_ccs_allowed(true);
  if (early_accepted_) {
    // 0-RTT comes under the client early traffic key, which depends on the
    // ClientHello alone (RFC 8446 §7.1).
    KeySchedule early(provider(), suite_->hash);
    SLUICE_TRY(early.start_early(ticket_->psk));
    HashValue ch_hash = current_hash(transcript_);
    SecretBytes secret = SLUICE_TRY(early.client_early_traffic_secret(ch_hash.view()));
    key_log(ctx(), "CLIENT_EARLY_TRAFFIC_SECRET", client_random_, secret);
    SLUICE_TRY(io_.rekey_read13(suite_->hash, suite_->aead, secret));
    io_.begin_early_data();
    negotiated_.early_data_accepted = true;
  }
  state_ = need_retry_ ? ServerState::kSendHelloRetryRequest : ServerState::kSendServerHello;
  return Wait::kOk;
}

TlsResult<Wait> Server13::do_send_server_hello() {
  wire::ServerHello sh;
  SLUICE_TRY(provider().random(sh.random));
  sh.legacy_session_id_echo = session_id_;
  sh.cipher_suite = suite_->id;
  sh.selected_version = wire::kTls13;
  SecretBytes shared;
  if (ticket_) sh.selected_psk = psk_index_;
  std::unique_ptr<crypto::KeyShare> share;  // its public key is sent in `sh` below
  if (!ticket_ || psk_dhe_) {
    share = SLUICE_TRY(provider().new_key_share(group_));
    shared = SLUICE_TRY(share->agree(peer_share_));
    sh.key_share = wire::KeyShareEntry{static_cast<uint16_t>(group_), share->public_key()};
  } else {
    shared = SecretBytes(crypto::hash_len(suite_->hash));  // psk_ke: zeros (RFC 8446 §7.1)
  }
  if (confirm_ech_) std::fill(sh.random.end() - wire::kEchConfirmationLen, sh.random.end(), 0);
  const MutBytes sent = SLUICE_TRY(io_.queue(sh));
  if (confirm_ech_) {
    // §7.2: the last 8 bytes of ServerHello.random.
    const size_t random_end = wire::kHandshakeHeaderLen + 2 + wire::kRandomLen;
    SLUICE_TRY(confirm_ech(kEchAcceptLabel, sent, sent.subspan(random_end - wire::kEchConfirmationLen, wire::kEchConfirmationLen)));
  }
  transcript_.add(sent);
  // RFC 8446 §D.4: in compatibility mode (the client sent a session id) the
  // server sends a CCS right after its first handshake message.
  if (!session_id_.empty() && !sent_ccs_) SLUICE_TRY(io_.send_change_cipher_spec());

  schedule_.emplace(provider(), suite_->hash);
  SLUICE_TRY(schedule_->start_early(ticket_ ? Bytes(ticket_->psk) : Bytes()));
  HashValue hello_hash = current_hash(transcript_);
  hs_secrets_ = SLUICE_TRY(schedule_->advance_with_shared_secret(shared, hello_hash.view()));
  key_log(ctx(), "CLIENT_HANDSHAKE_TRAFFIC_SECRET", client_random_, hs_secrets_.client);
  key_log(ctx(), "SERVER_HANDSHAKE_TRAFFIC_SECRET", client_random_, hs_secrets_.server);
  SLUICE_TRY(io_.rekey_write13(suite_->hash, suite_->aead, hs_secrets_.server));
  if (early_accepted_) {  // the handshake key reads after EndOfEarlyData
    handshake_read_ = SLUICE_TRY(Protection::tls13(provider(), suite_->hash, suite_->aead, hs_secrets_.client));
  } else {
    SLUICE_TRY(io_.rekey_read13(suite_->hash, suite_->aead, hs_secrets_.client));
  }
  Negotiated& n = negotiated_;
  n.resumed = ticket_.has_value();
  n.version = wire::kTls13;
  n.extended_master_secret = true;
  n.cipher_suite = sh.cipher_suite;
  // psk_ke exchanges no key: no group, whatever the client's key share said.
  n.group = share ? group_ : crypto::Group{};
  n.signature_scheme = scheme_;
  n.alpn = alpn_;
  state_ = ServerState::kSendEncryptedExtensions;
  return Wait::kOk;
}

TlsResult<Wait> Server13::do_send_encrypted_extensions() {
  wire::EncryptedExtensions ee;
  ee.supported_groups = ctx().danger_shape().encrypted_extensions_groups;
  ee.record_size_limit = record_size_limit_;
  ee.server_name_ack = sni_ack_;
  ee.alpn = alpn_;
  ee.early_data = early_accepted_;
  if (ech_declined_) {
    // §7.1: a client whose ECH we could not open learns what to retry with.
    std::vector<uint8_t> list(2);
    for (const EchKey& key : ctx().credentials().ech_keys) {
      if (key.retry) list.insert(list.end(), key.config.raw.begin(), key.config.raw.end());
    }
    list[0] = static_cast<uint8_t>((list.size() - 2) >> 8);
    list[1] = static_cast<uint8_t>(list.size() - 2);
    if (list.size() > 2) ee.ech_retry_configs = std::move(list);
  }
  transcript_.add(SLUICE_TRY(io_.queue(ee)));
  // A resumed handshake authenticates by the PSK: no certificates.
  if (ticket_) {
    state_ = ServerState::kSendFinished;
  } else {
    state_ = ctx().policy().client_auth == ClientAuth::kNone ? ServerState::kSendCertificate
                                                     : ServerState::kSendCertificateRequest;
  }
  return Wait::kOk;
}

TlsResult<Wait> Server13::do_send_certificate_request() {
  wire::CertificateRequest cr;
  const auto& advertised = ctx().danger_shape().certificate_request_schemes;
  if (!advertised.empty()) {
    requested_schemes_ = advertised;
  } else {
    for (auto sch : ctx().policy().signature_schemes) requested_schemes_.push_back(static_cast<uint16_t>(sch));
  }
  cr.signature_algorithms = requested_schemes_;
  cr.certificate_authorities = ctx().credentials().certificate_authorities;
  offered_compression_ = decompression_offer(ctx());
  cr.compress_certificate = offered_compression_;
  transcript_.add(SLUICE_TRY(io_.queue(cr)));
  state_ = ServerState::kSendCertificate;
  return Wait::kOk;
}

TlsResult<Wait> Server13::do_read_client_certificate() {
  auto m = SLUICE_TRY(io_.next_message());
  if (!m) return Wait::kReadMessage;
  std::vector<uint8_t> decompressed;
  const HandshakeMessage plain = SLUICE_TRY(uncompressed_certificate(*m, ctx(), offered_compression_, decompressed));
  auto cert = SLUICE_TRY(read_certificate(plain, {}));
  transcript_.add(m->whole);
  io_.message_done();
  if (cert.certificates.empty()) {
    // RFC 8446 §4.4.2.4: the server may go on without one, or abort.
    if (ctx().policy().client_auth == ClientAuth::kRequire) {
      return Err(Error(Reason::kCertificateRequired, "client sent no certificate"));
    }
    state_ = ServerState::kReadFinished;
    return Wait::kOk;
  }
  CertificateRequest req{cert.certificates, {}, ctx().now(), false};
  client_cert_verified_.emplace(SLUICE_TRY(ctx().credentials().verifier.get()->verify(req)));
  negotiated_.peer_chain = internals(ctx()).chain_cache.intern(std::move(cert.certificates));
  state_ = ServerState::kReadClientCertificateVerify;
  return Wait::kOk;
}

TlsResult<Wait> Server13::do_read_client_certificate_verify() {
  auto m = SLUICE_TRY(io_.next_message());
  if (!m) return Wait::kReadMessage;
  if (!client_cert_verified_) return Err(Error(Reason::kInternal, "CertificateVerify before a verified certificate"));
  auto checked = SLUICE_TRY(
      SignatureCheck::verify(*m, provider(), *client_cert_verified_, requested_schemes_, transcript_, false));
  client_sig_verified_.emplace(std::move(checked.proof));
  negotiated_.peer_signature_scheme = checked.scheme;
  transcript_.add(m->whole);
  io_.message_done();
  state_ = ServerState::kReadFinished;
  return Wait::kOk;
}

TlsResult<Wait> Server13::do_send_certificate() {
  if (!cert_) return Err(Error(Reason::kInternal, "no certificate chosen"));
  // Staples only for a client that asked (RFC 8446 §4.4.2.1).
  if (sct_requested_ && !cert_->sct_list.empty() && !wire::check_sct_list(cert_->sct_list)) {
    return Err(Error(Reason::kConfiguration, "the certificate's SCT list is malformed"));
  }
  SLUICE_TRY(queue_certificate13(io_, {}, cert_->chain, ocsp_requested_ ? Bytes(cert_->ocsp_response) : Bytes(),
                                 sct_requested_ ? Bytes(cert_->sct_list) : Bytes(), transcript_, compress_with_));
  state_ = ServerState::kSendCertificateVerify;
  return Wait::kOk;
}

TlsResult<Wait> Server13::do_send_certificate_verify() {
  if (!cert_) return Err(Error(Reason::kInternal, "no certificate chosen"));
  Wait w = SLUICE_TRY(queue_certificate_verify13(io_, *cert_->signer, scheme_, transcript_, true, pending_signature_));
  if (w == Wait::kAsync) return w;
  state_ = ServerState::kSendFinished;
  return Wait::kOk;
}

TlsResult<Wait> Server13::do_send_finished() {
  SLUICE_TRY(queue_finished13(io_, suite_->hash, hs_secrets_.server, transcript_));
  HashValue through_server_finished = current_hash(transcript_);
  auto app = SLUICE_TRY(schedule_->advance_to_master(through_server_finished.view()));
  key_log(ctx(), "CLIENT_TRAFFIC_SECRET_0", client_random_, app.client);
  key_log(ctx(), "SERVER_TRAFFIC_SECRET_0", client_random_, app.server);
  key_log(ctx(), "EXPORTER_SECRET", client_random_, schedule_->exporter_master());
  SLUICE_TRY(io_.rekey_write13(suite_->hash, suite_->aead, app.server));
  server_app_secret_ = std::move(app.server);
  client_app_secret_ = std::move(app.client);
  if (early_accepted_) {
    state_ = ServerState::kReadEndOfEarlyData;
  } else if (ctx().policy().client_auth != ClientAuth::kNone && !ticket_) {
    state_ = ServerState::kReadClientCertificate;
  } else {
    state_ = ServerState::kReadFinished;
  }
  return Wait::kOk;
}

TlsResult<Wait> Server13::do_read_end_of_early_data() {
  auto m = SLUICE_TRY(io_.next_message());
  if (!m) return Wait::kReadMessage;
  SLUICE_TRY(expect_message(*m, HandshakeType::kEndOfEarlyData));
  if (!m->body.empty()) return Err(Error(Reason::kDecodeError, "EndOfEarlyData with a body"));
  transcript_.add(m->whole);
  io_.message_done();
  io_.end_early_data();
  SLUICE_TRY(io_.install_read(SLUICE_TRY(take_proof(handshake_read_, "no handshake read key held"))));
  state_ = ServerState::kReadFinished;
  return Wait::kOk;
}

Result<void, Error> Server13::send_tickets() {
  // Tickets only for a client that said how it would use them (RFC 8446
  // §4.2.9), in a mode we accept.
  const bool usable = std::find(client_psk_modes_.begin(), client_psk_modes_.end(), 1) != client_psk_modes_.end() ||
                      (ctx().policy().allow_psk_ke &&
                       std::find(client_psk_modes_.begin(), client_psk_modes_.end(), 0) != client_psk_modes_.end());
  if (!usable) return {};
  for (unsigned i = 0; i < ctx().policy().ticket_count; ++i) {
    wire::NewSessionTicket nst;
    nst.lifetime = ctx().policy().ticket_lifetime;
    SLUICE_TRY(provider().random(MutBytes(reinterpret_cast<uint8_t*>(&nst.age_add), sizeof nst.age_add)));
    const uint8_t nonce = static_cast<uint8_t>(i);
    nst.nonce = Bytes(&nonce, 1);
    TicketState st;
    st.cipher_suite = suite_->id;
    st.psk = SLUICE_TRY(resumption_psk(provider(), suite_->hash, resumption_secret_, nst.nonce));
    st.age_add = nst.age_add;
    st.lifetime = nst.lifetime;
    st.issued_at = ctx().now();
    st.max_early_data = ctx().policy().max_early_data;
    st.alpn = alpn_;
    nst.ticket = SLUICE_TRY((*ctx().credentials().ticket_sealer).seal(provider(), st, st.issued_at));
    if (st.max_early_data > 0) nst.max_early_data = st.max_early_data;
    // RFC 8701 §3: a TLS 1.3 client must ignore it; meeting one in every
    // ticket keeps new clients honest.
    nst.grease_extension = wire::grease_value(nst.age_add);
    SLUICE_TRY(io_.queue(nst));
  }
  return {};
}

TlsResult<Wait> Server13::do_read_finished() {
  auto m = SLUICE_TRY(io_.next_message());
  if (!m) return Wait::kReadMessage;
  FinishedVerified finished =
      SLUICE_TRY(FinishedCheck::verify(*m, provider(), suite_->hash, hs_secrets_.client, transcript_));
  transcript_.add(m->whole);
  io_.message_done();
  SLUICE_TRY(io_.rekey_read13(suite_->hash, suite_->aead, client_app_secret_));
  HashValue through_client_finished = current_hash(transcript_);
  resumption_secret_ = SLUICE_TRY(schedule_->resumption_master(through_client_finished.view()));
  SLUICE_TRY(send_tickets());
  Traffic13 traffic;
  traffic.hash = suite_->hash;
  traffic.aead = suite_->aead;
  traffic.read_secret = std::move(client_app_secret_);
  traffic.write_secret = std::move(server_app_secret_);
  traffic.exporter_secret = schedule_->exporter_master().copy();
  if (pha_offered_) traffic.pha_transcript.emplace(std::move(transcript_));
  traffic.negotiated = negotiated_;
  // The client proved itself by a certificate and signature, by the PSK's
  // binder, or not at all where our policy allows that.
  std::optional<PeerAuthenticated> peer;
  if (client_sig_verified_) {
    CertVerified cert = SLUICE_TRY(take_proof(client_cert_verified_, "no verified client certificate"));
    SigVerified sig = SLUICE_TRY(take_proof(client_sig_verified_, "no verified client CertificateVerify"));
    peer.emplace(PeerAuthenticated::by_certificate(std::move(cert), std::move(sig)));
  } else if (psk_accepted_) {
    peer.emplace(PeerAuthenticated::by_psk(SLUICE_TRY(take_proof(psk_accepted_, "no accepted PSK"))));
  } else if (ctx().policy().client_auth != ClientAuth::kRequire) {
    peer.emplace(PeerAuthenticated::client_without_certificate());
  } else {
    return Err(Error(Reason::kCertificateRequired, "client did not authenticate"));
  }
  state_ = ServerState::kDone;
  SLUICE_TRY(io_.enter_traffic13(HandshakeProof{std::move(finished), std::move(*peer)}, std::move(traffic)));
  return Wait::kDone;
}

}  // namespace

std::unique_ptr<HandshakeMachine> make_server13(HandshakeIo& io) { return std::make_unique<Server13>(io); }

}  // namespace sluice
