#include "tests/bogo/shim_context.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "core/verifier.h"
#include "crypto/async/async_provider.h"
#include "crypto/composite/composite_provider.h"
#include "pki/keys.h"
#include "pki/pem.h"
#include "pki/x509.h"
#include "tests/bogo/cert_compression.h"

namespace sluice::bogo {

namespace {

constexpr int kExitUnimplemented = 89;
// BoringSSL accepts at most this much 0-RTT data (its kMaxEarlyDataAccepted).
constexpr uint32_t kMaxEarlyData = 14336;

[[noreturn]] void unimplemented(const std::string& why) {
  std::fprintf(stderr, "unimplemented: %s\n", why.c_str());
  std::exit(kExitUnimplemented);
}

// ShimVerifier plays BoringSSL's shim verify callback: it accepts any chain
// whose end-entity key sluice can check (the runner's certificates are
// test-only), unless -verify-fail asks it to refuse. The handshake still
// checks CertificateVerify against the key the token carries.
class ShimVerifier final : public CertificateVerifier {
 public:
  ShimVerifier(bool fail, bool custom, bool fail_ocsp, std::shared_ptr<std::string> verified_name)
      : fail_(fail), custom_(custom), fail_ocsp_(fail_ocsp), verified_name_(std::move(verified_name)) {}
  TlsResult<CertVerified> verify(const CertificateRequest& req) const override {
    // What BoringSSL's SSL_get0_ech_name_override tells its callback: the
    // name checked, which ECH's rejection changes to the public name.
    if (req.peer_is_server) verified_name_->assign(req.server_name);
    if (fail_ocsp_) {
      // BoringSSL's client OCSP callback runs staple or not; refusing, it
      // sends bad_certificate_status_response (RFC 6066 §8).
      Error e(Reason::kBadCertificate, "OCSP callback refused the status");
      e.alert = Alert::kBadCertificateStatusResponse;
      return Err(e);
    }
    if (fail_) {
      // The alerts BoringSSL sends for a refusal by its verify callback
      // (handshake_failure) and by a custom verifier (certificate_unknown).
      Error e(Reason::kBadCertificate, "-verify-fail");
      e.alert = custom_ ? Alert::kCertificateUnknown : Alert::kHandshakeFailure;
      return Err(e);
    }
    if (req.chain.empty()) return Err(Error(Reason::kBadCertificate, "empty chain"));
    auto cert = pki::parse_certificate(req.chain.front());
    if (!cert) {
      // BoringSSL answers a leaf it cannot parse with decode_error.
      Error e = std::move(cert).error();
      e.alert = Alert::kDecodeError;
      return Err(e);
    }
    if (!cert->key_supported) return Err(Error(Reason::kUnsupportedCertificate, "end-entity key type"));
    // TLS 1.3 authenticates only by signature: a key usage extension must
    // allow digitalSignature (RFC 5280 §4.2.1.3), as BoringSSL enforces.
    if (cert->key_usage && !(*cert->key_usage & (1u << static_cast<unsigned>(pki::KeyUsageBit::kDigitalSignature)))) {
      return Err(Error(Reason::kBadCertificate, "key usage without digitalSignature"));
    }
    return CertVerified::assertion(cert->public_key);
  }

