// The BoGo shim: sluice as BoringSSL's test runner drives it
// (../shared/bogo/README.md, "The shim protocol"). Flags are parsed by
// flags.cc, the transport loop is driver.cc, the error names errors.cc;
// this file builds the contexts, runs each connection and checks the
// -expect-* flags.
//
// Exit status: 0 success; 1 a TLS or check failure (the BoringSSL-style
// error name on stderr); 89 a flag or feature sluice cannot honour.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/connection.h"
#include "core/context.h"
#include "crypto/async/async_provider.h"
#include "crypto/composite/composite_provider.h"
#include "pki/keys.h"
#include "pki/pem.h"
#include "tests/bogo/driver.h"
#include "tests/bogo/errors.h"
#include "tests/bogo/flags.h"
#include "tests/bogo/shim_context.h"

namespace sluice::bogo {
namespace {

constexpr int kExitUnimplemented = 89;

[[noreturn]] void unimplemented(const std::string& why) {
  std::fprintf(stderr, "unimplemented: %s\n", why.c_str());
  std::exit(kExitUnimplemented);
}

[[noreturn]] void fail(const std::string& why) {
  std::fprintf(stderr, "%s\n", why.c_str());
  std::exit(1);
}

// tls12_would_be_negotiated: the handshake failed because the peer speaks
// only TLS 1.2 or below, where BoringSSL (with these flags) would have
// gone on in TLS 1.2. sluice has no TLS 1.2 yet: such a test is not
// implemented rather than failed.
bool tls12_would_be_negotiated(const Config& c, const Connection& conn, const Error& e) {
  if (c.no_tls12 || c.min_version > 0x0303) return false;
  if (conn.handshake_done()) return false;
  // A client offering only TLS 1.3 to a TLS 1.2 server hears protocol_version.
  if (!c.is_server && e.origin == Origin::kReceived && e.alert == Alert::kProtocolVersion) return true;
  if (e.reason != Reason::kNoSharedVersion) return false;
  const std::string_view d = e.detail ? e.detail : "";
  return d.find("server chose TLS 1.2") != std::string_view::npos ||
         d.find("client does not offer TLS 1.3") != std::string_view::npos;
}

void report_tls_failure(const Config& c, const Connection& conn, const Driver& d, const char* what,
                        bool offered_psk = true) {
  const Error& e = conn.error();
  if (e.ok()) {
    const bool stuck = d.transport_error().rfind("engine stuck", 0) == 0;
    fail(std::string(stuck ? ":ENGINE_STUCK: " : ":UNEXPECTED_EOF: ") + what + ": " +
         (d.transport_error().empty() ? "transport failed" : d.transport_error()));
  }
  if (tls12_would_be_negotiated(c, conn, e)) unimplemented("not yet: TLS 1.2 (" + std::string(e.detail) + ")");
  // BoringSSL names a handshake_failure alert in answer to the ClientHello
  // apart; before a ServerHello nothing has been negotiated.
  if (!c.is_server && e.origin == Origin::kReceived && e.alert == Alert::kHandshakeFailure &&
      conn.negotiated().version == 0) {
    fail(":HANDSHAKE_FAILURE_ON_CLIENT_HELLO: " + describe_error(e) + " in " + what);
  }
  // Names that depend on what happened before the error: after a
  // HelloRetryRequest a wrong version is the second ServerHello's, and a PSK
  // selected when none was offered is an unexpected extension.
  const std::string_view detail = e.detail ? e.detail : "";
  if (e.origin == Origin::kLocal && d.sniffer().hello_retry_request() &&
      detail.find("version that was not offered") != std::string_view::npos) {
    fail(":SECOND_SERVERHELLO_VERSION_MISMATCH: " + describe_error(e) + " in " + what);
  }
  if (e.origin == Origin::kLocal && !offered_psk && detail.find("PSK that was not offered") != std::string_view::npos) {
    fail(":UNEXPECTED_EXTENSION: " + describe_error(e) + " in " + what);
  }
  fail(describe_error(e) + " in " + what);
}

// write_all writes `data` in full (partial writes looped).
bool write_all(Driver& d, Connection& conn, std::span<const uint8_t> data) {
  while (!data.empty()) {
    const Progress p = d.run([&] { return conn.write(data); });
    if (p.status != Status::kOk) return false;
    data = data.subspan(p.bytes);
  }
  return true;
}

void check_expectations(const Config& c, const Connection& conn, bool is_resume, ShimState& state) {
  const Negotiated& n = conn.negotiated();
  if (c.expect_version && n.version != c.expect_version) {
    fail("version mismatch: " + std::to_string(n.version) + " != " + std::to_string(c.expect_version));
  }
  if (c.expect_extended_master_secret && !n.extended_master_secret) fail("no extended master secret");
  if (!c.expect_alpn.empty() && n.alpn != c.expect_alpn) fail("ALPN mismatch: '" + n.alpn + "' != '" + c.expect_alpn + "'");
  if (c.expect_alpn.empty() && c.advertise_alpn.empty() && c.select_alpn.empty() && !n.alpn.empty()) {
    fail("unexpected ALPN: " + n.alpn);
  }
  if (!c.expect_server_name.empty() && n.server_name != c.expect_server_name) {
    fail("server name mismatch: '" + n.server_name + "' != '" + c.expect_server_name + "'");
  }
  if (c.expect_curve_id && static_cast<int>(n.group) != c.expect_curve_id) {
    fail("curve mismatch: " + std::to_string(static_cast<int>(n.group)) + " != " + std::to_string(c.expect_curve_id));
  }
  if (c.expect_peer_signature_algorithm) {
    // A resumed session reports the scheme of the handshake that made it,
    // as BoringSSL keeps it in the session.
    const int got = n.resumed ? state.full_handshake_scheme : static_cast<int>(n.peer_signature_scheme);
    if (got != c.expect_peer_signature_algorithm) fail("peer signature algorithm mismatch: " + std::to_string(got));
  }
  if (c.expect_cipher && n.cipher_suite != c.expect_cipher) {
    fail("cipher mismatch: " + std::to_string(n.cipher_suite) + " != " + std::to_string(c.expect_cipher));
  }
  if (c.expect_cipher_aes && n.cipher_suite != c.expect_cipher_aes) {
    fail("cipher mismatch: " + std::to_string(n.cipher_suite) + " != " + std::to_string(c.expect_cipher_aes));
  }
  const bool expect_resumed = is_resume && !c.expect_session_miss;
  if (n.resumed != expect_resumed) {
    fail(n.resumed ? "session unexpectedly reused" : "session unexpectedly not reused");
  }
  if (!c.expect_early_data_reason.empty() && name(n.early_data_reason) != c.expect_early_data_reason) {
    fail("early data reason " + std::string(name(n.early_data_reason)) + " != " + c.expect_early_data_reason);
  }
  // A sluice server keeps no session state (tickets only), so a session
  // never has a stateful session id. A client cannot tell.
  if (c.expect_no_session_id && !c.is_server) unimplemented("not yet: a client's session id is not reported");
  if (!c.expect_ocsp_response.empty() && n.peer_ocsp_response != base64_flag(c.expect_ocsp_response, "-expect-ocsp-response")) {
    fail("OCSP response mismatch");
  }
  if (!c.expect_signed_cert_timestamps.empty() &&
      n.peer_sct_list != base64_flag(c.expect_signed_cert_timestamps, "-expect-signed-cert-timestamps")) {
    fail("SCT list mismatch");
  }
  if (c.expect_ech_accept != n.ech_accepted) fail(n.ech_accepted ? "ECH was accepted unexpectedly" : "ECH was not accepted");
  if (c.expect_accept_early_data && !n.early_data_accepted) fail("early data was not accepted");
  if (c.expect_reject_early_data && n.early_data_accepted) fail("early data was not rejected");
  if (!c.expect_peer_cert_file.empty()) {
    auto text = pki::read_text_file(c.expect_peer_cert_file);
    if (!text) fail("cannot read " + c.expect_peer_cert_file);
    auto chain = pki::pem_certificates(*text);
    if (!chain) fail("no certificate in " + c.expect_peer_cert_file);
    const CertificateChain& got = n.peer_chain;
    bool same = got.size() == chain->size();
    for (size_t i = 0; same && i < got.size(); ++i) same = got[i] == (*chain)[i];
    if (!same) fail("peer certificate chain does not match " + c.expect_peer_cert_file);
  }
}

// check_ech_name: the name the last server chain was verified for is the
// host name, or (ECH rejected) the config's public name.
void check_ech_name(const Config& c, const ShimState& state) {
  const std::string& name = *state.verified_name();
  if (name.empty()) return;  // nothing verified in this connection
  if (!c.expect_ech_name_override.empty() && name != c.expect_ech_name_override) {
    fail("ECH name override: verified '" + name + "', expected '" + c.expect_ech_name_override + "'");
  }
  if (c.expect_no_ech_name_override && name != c.host_name) fail("ECH name override unexpected: verified '" + name + "'");
}

// check_retry_configs: what a server that declined ECH offered.
void check_retry_configs(const Config& c, const Connection& conn) {
  const auto got = conn.ech_retry_configs();
  if (c.expect_no_ech_retry_configs && !got.empty()) fail("ECH retry configs unexpectedly present");
  if (!c.expect_ech_retry_configs.empty()) {
    const auto want = base64_flag(c.expect_ech_retry_configs, "-expect-ech-retry-configs");
    if (!std::equal(got.begin(), got.end(), want.begin(), want.end())) fail("ECH retry configs mismatch");
  }
}

// check_after_exchange checks what is known only once the peer's
// post-handshake messages (tickets) were read.
void check_after_exchange(const Config& c, const ShimState& state, int sessions_before) {
  if (c.expect_ticket_supports_early_data && !c.is_server && !state.last_session_allows_early_data()) {
    fail("the session does not allow early data");
  }
  if (c.expect_no_session && state.sessions_stored() != sessions_before) fail("a session was stored, but none was expected");
}

// exchange is what the shim does once its handshake is done: write first
// when asked, then echo every byte XOR 0xff until the peer closes, then send
// close_notify.
void exchange(const Config& c, Connection& conn, Driver& d, bool early_data_written) {
  if (c.export_keying_material > 0) {
    // RFC 8446 §7.5 / RFC 5705: the runner reads what we export and
    // compares it with its own.
    std::vector<uint8_t> out(static_cast<size_t>(c.export_keying_material));
    const auto* ctx_bytes = reinterpret_cast<const uint8_t*>(c.export_context.data());
    std::optional<std::span<const uint8_t>> context;
    if (c.use_export_context) context = std::span<const uint8_t>(ctx_bytes, c.export_context.size());
    if (conn.export_keying_material(c.export_label, context, out).status != Status::kOk) {
      fail("failed to export keying material " + describe_error(conn.error()));
    }
    if (!write_all(d, conn, out)) report_tls_failure(c, conn, d, "write");
  }
  if (c.no_op_extra_handshake) {
    // In 0.5-RTT the extra call must change nothing: it still waits for
    // the client's Finished.
    const Progress p = conn.handshake();
    const bool half_rtt = !conn.handshake_done() && p.status == Status::kWantRead;
    if (!half_rtt && d.run([&] { return conn.handshake(); }).status != Status::kOk) {
      report_tls_failure(c, conn, d, "extra handshake");
    }
  }
  if (c.key_update) {
    if (d.run([&] { return conn.key_update(false); }).status != Status::kOk) report_tls_failure(c, conn, d, "key update");
  }
  if (c.shim_writes_first && !(early_data_written && conn.negotiated().early_data_accepted)) {
    static constexpr uint8_t kHello[] = {'h', 'e', 'l', 'l', 'o'};
    if (!write_all(d, conn, kHello)) report_tls_failure(c, conn, d, "write");
  }
  if (c.shim_shuts_down) {
    Progress p = d.run([&] { return conn.shutdown(); });
    if (c.check_close_notify) {
      // The peer's close_notify must follow ours: kWantRead until it does.
      if (p.status != Status::kOk) {
        fail("Unexpected SSL_shutdown result: -1 != 1 " + (conn.error().ok() ? d.transport_error() : describe_error(conn.error())));
      }
    }
    return;
  }
  std::vector<uint8_t> buf(c.read_size > 0 ? static_cast<size_t>(c.read_size) : 512);
  // Replies to a burst of TLS 1.3 KeyUpdates wait for our next write, as
  // BoringSSL's do; in TLS 1.2 what a read produces (a renegotiation's
  // hello, a no_renegotiation warning) goes out at once.
  const bool eager = conn.negotiated().version != 0x0304;
  int explicit_renegotiations = 0;
  while (true) {
    std::vector<uint8_t> peeked;
    if (c.peek_then_read) {
      // SSL_peek: a read into no buffer drives the connection until data
      // is ready; readable() shows it in place without consuming it.
      const Progress p = d.run([&] { return conn.read(std::span<uint8_t>()); }, eager);
      if (p.status == Status::kZeroReturn) break;
      if (p.status != Status::kOk) report_tls_failure(c, conn, d, "peek");
      const auto view = conn.readable();
      if (view.empty()) continue;
      peeked.assign(view.begin(), view.begin() + static_cast<ptrdiff_t>(std::min(view.size(), buf.size())));
    }
    const auto want = c.peek_then_read ? std::span<uint8_t>(buf.data(), peeked.size()) : std::span<uint8_t>(buf);
    const Progress p = d.run([&] {
      // -renegotiate-explicit: BoringSSL's SSL_read says WANT_RENEGOTIATE
      // and the shim calls SSL_renegotiate; here read() stops on the
      // HelloRequest and renegotiate() answers it.
      const Progress r = conn.read(want);
      if (r.status != Status::kWantRead || !c.renegotiate_explicit || !conn.renegotiation_requested()) return r;
      ++explicit_renegotiations;
      const Progress started = conn.renegotiate();
      return started.status == Status::kOk ? conn.read(want) : started;
    }, eager);
    if (p.status == Status::kZeroReturn) break;
    if (p.status != Status::kOk) report_tls_failure(c, conn, d, "read");
    if (c.peek_then_read && !std::equal(peeked.begin(), peeked.end(), buf.begin())) fail("peeked data differs from what was read");
    for (size_t i = 0; i < p.bytes; ++i) buf[i] ^= 0xff;
    if (!write_all(d, conn, std::span<const uint8_t>(buf.data(), p.bytes))) report_tls_failure(c, conn, d, "write");
  }
  if (c.renegotiate_explicit && explicit_renegotiations != conn.renegotiations()) {
    fail("Performed " + std::to_string(conn.renegotiations()) + " renegotiations, but triggered " +
         std::to_string(explicit_renegotiations) + " of them");
  }
  const Progress p = d.run([&] { return conn.shutdown(); });
  if (p.status == Status::kError && c.check_close_notify) report_tls_failure(c, conn, d, "shutdown");
}

// run_connection runs one connection with config `c`; a client whose 0-RTT
// was rejected goes on with `retry` (BoringSSL's shim switches to its
// -on-retry- config after SSL_reset_early_data_reject).
void run_connection(const Config& c, const Config& retry, ShimState& state, bool is_resume) {
  state.verified_name()->clear();
  std::shared_ptr<const Context> ctx = build_context(c, state);
  std::string err;
  const int fd = connect_to_runner(c.port, c.ipv6, c.shim_id, err);
  if (fd < 0) fail(err);
  const int sessions_before = state.sessions_stored();
  Connection conn = c.is_server ? Connection::server(ctx) : Connection::client(ctx, c.host_name);
  Driver d(fd, conn, c.async, c.is_server);
  if (!c.ech_config_list.empty() &&
      conn.set_ech_config_list(base64_flag(c.ech_config_list, "-ech-config-list")).status != Status::kOk) {
    fail(":INVALID_ECH_CONFIG_LIST: " + describe_error(conn.error()));
  }

  bool early_data_written = false;
  if (!c.is_server && c.enable_early_data && is_resume && c.shim_writes_first && state.has_session()) {
    static constexpr uint8_t kHello[] = {'h', 'e', 'l', 'l', 'o'};
    const Progress p = conn.write_early(kHello);
    early_data_written = p.status == Status::kOk && p.bytes == sizeof kHello;
  }
  if (early_data_written && c.export_keying_material > 0) {
    // BoringSSL's client returns from SSL_do_handshake once its 0-RTT data
    // is out; an export there finds the handshake not complete (and sluice
    // refuses it the same way).
    std::vector<uint8_t> out(static_cast<size_t>(c.export_keying_material));
    if (conn.export_keying_material(c.export_label, std::nullopt, out).status != Status::kOk) {
      fail(":HANDSHAKE_NOT_COMPLETE: " + describe_error(conn.error()));
    }
    fail("keying material exported while 0-RTT data was in flight");
  }
  // A client offers a PSK only when it holds a session from before.
  const bool offered_psk = c.is_server || state.has_session();
  const Progress handshake = d.run([&] {
    const Progress p = conn.handshake();
    // A server that accepted 0-RTT goes on once its flight is out, as
    // BoringSSL's SSL_do_handshake returns there: the exchange reads the
    // early data and answers it before the client's Finished (0.5-RTT).
    if (p.status == Status::kWantRead && c.is_server && conn.negotiated().early_data_accepted) {
      return Progress{Status::kOk, 0};
    }
    return p;
  });
  const Config& after = early_data_written && !conn.negotiated().early_data_accepted ? retry : c;
  check_ech_name(after, state);
  if (handshake.status != Status::kOk) {
    if (conn.error().reason == Reason::kEchRejected) check_retry_configs(after, conn);
    report_tls_failure(c, conn, d, "handshake", offered_psk);
  }
  check_expectations(after, conn, is_resume, state);
  if (after.expect_hrr && !d.sniffer().hello_retry_request()) fail("no HelloRetryRequest was sent");
  if (after.expect_no_hrr && d.sniffer().hello_retry_request()) fail("a HelloRetryRequest was sent");
  if (!conn.negotiated().resumed) state.full_handshake_scheme = static_cast<int>(conn.negotiated().peer_signature_scheme);
  exchange(after, conn, d, early_data_written);
  check_after_exchange(after, state, sessions_before);
  if (conn.renegotiations() != after.expect_total_renegotiations) {
    fail("renegotiations: " + std::to_string(conn.renegotiations()) + " != " + std::to_string(after.expect_total_renegotiations));
  }
  ::close(fd);
}

int shim_main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  ParseResult parsed = parse_flags(args);
  if (parsed.handshaker_query) {
    std::printf("No\n");
    return 0;
  }
  if (!parsed.ok) {
    std::fprintf(stderr, "%s flag %s: %s\n", parsed.unknown ? "unknown" : "unsupported", parsed.flag.c_str(),
                 parsed.why.c_str());
    return kExitUnimplemented;
  }
  for (const Config* c : {&parsed.initial, &parsed.resume}) {
    const std::string why = unsupported_config(*c);
    if (!why.empty()) unimplemented(why);
  }
  ShimState state;
  std::string why;
  if (!state.init(parsed.initial, why)) {
    if (why.rfind("unimplemented: ", 0) == 0) unimplemented(why.substr(15));
    fail(why);
  }
  for (int i = 0; i <= parsed.initial.resume_count; ++i) {
    const bool is_resume = i > 0;
    if (is_resume) state.advance_clock(parsed.resume.resumption_delay);
    run_connection(is_resume ? parsed.resume : parsed.initial, parsed.retry, state, is_resume);
  }
  return 0;
}

}  // namespace
}  // namespace sluice::bogo

int main(int argc, char** argv) { return sluice::bogo::shim_main(argc, argv); }
