// sluice s_server: accept TLS connections on loopback and echo what arrives
// (or, with -www / -WWW, answer one HTTP request), one connection at a time
// with openssl's command letters on stdin, or many at once on an event loop
// (-loop epoll|uring). The report of each handshake goes to stderr.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/wire/extensions.h"
#include "crypto/composite/composite_provider.h"
#include "tools/sluice/credentials.h"
#include "adapters/net/loopback.h"
#include "tools/sluice/duplex.h"
#include "tools/sluice/ech.h"
#include "tools/sluice/endpoint.h"
#include "tools/sluice/http.h"
#include "tools/sluice/keylog.h"
#include "tools/sluice/options.h"
#include "tools/sluice/report.h"
#include "tools/sluice/server_loop.h"
#include "tools/sluice/tool.h"
#include "tools/sluice/trace.h"

namespace sluice::tool {

namespace {

constexpr OptionSpec kServerSpec[] = {
    {"accept", "PORT", "listen on 127.0.0.1:PORT, or HOST:PORT on loopback ([::1]:4433); 0 picks one"},
    {"cert", "FILE", "certificate chain (PEM); repeat -cert/-key for more keys (RSA, ECDSA, Ed25519)"},
    {"key", "FILE", "the private key of the -cert before it"},
    {"cert_sni", "LIST", "SNI names the -cert before it serves (default: any name)"},
    {"status_file", "FILE", "staple FILE (a DER OCSP response) for clients that ask (status_request), every -cert"},
    {"sct_file", "FILE", "staple FILE (a SignedCertificateTimestampList, RFC 6962 §3.3) for clients that ask, every -cert"},
    {"CAfile", "FILE", "trust anchors for client certificates (PEM), also named in the certificate request; default: the system bundle"},
    {"no_ca_names", "", "do not name the -CAfile CAs in the certificate request (certificate_authorities)"},
    {"verify", "N", "request a client certificate; N is openssl's depth: the most intermediates in its chain"},
    {"Verify", "N", "require a client certificate (N as for -verify)"},
    {"num_tickets", "N", "session tickets after each handshake (default 2)"},
    {"ticket_lifetime", "SECS", "ticket lifetime (default 7200, at most 604800)"},
    {"no_ticket", "", "send no tickets"},
    {"psk_ke", "", "accept resumption without a fresh key exchange (psk_ke)"},
    {"early_data", "", "accept 0-RTT data (up to 16384 bytes, or -max_early_data)"},
    {"max_early_data", "N", "accept up to N bytes of 0-RTT data"},
    {"strict_groups", "", "insist on the first -groups entry the client supports, retrying (HRR) if needed"},
    {"hrr_cookie", "", "a HelloRetryRequest carries a cookie the second ClientHello must echo"},
    {"alpn_mismatch", "WHAT", "a client offering none of -alpn: refuse (default, no_application_protocol) or decline (no ALPN)"},
    {"ech_key", "FILE", "an Encrypted Client Hello key: the X25519 private key (binary or base64; sluice ech_keygen)"},
    {"ech_config", "FILE", "the ECHConfig of the -ech_key before it (binary or base64); repeat the pair for more keys"},
    {"ech_retry", "", "offer the -ech_config before it to clients whose ECH did not decrypt, to retry with"},
    {"naccept", "N", "exit after N connections"},
    {"loop", "KIND", "blocking (default: one connection at a time, stdin commands), epoll or uring"},
    {"www", "", "answer GET with a page saying what was negotiated"},
    {"WWW", "DIR", "serve files below DIR (refusing '..' and anything that resolves outside DIR)"},
    {"nocommands", "", "stdin lines are not commands"},
};

constexpr std::string_view kSynopsis =
    "[-accept PORT] [-cert FILE -key FILE]... [options]\n"
    "Echoes what each client sends (unless -www or -WWW). Commands on stdin (a line holding only the\n"
    "letter), to the current connection: k KeyUpdate, K KeyUpdate requesting one back, c request a\n"
    "client certificate (TLS 1.3 post-handshake auth), R HelloRequest (TLS 1.2), q close it, Q close\n"
    "it and exit. Without -cert a self-signed P-256 certificate for localhost is made.";

void say(const char* fmt, const std::string& s) { std::fprintf(stderr, fmt, s.c_str()); }

struct CertFiles {
  std::string cert, key;
  std::vector<std::string> names;
};

// cert_files pairs each -cert with the -key and -cert_sni after it.
std::optional<std::vector<CertFiles>> cert_files(const Options& opts, std::string& out_error) {
  std::vector<CertFiles> out;
  for (const auto& [name, value] : opts.in_order()) {
    if (name == "cert") {
      out.push_back({value, "", {}});
    } else if (name == "key" || name == "cert_sni") {
      if (out.empty() || (name == "key" && !out.back().key.empty())) {
        out_error = "-" + name + " '" + value + "' has no -cert before it";
        return std::nullopt;
      }
      if (name == "key") out.back().key = value;
      if (name == "cert_sni") out.back().names = split_list(value);
    }
  }
  for (const auto& c : out) {
    if (c.key.empty()) {
      out_error = "-cert '" + c.cert + "' has no -key after it";
      return std::nullopt;
    }
  }
  return out;
}

struct EchFiles {
  std::string key, config;
  bool retry = false;
};

// ech_files pairs each -ech_key with the -ech_config and -ech_retry after it.
std::optional<std::vector<EchFiles>> ech_files(const Options& opts, std::string& out_error) {
  std::vector<EchFiles> out;
  for (const auto& [name, value] : opts.in_order()) {
    if (name == "ech_key") {
      out.push_back({value, "", false});
    } else if (name == "ech_config" || name == "ech_retry") {
      if (out.empty() || (name == "ech_config" && !out.back().config.empty())) {
        out_error = "-" + name + " has no -ech_key before it";
        return std::nullopt;
      }
      if (name == "ech_config") out.back().config = value;
      if (name == "ech_retry") out.back().retry = true;
    }
  }
  for (const auto& e : out) {
    if (e.config.empty()) {
      out_error = "-ech_key '" + e.key + "' has no -ech_config after it";
      return std::nullopt;
    }
  }
  return out;
}

// www_alpn keeps the protocols -www and -WWW speak: HTTP/1.x. Offering h2
// would have a client speak HTTP/2 to a server that answers HTTP/1.0.
std::vector<std::string> www_alpn(const std::vector<std::string>& asked) {
  if (asked.empty()) return {"http/1.1", "http/1.0"};
  std::vector<std::string> kept;
  for (const auto& p : asked) {
    if (p == "http/1.1" || p == "http/1.0") {
      kept.push_back(p);
    } else {
      say("sluice: -alpn: not offering '%s': -www and -WWW speak only HTTP/1.x\n", p);
    }
  }
  return kept;
}

struct ServeSettings {
  bool www = false;
  std::string www_dir;
  bool quiet = false, brief = false, commands = true;
  bool client_auth = false;
  std::optional<ExportRequest> exported;
};

// serve_one runs one accepted connection; returns false when the server
// should stop (Q typed). `out_failed` is set on a handshake or I/O error.
bool serve_one(net::Fd fd, const std::shared_ptr<Context>& ctx, const ServeSettings& s, bool& out_failed) {
  Duplex d(std::move(fd), Connection::server(ctx));
  std::string err;
  if (!d.handshake(err)) {
    say("sluice: ERROR %s\n", err);
    out_failed = true;
    return true;
  }
  const HandshakeFacts facts{Role::kServer, s.client_auth};
  const std::string report = describe_negotiated(d.connection().negotiated(), facts, s.brief);
  if (!s.quiet) std::fprintf(stderr, "sluice: HANDSHAKE done\n%s", report.c_str());
  if (s.exported) std::fputs(describe_exported(d.connection(), *s.exported).c_str(), stderr);
  const bool had_client_certificate = !d.connection().negotiated().peer_chain.empty();
  bool keep_serving = true;
  std::string head;
  bool answered = false;
  DuplexOptions o;
  o.input_fd = !s.www && s.www_dir.empty() ? STDIN_FILENO : -1;
  o.commands = s.commands;
  o.ign_eof = true;  // the server's stdin ending closes nothing
  o.echo = !s.www && s.www_dir.empty();
  o.on_data = [&](std::span<const uint8_t> data) {
    if (!s.www && s.www_dir.empty()) {
      if (!s.quiet) {
        std::fwrite(data.data(), 1, data.size(), stdout);
        std::fflush(stdout);
      }
      d.send(std::string(reinterpret_cast<const char*>(data.data()), data.size()));
      return;
    }
    if (answered) return;
    head.append(reinterpret_cast<const char*>(data.data()), data.size());
    if (!request_complete(head)) {
      if (head.size() > kMaxRequestHead) {
        say("sluice: ERROR %s\n", "request head too large");
        answered = true;
        d.close();
      }
      return;
    }
    answered = true;
    say("sluice: REQUEST %s\n", first_line(head));
    if (s.www) {
      // The page reports the connection as it is now (a client certificate
      // sent after the handshake shows up here).
      d.send(status_page(head, describe_negotiated(d.connection().negotiated(), facts, false)));
    } else {
      int status = 0;
      d.send(file_response(head, s.www_dir, status));
      std::fprintf(stderr, "sluice: RESPONSE %d\n", status);
    }
    d.close();
  };
  o.on_command = [&](char c) {
    std::string e;
    std::function<Progress(Connection&)> op;
    const char* what = "";
    switch (c) {
      case 'k':
      case 'K':
        op = [c](Connection& conn) { return conn.key_update(c == 'K'); };
        what = c == 'K' ? "KEYUPDATE sent (update_requested)" : "KEYUPDATE sent";
        break;
      case 'c':
        op = [](Connection& conn) { return conn.request_client_certificate(); };
        what = "CERTIFICATE REQUEST sent";
        break;
      case 'R':
      case 'r':
        op = [](Connection& conn) { return conn.renegotiate(); };
        what = "HELLO REQUEST sent";
        break;
      case 'Q': keep_serving = false; [[fallthrough]];
      case 'q': d.close(); return;
      default: return;
    }
    if (d.call(op, e)) {
      say("sluice: %s\n", what);
    } else {
      say("sluice: ERROR %s\n", e);
    }
  };
  const Ending end = d.run(o, err);
  switch (end) {
    case Ending::kClean: say("sluice: %s\n", "CLOSE clean (close_notify both ways)"); break;
    case Ending::kTruncated:
      say("sluice: %s\n", "CLOSE truncated: the peer closed the transport without close_notify");
      break;
    case Ending::kError:
      say("sluice: ERROR %s\n", err);
      out_failed = true;
      break;
  }
  // A certificate that came after the handshake (command c) is reported
  // once the connection is over.
  if (!had_client_certificate && !d.connection().negotiated().peer_chain.empty()) {
    std::fprintf(stderr, "sluice: after the handshake:\n%s",
                 describe_negotiated(d.connection().negotiated(), facts, false).c_str());
  }
  return keep_serving;
}

}  // namespace

int s_server(std::span<const std::string_view> args) {
  const auto spec = with_common(kServerSpec);
  std::string err;
  auto opts = Options::parse(args, spec, err);
  if (!opts) {
    say("sluice s_server: %s\n", err);
    return 2;
  }
  if (opts->has("help")) {
    std::fputs(usage("s_server", kSynopsis, spec).c_str(), stdout);
    return 0;
  }
  auto where = parse_endpoint("accept", opts->get("accept", "4433"), true, err);
  if (!where) {
    say("sluice s_server: %s\n", err);
    return 2;
  }
  long naccept = -1;
  if (opts->has("naccept")) {
    auto n = parse_number(opts->get("naccept"), 1, 1u << 30);
    if (!n) {
      say("sluice s_server: -naccept: '%s' is not a positive number\n", opts->get("naccept"));
      return 2;
    }
    naccept = static_cast<long>(*n);
  }
  const std::string loop_kind = opts->get("loop", "blocking");
  if (loop_kind != "blocking" && loop_kind != "epoll" && loop_kind != "uring") {
    say("sluice s_server: -loop: unknown loop '%s' (blocking, epoll, uring)\n", loop_kind);
    return 2;
  }
  ServeSettings settings;
  settings.www = opts->has("www");
  settings.www_dir = opts->get("WWW");
  settings.quiet = opts->has("quiet");
  settings.brief = opts->has("brief");
  settings.commands = !opts->has("nocommands");
  settings.exported = parse_export(*opts, err);
  if (!err.empty()) {
    say("sluice s_server: %s\n", err);
    return 2;
  }
  if (settings.www && !settings.www_dir.empty()) {
    say("sluice s_server: %s\n", "-www and -WWW: choose one");
    return 2;
  }

  auto provider = crypto::default_provider();
  auto ctx = std::make_shared<Context>(Role::kServer, provider);
  if (!apply_common(*opts, *ctx, err)) {
    say("sluice s_server: %s\n", err);
    return 2;
  }
  if (settings.www || !settings.www_dir.empty()) ctx->set_alpn(www_alpn(ctx->policy().alpn));
  auto files = cert_files(*opts, err);
  if (!files) {
    say("sluice s_server: %s\n", err);
    return 2;
  }
  if (files->empty()) {
    std::string dir;
    if (!generate_self_signed(dir, err)) {
      say("sluice s_server: %s\n", err);
      return 1;
    }
    files->push_back({dir + "/cert.pem", dir + "/key.pem", {}});
    say("sluice: no -cert given: generated a self-signed P-256 certificate %s (pin it with -pin)\n",
        files->back().cert);
  }
  std::vector<uint8_t> ocsp_response;
  if (opts->has("status_file")) {
    std::string der;
    if (!read_option_file("status_file", opts->get("status_file"), der, err)) {
      say("sluice s_server: %s\n", err);
      return 1;
    }
    if (der.empty()) {
      say("sluice s_server: -status_file: %s is empty (a DER OCSP response)\n", opts->get("status_file"));
      return 1;
    }
    ocsp_response.assign(der.begin(), der.end());
  }
  std::vector<uint8_t> sct_list;
  if (opts->has("sct_file")) {
    std::string list;
    if (!read_option_file("sct_file", opts->get("sct_file"), list, err)) {
      say("sluice s_server: %s\n", err);
      return 1;
    }
    sct_list.assign(list.begin(), list.end());
    if (!wire::check_sct_list(sct_list)) {
      say("sluice s_server: -sct_file: %s is not a SignedCertificateTimestampList (length-prefixed SCTs)\n",
          opts->get("sct_file"));
      return 1;
    }
  }
  for (const auto& f : *files) {
    CertifiedKey ck;
    if (!load_certified_key(*provider, f.cert, f.key, ck, err)) {
      say("sluice s_server: %s\n", err);
      return 1;
    }
    ck.server_names = f.names;
    ck.ocsp_response = ocsp_response;
    ck.sct_list = sct_list;
    ctx->add_certificate(std::move(ck));
  }
  auto ech = ech_files(*opts, err);
  if (!ech) {
    say("sluice s_server: %s\n", err);
    return 2;
  }
  for (const auto& e : *ech) {
    std::vector<uint8_t> key, config;
    if (!read_ech_input("ech_key", e.key, false, key, err) || !read_ech_input("ech_config", e.config, false, config, err)) {
      say("sluice s_server: %s\n", err);
      return 1;
    }
    if (auto added = ctx->add_ech_key(config, key, e.retry); !added) {
      say("sluice s_server: %s\n", "-ech_config " + e.config + ": " + added.error().detail);
      return 1;
    }
  }
  if (opts->has("verify") || opts->has("Verify")) {
    const char* option = opts->has("Verify") ? "Verify" : "verify";
    auto depth = parse_number(opts->get(option), 0, 1u << 30);
    if (!depth) {
      say("sluice s_server: %s\n", "-" + std::string(option) + ": '" + opts->get(option) + "' is not a depth (0 or more)");
      return 2;
    }
    auto verifier = make_verifier(provider, opts->get("CAfile"), "", err, *depth);
    if (!verifier) {
      say("sluice s_server: %s\n", err);
      return 1;
    }
    ctx->set_verifier(std::move(verifier));
    ctx->set_client_auth(opts->has("Verify") ? ClientAuth::kRequire : ClientAuth::kRequest);
    settings.client_auth = true;
  } else if (opts->has("CAfile")) {
    // Post-handshake requests (command c) check certificates against it.
    auto verifier = make_verifier(provider, opts->get("CAfile"), "", err);
    if (!verifier) {
      say("sluice s_server: %s\n", err);
      return 1;
    }
    ctx->set_verifier(std::move(verifier));
    settings.client_auth = true;
  }
  if (settings.client_auth && opts->has("CAfile") && !opts->has("no_ca_names")) {
    // As openssl s_server: the client may pick its certificate by them.
    std::vector<std::vector<uint8_t>> names;
    if (!ca_names(opts->get("CAfile"), names, err)) {
      say("sluice s_server: -CAfile: %s\n", err);
      return 1;
    }
    ctx->set_certificate_authorities(std::move(names));
  }
  if (opts->has("num_tickets")) {
    auto n = parse_number(opts->get("num_tickets"), 0, 16);
    if (!n) {
      say("sluice s_server: -num_tickets: '%s' is not in 0..16\n", opts->get("num_tickets"));
      return 2;
    }
    ctx->set_ticket_count(static_cast<unsigned>(*n));
  }
  if (opts->has("no_ticket")) ctx->set_ticket_count(0);
  if (opts->has("ticket_lifetime")) {
    auto n = parse_number(opts->get("ticket_lifetime"), 1, 604800);
    if (!n) {
      say("sluice s_server: -ticket_lifetime: '%s' is not in 1..604800\n", opts->get("ticket_lifetime"));
      return 2;
    }
    ctx->set_ticket_lifetime(static_cast<uint32_t>(*n));
  }
  if (opts->has("psk_ke")) ctx->set_allow_psk_ke(true);
  if (opts->has("early_data")) ctx->set_max_early_data(16384);
  if (opts->has("max_early_data")) {
    auto n = parse_number(opts->get("max_early_data"), 0, 1u << 30);
    if (!n) {
      say("sluice s_server: -max_early_data: '%s' is not a number of bytes\n", opts->get("max_early_data"));
      return 2;
    }
    ctx->set_max_early_data(static_cast<uint32_t>(*n));
  }
  if (opts->has("strict_groups")) ctx->set_strict_group_preference(true);
  if (opts->has("hrr_cookie")) {
    // Fresh random bytes each retry; the engine refuses a second hello
    // that does not echo them.
    ctx->set_hello_retry_cookie([provider] {
      std::vector<uint8_t> cookie(32);
      if (!provider->random(cookie)) cookie.clear();
      return cookie;
    });
  }
  if (opts->has("alpn_mismatch")) {
    const std::string what = opts->get("alpn_mismatch");
    if (what != "refuse" && what != "decline") {
      say("sluice s_server: -alpn_mismatch: '%s' is not refuse or decline\n", what);
      return 2;
    }
    if (what == "decline") {
      // The context's list in its order, as without a selector; only a
      // client with none of it is answered differently: without ALPN.
      ctx->set_alpn_selector([protocols = ctx->policy().alpn](std::span<const std::string> offered)
                                 -> TlsResult<std::optional<std::string>> {
        for (const auto& p : protocols) {
          if (std::find(offered.begin(), offered.end(), p) != offered.end()) return std::optional<std::string>(p);
        }
        return std::optional<std::string>();
      });
    }
  }
  if (!install_key_log(*ctx, opts->get("keylogfile"))) return 1;
  if (opts->has("msg") || opts->has("trace"))
    install_trace(*ctx, opts->has("trace") ? TraceDetail::kFields : TraceDetail::kMessages);

  auto listener = net::listen_on(where->addresses.front());
  if (!listener) {
    say("sluice s_server: %s\n", listener.error().describe());
    return 1;
  }
  auto bound = net::SocketAddress::of_socket(listener->get());
  if (!bound) return 1;
  // Printed once listening, like openssl s_server: scripts wait for it.
  std::printf("ACCEPT %s\n", bound->to_string().c_str());
  std::fflush(stdout);

  if (loop_kind != "blocking") {
    return serve_on_loop(loop_kind, std::move(*listener), ctx,
                         {naccept, settings.www, settings.quiet, settings.client_auth, settings.exported});
  }
  bool failed = false;
  for (long served = 0; naccept < 0 || served < naccept; ++served) {
    auto fd = net::accept_one(listener->get());
    if (!fd) {
      say("sluice s_server: %s\n", fd.error().describe());
      return 1;
    }
    if (!serve_one(std::move(*fd), ctx, settings, failed)) break;
  }
  return failed ? 1 : 0;
}

}  // namespace sluice::tool
