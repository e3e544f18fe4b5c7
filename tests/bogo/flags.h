// The BoGo shim's flags: what the runner (BoringSSL's ssl/test/runner) may
// pass, parsed from tables of names by type. One Config per connection:
// flags prefixed -on-initial-, -on-resume- or -on-retry- reach only that
// connection. The retry config (a client whose 0-RTT was rejected goes on
// with it) has the unprefixed and -on-retry- flags only, as BoringSSL's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sluice::bogo {

struct Config {
  // Transport and roles.
  bool is_server = false;
  bool ipv6 = false;
  int port = 0;
  int64_t shim_id = 0;
  int resume_count = 0;
  bool async = false;

  // Credentials.
  std::string key_file, cert_file, trust_cert;

  // Versions (BoringSSL's protocol-version numbers: 771 TLS 1.2, 772 TLS 1.3).
  int min_version = 0, max_version = 0, expect_version = 0;
  bool no_tls1 = false, no_tls11 = false, no_tls12 = false, no_tls13 = false;

  // Application behaviour.
  bool shim_writes_first = false;
  bool shim_shuts_down = false;
  bool check_close_notify = false;
  bool implicit_handshake = false;
  bool no_op_extra_handshake = false;
  bool key_update = false;
  bool peek_then_read = false;
  bool partial_write = false;
  bool fallback_scsv = false;
  int resumption_delay = 0;

  // Negotiation inputs.
  std::string host_name;
  std::string advertise_alpn;  // wire format: length-prefixed names
  std::string select_alpn;
  bool decline_alpn = false, reject_alpn = false, select_empty_alpn = false;
  std::string expect_advertised_alpn;  // wire format
  std::vector<int> curves;
  std::vector<int> signing_prefs, verify_prefs;
  bool require_any_client_certificate = false;
  bool verify_peer = false;
  bool verify_fail = false;
  bool use_custom_verify_callback = false;
  bool reverify_on_resume = false;
  bool enable_early_data = false;
  bool enable_ocsp_stapling = false, enable_signed_cert_timestamps = false;
  bool renegotiate_once = false, renegotiate_freely = false;  // a client answers a HelloRequest
  bool renegotiate_explicit = false;  // the application answers a HelloRequest (renegotiate())
  int max_send_fragment = 0;
  int read_size = 0;  // the most one read() asks for (default 512)
  // A server's ECH keys: the i-th config (base64 ECHConfig) goes with the
  // i-th key and the i-th retry flag.
  std::vector<std::string> ech_server_configs, ech_server_keys;
  std::vector<int> ech_is_retry_config;
  std::string ech_config_list;  // base64 ECHConfigList a client offers ECH with
  bool enable_ech_grease = false;
  bool enable_grease = false;
  // The runner's mock certificate compression algorithms: all, or one by id.
  bool install_cert_compression_algs = false;
  int install_one_cert_compression_alg = 0;
  // BoringSSL's OCSP callbacks: the client's judges the staple (sluice: the
  // verifier, which sees it); the server's decides per handshake whether to
  // staple (sluice: what the certificate carries).
  bool use_ocsp_callback = false, set_ocsp_in_callback = false, decline_ocsp_callback = false, fail_ocsp_callback = false;
  bool no_ticket = false;
  std::string cipher;  // TLS 1.2 cipher string: no effect on TLS 1.3
  int export_keying_material = 0;
  std::string export_label, export_context;
  bool use_export_context = false;

  // Expectations checked after the handshake.
  std::string expect_alpn, expect_server_name, expect_peer_cert_file;
  // base64, as the runner passes them
  std::string ocsp_response, signed_cert_timestamps, expect_ocsp_response, expect_signed_cert_timestamps;
  int expect_curve_id = 0;
  int expect_peer_signature_algorithm = 0;
  int expect_cipher_aes = 0, expect_cipher_no_aes = 0;
  int expect_cipher = 0;
  std::string expect_early_data_reason;
  bool expect_no_session_id = false;
  bool expect_no_session = false;  // the client stores no session from this connection
  bool expect_hrr = false, expect_no_hrr = false;
  bool expect_extended_master_secret = false;
  bool expect_ech_accept = false;
  std::string expect_ech_retry_configs, expect_ech_name_override;  // base64; a name
  bool expect_no_ech_retry_configs = false, expect_no_ech_name_override = false;
  bool expect_session_miss = false;
  bool expect_accept_early_data = false;
  bool expect_reject_early_data = false;
  bool expect_ticket_supports_early_data = false;
  int expect_total_renegotiations = 0;
};

// Outcome of parsing the command line.
struct ParseResult {
  bool ok = false;
  // handshaker_query: the runner asked -is-handshaker-supported.
  bool handshaker_query = false;
  // When !ok: the flag at fault and whether it is unknown (else known but
  // not honoured by sluice).
  std::string flag;
  bool unknown = false;
  std::string why;
  Config initial, resume, retry;
};

// parse_flags reads argv (without argv[0]).
ParseResult parse_flags(const std::vector<std::string>& args);

}  // namespace sluice::bogo