 private:
  bool fail_, custom_, fail_ocsp_;
  std::shared_ptr<std::string> verified_name_;
};

}  // namespace

std::vector<uint8_t> base64_flag(const std::string& value, const char* flag) {
  if (value.empty()) return {};
  auto decoded = pki::base64_decode(value);
  if (!decoded) {
    std::fprintf(stderr, "%s: not base64\n", flag);
    std::exit(1);
  }
  return std::move(*decoded);
}

namespace {

// alpn_list reads an ALPN list in wire format (length-prefixed names), as
// -advertise-alpn and -expect-advertised-alpn pass it.
std::vector<std::string> alpn_list(const std::string& w) {
  std::vector<std::string> names;
  for (size_t i = 0; i < w.size();) {
    const size_t len = static_cast<uint8_t>(w[i]);
    if (i + 1 + len > w.size()) break;
    names.push_back(w.substr(i + 1, len));
    i += 1 + len;
  }
  return names;
}

bool known_group(int id) {
  return id == static_cast<int>(crypto::Group::kSecp256r1) || id == static_cast<int>(crypto::Group::kSecp384r1) ||
         id == static_cast<int>(crypto::Group::kSecp521r1) || id == static_cast<int>(crypto::Group::kX25519);
}

CertifiedKey load_credentials(const Config& c, const crypto::Provider& provider) {
  CertifiedKey ck;
  auto cert_text = pki::read_text_file(c.cert_file);
  auto key_text = pki::read_text_file(c.key_file);
  if (!cert_text || !key_text) {
    std::fprintf(stderr, "cannot read %s or %s\n", c.cert_file.c_str(), c.key_file.c_str());
    std::exit(1);
  }
  auto chain = pki::pem_certificates(*cert_text);
  if (!chain) unimplemented("not yet: certificate in " + c.cert_file);
  auto key = pki::parse_private_key_pem(*key_text);
  if (!key) unimplemented("not yet: key type of " + c.key_file);
  auto signer = provider.new_signer(*key);
  if (!signer) unimplemented("not yet: signing with the key of " + c.key_file);
  ck.chain = std::move(*chain);
  ck.signer = std::shared_ptr<crypto::Signer>(std::move(*signer));
  // A server OCSP callback that declines staples nothing this handshake.
  if (!(c.use_ocsp_callback && c.decline_ocsp_callback)) ck.ocsp_response = base64_flag(c.ocsp_response, "-ocsp-response");
  ck.sct_list = base64_flag(c.signed_cert_timestamps, "-signed-cert-timestamps");
  return ck;
}

// set_schemes maps -signing-prefs and -verify-prefs onto the Context's one
// list, which is both what we offer to verify and what we sign with, in
// preference order. -verify-prefs is exact (the peer must use one of them);
// -signing-prefs puts its schemes first and keeps the others after, so the
// list we advertise for the peer's signature stays BoringSSL's default.
void set_schemes(const Config& c, Context& ctx) {
  std::vector<crypto::SignatureScheme> list;
  auto add = [&](crypto::SignatureScheme s) {
    if (std::find(list.begin(), list.end(), s) == list.end()) list.push_back(s);
  };
  if (!c.verify_prefs.empty()) {
    for (int s : c.verify_prefs) add(static_cast<crypto::SignatureScheme>(s));
    // A server also signs: the schemes its own key needs come after.
    if (c.is_server && ctx.certificate().signer) {
      for (auto s : ctx.policy().signature_schemes) {
        if (ctx.certificate().signer->supports(s)) add(s);
      }
    }
  } else if (!c.signing_prefs.empty()) {
    for (int s : c.signing_prefs) add(static_cast<crypto::SignatureScheme>(s));
    // The defaults follow, less RSA PKCS#1 v1.5: on this one list for signing
    // and verifying they would let an RSA key sign with a PKCS#1 scheme the
    // peer prefers over the one -signing-prefs names.
    using S = crypto::SignatureScheme;
    for (S s : ctx.policy().signature_schemes) {
      if (s != S::kRsaPkcs1Sha256 && s != S::kRsaPkcs1Sha384 && s != S::kRsaPkcs1Sha512) add(s);
    }
  } else {
    // BoringSSL's default verify list (its kVerifySignatureAlgorithms,
    // less the SHA-1 schemes sluice does not have): no Ed25519, ECDSA P-521
    // or rsa_pss_pss unless -verify-prefs asks. It signs with whatever its
    // own key needs, so those follow when our key uses them.
    using S = crypto::SignatureScheme;
    for (S s : {S::kEcdsaSecp256r1Sha256, S::kRsaPssRsaeSha256, S::kRsaPkcs1Sha256, S::kEcdsaSecp384r1Sha384,
                S::kRsaPssRsaeSha384, S::kRsaPkcs1Sha384, S::kRsaPssRsaeSha512, S::kRsaPkcs1Sha512}) {
      add(s);
    }
    const crypto::Signer* own = ctx.certificate().signer.get();
    for (auto s : ctx.policy().signature_schemes) {
      if (own && own->supports(s)) add(s);
    }
  }
  ctx.set_signature_schemes(std::move(list));
}

}  // namespace

void RecordingSessionStore::put(std::string_view server_name, Session s) {
  last_early_ = s.max_early_data > 0;
  ++stored_;
  inner_.put(server_name, std::move(s));
}

std::optional<Session> RecordingSessionStore::take(std::string_view server_name) { return inner_.take(server_name); }

bool ShimState::init(const Config& initial, std::string& out_why) {
  start_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch()).count();
  base_ = crypto::default_provider();
  async_ = std::shared_ptr<const crypto::Provider>(crypto::make_async_provider(base_));
  (void)initial;
  (void)out_why;
  return true;
}

