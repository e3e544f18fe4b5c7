#include "tests/bogo/flags.h"

#include <cstdlib>
#include <string_view>

#include "pki/pem.h"

namespace sluice::bogo {

namespace {

// Flags the shim honours, by type. An int-list flag may repeat; each
// occurrence appends.
struct BoolFlag {
  const char* name;
  bool Config::*field;
};
struct IntFlag {
  const char* name;
  int Config::*field;
};
struct StringFlag {
  const char* name;
  std::string Config::*field;
};
struct IntListFlag {
  const char* name;
  std::vector<int> Config::*field;
};
struct StringListFlag {
  const char* name;
  std::vector<std::string> Config::*field;
};

constexpr BoolFlag kBoolFlags[] = {
    {"-server", &Config::is_server},
    {"-ipv6", &Config::ipv6},
    {"-async", &Config::async},
    {"-no-tls1", &Config::no_tls1},
    {"-no-tls11", &Config::no_tls11},
    {"-no-tls12", &Config::no_tls12},
    {"-no-tls13", &Config::no_tls13},
    {"-shim-writes-first", &Config::shim_writes_first},
    {"-shim-shuts-down", &Config::shim_shuts_down},
    {"-check-close-notify", &Config::check_close_notify},
    {"-implicit-handshake", &Config::implicit_handshake},
    {"-no-op-extra-handshake", &Config::no_op_extra_handshake},
    {"-key-update", &Config::key_update},
    {"-peek-then-read", &Config::peek_then_read},
    {"-partial-write", &Config::partial_write},
    {"-fallback-scsv", &Config::fallback_scsv},
    {"-decline-alpn", &Config::decline_alpn},
    {"-reject-alpn", &Config::reject_alpn},
    {"-select-empty-alpn", &Config::select_empty_alpn},
    {"-require-any-client-certificate", &Config::require_any_client_certificate},
    {"-verify-peer", &Config::verify_peer},
    {"-verify-fail", &Config::verify_fail},
    {"-use-custom-verify-callback", &Config::use_custom_verify_callback},
    {"-reverify-on-resume", &Config::reverify_on_resume},
    {"-enable-early-data", &Config::enable_early_data},
    {"-no-ticket", &Config::no_ticket},
    {"-use-export-context", &Config::use_export_context},
    {"-expect-session-miss", &Config::expect_session_miss},
    {"-expect-hrr", &Config::expect_hrr},
    {"-expect-extended-master-secret", &Config::expect_extended_master_secret},
    {"-expect-ech-accept", &Config::expect_ech_accept},
    {"-enable-ech-grease", &Config::enable_ech_grease},
    {"-enable-grease", &Config::enable_grease},
    {"-expect-no-ech-retry-configs", &Config::expect_no_ech_retry_configs},
    {"-expect-no-ech-name-override", &Config::expect_no_ech_name_override},
    {"-expect-no-session-id", &Config::expect_no_session_id},
    {"-expect-no-session", &Config::expect_no_session},
    {"-expect-no-hrr", &Config::expect_no_hrr},
    {"-expect-accept-early-data", &Config::expect_accept_early_data},
    {"-expect-reject-early-data", &Config::expect_reject_early_data},
    {"-expect-ticket-supports-early-data", &Config::expect_ticket_supports_early_data},
    {"-enable-ocsp-stapling", &Config::enable_ocsp_stapling},
    {"-renegotiate-once", &Config::renegotiate_once},
    {"-renegotiate-freely", &Config::renegotiate_freely},
    {"-renegotiate-explicit", &Config::renegotiate_explicit},
    {"-use-ocsp-callback", &Config::use_ocsp_callback},
    {"-set-ocsp-in-callback", &Config::set_ocsp_in_callback},
    {"-decline-ocsp-callback", &Config::decline_ocsp_callback},
    {"-fail-ocsp-callback", &Config::fail_ocsp_callback},
    {"-enable-signed-cert-timestamps", &Config::enable_signed_cert_timestamps},
    {"-install-cert-compression-algs", &Config::install_cert_compression_algs},
};

constexpr IntFlag kIntFlags[] = {
    {"-port", &Config::port},
    {"-resume-count", &Config::resume_count},
    {"-min-version", &Config::min_version},
    {"-max-version", &Config::max_version},
    {"-expect-version", &Config::expect_version},
    {"-resumption-delay", &Config::resumption_delay},
    {"-expect-curve-id", &Config::expect_curve_id},
    {"-expect-peer-signature-algorithm", &Config::expect_peer_signature_algorithm},
    {"-expect-cipher", &Config::expect_cipher},
    {"-expect-cipher-aes", &Config::expect_cipher_aes},
    {"-expect-cipher-no-aes", &Config::expect_cipher_no_aes},
    {"-export-keying-material", &Config::export_keying_material},
    {"-max-send-fragment", &Config::max_send_fragment},
    {"-read-size", &Config::read_size},
    {"-expect-total-renegotiations", &Config::expect_total_renegotiations},
    {"-install-one-cert-compression-alg", &Config::install_one_cert_compression_alg},
};

constexpr StringFlag kStringFlags[] = {
    {"-key-file", &Config::key_file},
    {"-cert-file", &Config::cert_file},
    {"-trust-cert", &Config::trust_cert},
    {"-host-name", &Config::host_name},
    {"-advertise-alpn", &Config::advertise_alpn},
    {"-select-alpn", &Config::select_alpn},
    {"-expect-advertised-alpn", &Config::expect_advertised_alpn},
    {"-cipher", &Config::cipher},
    {"-export-label", &Config::export_label},
    {"-export-context", &Config::export_context},
    {"-expect-alpn", &Config::expect_alpn},
    {"-expect-server-name", &Config::expect_server_name},
    {"-ech-config-list", &Config::ech_config_list},
    {"-expect-ech-retry-configs", &Config::expect_ech_retry_configs},
    {"-expect-ech-name-override", &Config::expect_ech_name_override},
    {"-expect-early-data-reason", &Config::expect_early_data_reason},
    {"-expect-peer-cert-file", &Config::expect_peer_cert_file},
    {"-ocsp-response", &Config::ocsp_response},
    {"-signed-cert-timestamps", &Config::signed_cert_timestamps},
    {"-expect-ocsp-response", &Config::expect_ocsp_response},
    {"-expect-signed-cert-timestamps", &Config::expect_signed_cert_timestamps},
};

constexpr IntListFlag kIntListFlags[] = {
    {"-curves", &Config::curves},
    {"-signing-prefs", &Config::signing_prefs},
    {"-verify-prefs", &Config::verify_prefs},
    {"-ech-is-retry-config", &Config::ech_is_retry_config},
};

// Repeated string flags: each occurrence appends.
constexpr StringListFlag kStringListFlags[] = {
    {"-ech-server-config", &Config::ech_server_configs},
    {"-ech-server-key", &Config::ech_server_keys},
};

// Flags whose effect is already sluice's behaviour for TLS 1.3, so taking
// them changes nothing: `arg` says whether a value follows.
struct NoOpFlag {
  const char* name;
  bool arg;
  const char* why;
};
constexpr NoOpFlag kNoOpFlags[] = {
    // BoringSSL reports a successful verification as the result whenever
    // the handshake succeeded.
    {"-expect-verify-result", false, "a handshake that succeeded was verified"},
    // -renegotiate-ignore: BoringSSL's client drops each HelloRequest
    // without a word. sluice has no silent mode: its default policy
    // declines each with a no_renegotiation warning (RFC 5746 §4.2), which
    // the runner drops as it drops every warning, so the connection goes on
    // as the tests passing the flag expect (Renegotiate-Client-Ignore with
    // no renegotiation counted, the Shutdown-Shim-HelloRequest-Ignore and
    // SendHalfHelloRequest tests). A fifth declined HelloRequest ends the
    // connection (kMaxRenegotiationRefusals) where BoringSSL would go on;
    // no test sends that many. In TLS 1.3 a HelloRequest is
    // unexpected_message either way.
    {"-renegotiate-ignore", false, "HelloRequests declined with a warning; the connection goes on"},
    // TLS 1.3 has no renegotiation. The TLS 1.2 test of this flag expects
    // a fatal refusal and is disabled in config.json (sluice's is a warning).
    {"-forbid-renegotiation-after-handshake", false, "no renegotiation in TLS 1.3"},
    // Hints exist only for split handshakes, which the shim does not offer.
    {"-allow-hint-mismatch", false, "no split handshakes"},
    // BoringSSL's old callback hands over the same -key-file/-cert-file
    // credentials that the shim configures directly.
    {"-use-old-client-cert-callback", false, "the credentials are configured"},
    // BoringSSL's early (select-certificate) and DDoS callbacks, installed
    // without -fail-early-callback / -fail-ddos-callback, accept every
    // ClientHello: sluice's server does the same without them.
    {"-use-early-callback", false, "an accepting ClientHello callback"},
    {"-install-ddos-callback", false, "an accepting ClientHello callback"},
    // TLS 1.2 server cipher preference: TLS 1.3 suites are not affected.
    {"-server-preference", false, "TLS 1.2 only"},
};

// Flags the shim knows but cannot honour with sluice's API: exit 89.
struct UnsupportedFlag {
  const char* name;
  bool arg;
  const char* why;
};
constexpr UnsupportedFlag kUnsupported[] = {
    {"-dtls", false, "never: DTLS"},
    {"-quic", false, "never: QUIC"},
    {"-psk", true, "not yet: external PSKs"},
    {"-psk-identity", true, "not yet: external PSKs"},
    {"-application-settings", true, "never: ALPS"},
    {"-expect-peer-application-settings", true, "never: ALPS"},
    {"-alps-use-new-codepoint", false, "never: ALPS"},
    {"-defer-alps", false, "never: ALPS"},
    {"-enable-channel-id", false, "never: Channel ID"},
    {"-send-channel-id", true, "never: Channel ID"},
    {"-expect-channel-id", true, "never: Channel ID"},
    {"-verify-peer-if-no-obc", false, "never: Channel ID"},
    {"-advertise-npn", true, "never: NPN"},
    {"-select-next-proto", true, "never: NPN"},
    {"-expect-next-proto", true, "never: NPN"},
    {"-false-start", false, "not yet: TLS 1.2 (False Start)"},
    {"-allow-false-start-without-alpn", false, "not yet: TLS 1.2 (False Start)"},
    {"-srtp-profiles", true, "never: DTLS-SRTP"},
    {"-mtu", true, "never: DTLS"},
    {"-initial-timeout-duration-ms", true, "never: DTLS"},
    {"-quic-transport-params", true, "never: QUIC"},
    {"-expect-quic-transport-params", true, "never: QUIC"},
    {"-quic-use-legacy-codepoint", true, "never: QUIC"},
    {"-quic-early-data-context", true, "never: QUIC"},
    {"-fips-202205", false, "never: compliance policies"},
    {"-wpa-202304", false, "never: compliance policies"},
    {"-handoff", false, "never: split handshakes"},
    {"-handshaker-path", true, "never: split handshakes"},
    {"-handshake-hints", false, "never: split handshakes"},
    {"-delegated-credential", true, "not yet: delegated credentials"},
    {"-expect-delegated-credential-used", false, "not yet: delegated credentials"},
    {"-expect-no-offer-early-data", false, "not yet: no early-data offer report"},
    {"-early-write-after-message", true, "not yet: no hook between handshake messages"},
    {"-expect-ticket-age-skew", true, "not yet: no ticket age skew report"},
    {"-use-ticket-callback", false, "not yet: no ticket callback"},
    {"-renew-ticket", false, "not yet: no ticket callback"},
    {"-expect-ticket-renewal", false, "not yet: no ticket callback"},
    {"-ticket-key", true, "not yet: ticket keys are sluice's own format"},
    {"-expect-session-id", false, "not yet: TLS 1.2 session IDs"},
    {"-expect-secure-renegotiation", false, "not yet: TLS 1.2"},
    {"-expect-no-secure-renegotiation", false, "not yet: TLS 1.2"},
    {"-tls-unique", false, "not yet: TLS 1.2"},
    {"-cbc-record-splitting", false, "never: CBC"},
    {"-write-different-record-sizes", false, "never: CBC record sizes"},
    {"-export-traffic-secrets", false, "not yet: no traffic secret export"},
    {"-use-exporter-between-reads", false, "not yet: exporter between reads"},
    {"-expect-peer-verify-pref", true, "not yet: peer's verify prefs not reported"},
    {"-allow-unknown-alpn-protos", false, "never: RFC 7301 §3.2: a protocol the client did not offer is refused"},
    {"-use-client-ca-list", true, "not yet: CA list from the shim's flags"},
    {"-expect-client-ca-list", true, "not yet: no CA list report"},
    {"-expect-certificate-types", true, "not yet: TLS 1.2 certificate types"},
    {"-fail-cert-callback", false, "not yet: certificate callback"},
    {"-fail-early-callback", false, "not yet: ClientHello callback"},
    {"-fail-ddos-callback", false, "not yet: ClientHello callback"},
    {"-retain-only-sha256-client-cert", false, "never: BoringSSL-only certificate hashing"},
    {"-expect-sha256-client-cert", false, "never: BoringSSL-only certificate hashing"},
    {"-expect-key-usage-invalid", false, "not yet: key usage report"},
    {"-ignore-rsa-key-usage", false, "not yet: key usage policy"},
    {"-expect-msg-callback", true, "not yet: message callback"},
    {"-send-alert", false, "not yet: sending an arbitrary alert"},
    {"-read-with-unfinished-write", false, "not yet: read during an unfinished write"},
    {"-max-cert-list", true, "not yet: certificate list size limit"},
    {"-handshake-never-done", false, "never: BoringSSL handshake loop hook"},
    {"-handshake-twice", false, "not yet: second SSL_do_handshake semantics"},
    {"-jdk11-workaround", false, "never: JDK 11 workaround"},
    {"-permute-extensions", false, "not yet: extension permutation"},
    {"-wait-for-debugger", false, "never: debugger"},
    {"-write-settings", true, "never: handshaker settings"},
    {"-geometry", true, "never: debugger"},
    {"-export-early-keying-material", true, "not yet: early exporter"},
};

enum class Kind { kUnknown, kBool, kInt, kString, kIntList, kStringList, kNoOp, kUnsupported };

struct Lookup {
  Kind kind = Kind::kUnknown;
  size_t index = 0;
};

template <class T, size_t N>
bool find_in(const T (&table)[N], std::string_view name, size_t& out) {
  for (size_t i = 0; i < N; ++i) {
    if (name == table[i].name) {
      out = i;
      return true;
    }
  }
  return false;
}

Lookup lookup(std::string_view name) {
  Lookup l;
  if (find_in(kBoolFlags, name, l.index)) l.kind = Kind::kBool;
  else if (find_in(kIntFlags, name, l.index)) l.kind = Kind::kInt;
  else if (find_in(kStringFlags, name, l.index)) l.kind = Kind::kString;
  else if (find_in(kIntListFlags, name, l.index)) l.kind = Kind::kIntList;
  else if (find_in(kStringListFlags, name, l.index)) l.kind = Kind::kStringList;
  else if (find_in(kNoOpFlags, name, l.index)) l.kind = Kind::kNoOp;
  else if (find_in(kUnsupported, name, l.index)) l.kind = Kind::kUnsupported;
  return l;
}

bool takes_value(const Lookup& l) {
  switch (l.kind) {
    case Kind::kBool: return false;
    case Kind::kInt:
    case Kind::kString:
    case Kind::kIntList:
    case Kind::kStringList: return true;
    case Kind::kNoOp: return kNoOpFlags[l.index].arg;
    case Kind::kUnsupported: return kUnsupported[l.index].arg;
    case Kind::kUnknown: return false;
  }
  return false;
}

bool parse_int(const std::string& s, int& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  const long v = std::strtol(s.c_str(), &end, 10);
  if (*end != '\0') return false;
  out = static_cast<int>(v);
  return true;
}

// Which connections a flag reaches.
enum class Scope { kAll, kInitial, kResume, kRetry };

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

ParseResult parse_flags(const std::vector<std::string>& args) {
  ParseResult r;
  auto fail = [&](const std::string& flag, bool unknown, std::string why) {
    r.ok = false;
    r.flag = flag;
    r.unknown = unknown;
    r.why = std::move(why);
    return r;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i];
    if (name == "-is-handshaker-supported") {
      r.handshaker_query = true;
      r.ok = true;
      return r;
    }
    Scope scope = Scope::kAll;
    bool handshaker_only = false;
    // -on-shim- and -on-handshaker- split a test between the shim and a
    // separate handshaker process; without split handshakes the shim is
    // the whole of it, and the handshaker's flags reach nobody.
    if (starts_with(name, "-on-shim-")) name = "-" + name.substr(9);
    else if (starts_with(name, "-on-handshaker-")) {
      name = "-" + name.substr(15);
      handshaker_only = true;
    }
    if (starts_with(name, "-on-initial-")) {
      scope = Scope::kInitial;
      name = "-" + name.substr(12);
    } else if (starts_with(name, "-on-resume-")) {
      scope = Scope::kResume;
      name = "-" + name.substr(11);
    } else if (starts_with(name, "-on-retry-")) {
      scope = Scope::kRetry;
      name = "-" + name.substr(10);
    }
    if (name == "-shim-id") {
      // A 64-bit value, read apart from the int table.
      if (i + 1 >= args.size()) return fail(args[i], false, "missing value");
      const int64_t id = std::strtoll(args[++i].c_str(), nullptr, 10);
      r.initial.shim_id = r.resume.shim_id = r.retry.shim_id = id;
      continue;
    }
    const Lookup l = lookup(name);
    if (l.kind == Kind::kUnknown) return fail(args[i], true, "unknown flag");
    std::string value;
    if (takes_value(l)) {
      if (i + 1 >= args.size()) return fail(args[i], false, "missing value");
      value = args[++i];
    }
    if (handshaker_only) continue;
    if (l.kind == Kind::kUnsupported) return fail(args[i - (takes_value(l) ? 1 : 0)], false, kUnsupported[l.index].why);
    if (l.kind == Kind::kNoOp) continue;

    Config* targets[3] = {nullptr, nullptr, nullptr};
    switch (scope) {
      case Scope::kAll: targets[0] = &r.initial, targets[1] = &r.resume, targets[2] = &r.retry; break;
      case Scope::kInitial: targets[0] = &r.initial; break;
      case Scope::kResume: targets[0] = &r.resume; break;
      case Scope::kRetry: targets[0] = &r.retry; break;
    }
    int n = 0;
    if ((l.kind == Kind::kInt || l.kind == Kind::kIntList) && !parse_int(value, n)) {
      return fail(args[i - 1], false, "not a number: " + value);
    }
    for (Config* c : targets) {
      if (!c) continue;
      switch (l.kind) {
        case Kind::kBool: c->*(kBoolFlags[l.index].field) = true; break;
        case Kind::kInt: c->*(kIntFlags[l.index].field) = n; break;
        case Kind::kString: c->*(kStringFlags[l.index].field) = value; break;
        case Kind::kIntList: (c->*(kIntListFlags[l.index].field)).push_back(n); break;
        case Kind::kStringList: (c->*(kStringListFlags[l.index].field)).push_back(value); break;
        case Kind::kNoOp:
        case Kind::kUnsupported:
        case Kind::kUnknown: break;
      }
    }
  }
  r.ok = true;
  return r;
}

}  // namespace sluice::bogo