std::string unsupported_config(const Config& c) {
  if ((c.max_version != 0 && c.max_version < 0x0303) || (c.no_tls12 && c.no_tls13)) {
    return "never: TLS 1.1 and below";
  }
  if (c.min_version > 0x0304) return "unknown minimum version";
  // The shim sees the sessions a client stores; a server's are its tickets.
  if (c.expect_no_session && c.is_server) return "not yet: a server's session report";
  if (c.is_server && c.use_ocsp_callback && c.fail_ocsp_callback) return "not yet: a server callback that fails the handshake";
  for (int g : c.curves) {
    if (g == 21) return "never: P-224";
    if (!known_group(g)) return "not yet: group " + std::to_string(g);
  }
  for (const auto* list : {&c.signing_prefs, &c.verify_prefs}) {
    for (int s : *list) {
      if (!crypto::known_scheme(static_cast<crypto::SignatureScheme>(s))) return "not yet: signature scheme " + std::to_string(s);
    }
  }
  if (!c.signing_prefs.empty() && !c.verify_prefs.empty() && c.signing_prefs != c.verify_prefs) {
    return "not yet: separate signing and verifying preferences (Context has one list)";
  }
  return "";
}

std::shared_ptr<const Context> build_context(const Config& c, const ShimState& state) {
  auto provider = state.provider(c.async);
  auto ctx = std::make_shared<Context>(c.is_server ? Role::kServer : Role::kClient, provider);
  long mode = 0;
  if (c.async) mode |= kModeAsync;
  if (c.partial_write) mode |= kModeEnablePartialWrite;
  if (c.fallback_scsv) mode |= kModeSendFallbackScsv;
  ctx->set_mode(mode);
  // Versions: BoringSSL's numbers are the wire's (0x0303, 0x0304); below
  // TLS 1.2 there is nothing to offer.
  uint16_t min = wire::kTls12, max = wire::kTls13;
  if (c.min_version > min) min = static_cast<uint16_t>(c.min_version);
  if (c.max_version != 0 && c.max_version < max) max = static_cast<uint16_t>(c.max_version);
  if (c.no_tls13) max = wire::kTls12;
  if (c.no_tls12) min = wire::kTls13;
  ctx->set_min_version(min);
  ctx->set_max_version(max);

  // Like BoringSSL's shim, a clock that stands still except for
  // -resumption-delay, so that ticket ages are exact.
  auto offset = state.clock_offset_ms();
  const int64_t start_ms = state.start_ms();
  ctx->set_clock_ms([offset, start_ms] { return start_ms + offset->load(); });

  if (!c.curves.empty()) {
    std::vector<crypto::Group> groups;
    for (int g : c.curves) groups.push_back(static_cast<crypto::Group>(g));
    ctx->set_groups(std::move(groups));
  } else {
    // BoringSSL's default groups (P-521 only on request).
    ctx->set_groups({crypto::Group::kX25519, crypto::Group::kSecp256r1, crypto::Group::kSecp384r1});
  }
  // A BoringSSL server takes its most preferred group even when the client
  // did not predict it, at the cost of a HelloRetryRequest.
  if (c.is_server) ctx->set_strict_group_preference(true);
  if (!c.key_file.empty() && !c.cert_file.empty()) ctx->set_certificate(load_credentials(c, *provider));
  set_schemes(c, *ctx);
  // A BoringSSL client without -verify-peer verifies in "soft fail" mode:
  // a refusal is recorded, not fatal.
  const bool hard_fail = c.verify_fail && (c.is_server || c.verify_peer);
  const bool fail_ocsp = !c.is_server && c.use_ocsp_callback && c.fail_ocsp_callback;
  ctx->set_verifier(
      std::make_shared<ShimVerifier>(hard_fail, c.use_custom_verify_callback, fail_ocsp, state.verified_name()));
  ctx->set_reverify_on_resume(c.reverify_on_resume);
  if (c.max_send_fragment > 0) ctx->set_max_send_fragment(static_cast<size_t>(c.max_send_fragment));
  if (c.renegotiate_once) ctx->set_renegotiation(Renegotiation::kOnce);
  if (c.renegotiate_freely) ctx->set_renegotiation(Renegotiation::kFreely);
  if (c.renegotiate_explicit) ctx->set_renegotiation(Renegotiation::kExplicit);
  ctx->set_request_ocsp(c.enable_ocsp_stapling);
  ctx->set_ech_grease(c.enable_ech_grease);
  ctx->set_grease(c.enable_grease);
  if (c.ech_server_configs.size() != c.ech_server_keys.size() ||
      c.ech_server_configs.size() != c.ech_is_retry_config.size()) {
    std::fprintf(stderr, "-ech-server-config, -ech-server-key and -ech-is-retry-config must come in threes\n");
    std::exit(1);
  }
  for (size_t i = 0; i < c.ech_server_configs.size(); ++i) {
    auto added = ctx->add_ech_key(base64_flag(c.ech_server_configs[i], "-ech-server-config"),
                                  base64_flag(c.ech_server_keys[i], "-ech-server-key"), c.ech_is_retry_config[i] != 0);
    if (!added.ok()) {
      std::fprintf(stderr, "ECH key refused: %s\n", added.error().detail);
      std::exit(1);
    }
  }
  ctx->set_request_sct(c.enable_signed_cert_timestamps);
  install_cert_compression(c, *ctx);
  // BoringSSL's client uses middlebox compatibility mode by default, and
  // neither side requires the extended master secret.
  ctx->set_middlebox_compat(true);
  ctx->set_require_extended_master_secret(false);

  if (c.is_server) {
    // BoringSSL's preference on a CPU with AES instructions: AES-GCM
    // before ChaCha20-Poly1305, in each version.
    std::vector<wire::CipherSuite> suites = ctx->policy().cipher_suites;
    std::stable_partition(suites.begin(), suites.end(), [](wire::CipherSuite s) {
      return s != wire::CipherSuite::kChaCha20Poly1305Sha256 && s != wire::CipherSuite::kEcdheRsaChaCha20Poly1305Sha256 &&
             s != wire::CipherSuite::kEcdheEcdsaChaCha20Poly1305Sha256;
    });
    ctx->set_cipher_suites(std::move(suites));
    if (c.require_any_client_certificate) ctx->set_client_auth(ClientAuth::kRequire);
    else if (c.verify_peer) ctx->set_client_auth(ClientAuth::kRequest);
    // BoringSSL's shim answers ALPN from a callback: sluice's selector.
    if (!c.select_alpn.empty() || c.decline_alpn || c.reject_alpn || c.select_empty_alpn ||
        !c.expect_advertised_alpn.empty()) {
      ctx->set_alpn_selector([c](std::span<const std::string> offered) -> TlsResult<std::optional<std::string>> {
        if (!c.expect_advertised_alpn.empty() && alpn_list(c.expect_advertised_alpn) != std::vector(offered.begin(), offered.end())) {
          std::fprintf(stderr, "bad ALPN advertised\n");
          std::exit(1);
        }
        if (c.reject_alpn) return Err(Error(Reason::kNoApplicationProtocol, "-reject-alpn"));
        if (c.select_empty_alpn) return std::optional<std::string>(std::string());
        if (c.decline_alpn || c.select_alpn.empty()) return std::optional<std::string>();
        return std::optional<std::string>(c.select_alpn);
      });
    }
    // Ticket keys are shared by the test's connections, so that the runner
    // can resume. -no-ticket (SSL_OP_NO_TICKET) neither sends tickets nor
    // accepts them: keys of this connection's own cannot open any.
    if (c.no_ticket) ctx->set_ticket_count(0);
    else ctx->set_ticket_sealer(state.tickets());
    // So is the TLS 1.2 session-ID cache, as BoringSSL's SSL_CTX keeps one
    // for all of them.
    ctx->set_session_id_cache(state.session_ids());
    if (c.enable_early_data) ctx->set_max_early_data(kMaxEarlyData);
  } else {
    if (auto alpn = alpn_list(c.advertise_alpn); !alpn.empty()) ctx->set_alpn(std::move(alpn));
    ctx->set_session_store(state.sessions());
    if (c.enable_early_data) ctx->set_enable_early_data(true);
  }
  return ctx;
}

}  // namespace sluice::bogo
