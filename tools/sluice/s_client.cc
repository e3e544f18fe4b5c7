// sluice s_client: connect to a TLS server on loopback, then move data both
// ways at once (stdin to the server, the server to stdout) until either side
// closes, with openssl's command letters on stdin. The report goes to stderr.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/wire/ech.h"
#include "crypto/composite/composite_provider.h"
#include "tools/sluice/credentials.h"
#include "tools/sluice/duplex.h"
#include "tools/sluice/ech.h"
#include "tools/sluice/endpoint.h"
#include "tools/sluice/keylog.h"
#include "tools/sluice/options.h"
#include "tools/sluice/report.h"
#include "tools/sluice/session_file.h"
#include "tools/sluice/tool.h"
#include "tools/sluice/trace.h"

namespace sluice::tool {

namespace {

constexpr OptionSpec kClientSpec[] = {
    {"connect", "HOST:PORT", "the server: 127.0.0.1:4433, [::1]:4433 or a name that resolves to loopback"},
    {"servername", "NAME", "SNI to send (default: the -connect host unless it is an IP literal)"},
    {"noservername", "", "send no SNI"},
    {"verify_hostname", "NAME", "check the certificate for NAME instead of the SNI name"},
    {"CAfile", "FILE", "trust anchors (PEM); default: the system bundle"},
    {"pin", "FILE", "accept exactly the first certificate in FILE instead"},
    {"cert", "FILE", "client certificate chain (PEM), also offered for post-handshake auth"},
    {"key", "FILE", "its private key (PEM)"},
    {"sess_out", "FILE", "save the newest session (ticket) to FILE"},
    {"sess_in", "FILE", "resume the session saved in FILE"},
    {"reconnect", "", "then connect 5 more times, resuming each time"},
    {"early_data", "FILE", "send FILE as 0-RTT data (needs -sess_in or -reconnect)"},
    {"psk_ke", "", "offer resumption without a fresh key exchange (psk_ke)"},
    {"reverify_on_resume", "", "on resumption, check the session's server chain again (trust may have changed)"},
    {"status", "", "ask the server to staple an OCSP response (status_request); the report gives its size"},
    {"ct", "", "ask the server for signed certificate timestamps (signed_certificate_timestamp)"},
    {"enable_pha", "", "offer post-handshake authentication (answered with -cert, or with no certificate); -cert implies it"},
    {"middlebox_compat", "", "TLS 1.3 middlebox compatibility mode: a session id and change_cipher_spec (RFC 8446 §D.4)"},
    {"renegotiation", "WHEN", "TLS 1.2: answer a server's HelloRequest never (default, no_renegotiation), once or freely"},
    {"ech_config_list", "FILE|BASE64",
     "offer Encrypted Client Hello with an ECHConfigList: a file (binary or base64) or base64 itself"},
    {"ech_retry_out", "FILE", "when the server rejects ECH, write the retry configs it sent (an ECHConfigList) to FILE"},
    {"ech_grease", "", "without a usable ECH config, send a random encrypted_client_hello (GREASE ECH)"},
    {"grease", "", "GREASE (RFC 8701): reserved values among the hello's suites, groups, versions and extensions"},
    {"ign_eof", "", "stdin EOF does not close; wait for the server to close"},
    {"nocommands", "", "stdin lines k, K, R, Q are data, not commands"},
};

constexpr std::string_view kSynopsis =
    "-connect HOST:PORT [options]\n"
    "Moves stdin to the server and the server to stdout at the same time.\n"
    "Commands on stdin (a line holding only the letter): k KeyUpdate, K KeyUpdate requesting one back,\n"
    "R renegotiate (TLS 1.2), Q close. Exit status: 0 after a clean or truncated close, 1 on a\n"
    "handshake, verification or I/O failure, 2 on a bad option.";

bool is_ip_literal(const std::string& host) {
  return host.find(':') != std::string::npos ||
         host.find_first_not_of("0123456789.") == std::string::npos;
}

void say(const char* fmt, const std::string& s) { std::fprintf(stderr, fmt, s.c_str()); }

// report_ech_rejected says the server declined ECH (the handshake with its
// public name went through, then ech_required) and keeps what it offered
// to retry with for -ech_retry_out.
void report_ech_rejected(const Connection& conn, const Options& opts) {
  const auto retry = conn.ech_retry_configs();
  say("sluice: ECH: rejected (retry configs: %s)\n",
      retry.empty() ? std::string("none: retry without ECH") : std::to_string(retry.size()) + " bytes");
  if (!opts.has("ech_retry_out")) return;
  std::string err;
  if (retry.empty()) {
    say("sluice: -ech_retry_out: %s\n", "nothing written: the server sent no retry configs");
  } else if (!write_binary("ech_retry_out", opts.get("ech_retry_out"), retry, err)) {
    say("sluice: ERROR %s\n", err);
  } else {
    say("sluice: ECH retry configs written to %s\n", opts.get("ech_retry_out"));
  }
}

}  // namespace

int s_client(std::span<const std::string_view> args) {
  const auto spec = with_common(kClientSpec);
  std::string err;
  auto opts = Options::parse(args, spec, err);
  if (!opts) {
    say("sluice s_client: %s\n", err);
    return 2;
  }
  if (opts->has("help")) {
    std::fputs(usage("s_client", kSynopsis, spec).c_str(), stdout);
    return 0;
  }
  if (!opts->has("connect")) {
    say("sluice s_client: %s\n", "-connect HOST:PORT is required (-help lists the options)");
    return 2;
  }
  auto target = parse_endpoint("connect", opts->get("connect"), false, err);
  if (!target) {
    say("sluice s_client: %s\n", err);
    return 2;
  }
  if (opts->has("servername") && opts->has("noservername")) {
    say("sluice s_client: %s\n", "-servername and -noservername contradict each other");
    return 2;
  }
  // The SNI name: as openssl does, the host unless it is an IP literal.
  std::string sni = opts->get("servername", is_ip_literal(target->host) ? "" : target->host);
  if (opts->has("noservername")) sni.clear();
  const std::string verify_name = opts->get("verify_hostname", sni.empty() ? target->host : sni);
  const bool quiet = opts->has("quiet"), brief = opts->has("brief");

  auto provider = crypto::default_provider();
  auto ctx = std::make_shared<Context>(Role::kClient, provider);
  if (!apply_common(*opts, *ctx, err)) {
    say("sluice s_client: %s\n", err);
    return 2;
  }
  auto verifier = make_verifier(provider, opts->get("CAfile"), opts->get("pin"), err);
  if (!verifier) {
    say("sluice s_client: %s\n", err);
    return 1;
  }
  if (verify_name != sni) verifier = verify_as(std::move(verifier), sni, verify_name);
  ctx->set_verifier(std::move(verifier));
  if (opts->has("cert") != opts->has("key")) {
    say("sluice s_client: %s\n", "give both -cert and -key, or neither");
    return 2;
  }
  if (opts->has("cert")) {
    CertifiedKey ck;
    if (!load_certified_key(*provider, opts->get("cert"), opts->get("key"), ck, err)) {
      say("sluice s_client: %s\n", err);
      return 1;
    }
    ctx->set_certificate(std::move(ck));
    ctx->set_post_handshake_auth(true);
  }
  if (opts->has("psk_ke")) ctx->set_allow_psk_ke(true);
  if (opts->has("reverify_on_resume")) ctx->set_reverify_on_resume(true);
  if (opts->has("status")) ctx->set_request_ocsp(true);
  if (opts->has("ct")) ctx->set_request_sct(true);
  if (opts->has("enable_pha")) ctx->set_post_handshake_auth(true);
  if (opts->has("middlebox_compat")) ctx->set_middlebox_compat(true);
  if (opts->has("renegotiation")) {
    const std::string when = opts->get("renegotiation");
    if (when == "never") {
      ctx->set_renegotiation(Renegotiation::kNever);
    } else if (when == "once") {
      ctx->set_renegotiation(Renegotiation::kOnce);
    } else if (when == "freely") {
      ctx->set_renegotiation(Renegotiation::kFreely);
    } else {
      say("sluice s_client: -renegotiation: '%s' is not never, once or freely\n", when);
      return 2;
    }
  }
  const auto exported = parse_export(*opts, err);
  if (!err.empty()) {
    say("sluice s_client: %s\n", err);
    return 2;
  }
  auto store = std::make_shared<SavingSessionStore>(opts->get("sess_out"));
  ctx->set_session_store(store);
  if (opts->has("sess_in")) {
    auto s = read_session(opts->get("sess_in"), err);
    if (!s) {
      say("sluice s_client: %s\n", err);
      return 1;
    }
    store->put(sni, std::move(*s));
  }
  std::vector<uint8_t> ech_list;
  HandshakeFacts facts{Role::kClient, false, EchOffer::kNone};
  if (opts->has("ech_config_list")) {
    if (!read_ech_input("ech_config_list", opts->get("ech_config_list"), true, ech_list, err)) {
      say("sluice s_client: %s\n", err);
      return 2;
    }
    if (!wire::parse_ech_config_list(ech_list)) {
      say("sluice s_client: -ech_config_list: %s is not an ECHConfigList\n", opts->get("ech_config_list"));
      return 2;
    }
    facts.ech_offer = EchOffer::kConfig;
  } else if (opts->has("ech_retry_out")) {
    say("sluice s_client: %s\n", "-ech_retry_out without -ech_config_list");
    return 2;
  }
  if (opts->has("ech_grease")) {
    ctx->set_ech_grease(true);
    if (facts.ech_offer == EchOffer::kNone) facts.ech_offer = EchOffer::kGrease;
  }
  if (opts->has("grease")) ctx->set_grease(true);
  std::string early;
  if (opts->has("early_data")) {
    if (!read_option_file("early_data", opts->get("early_data"), early, err)) {
      say("sluice s_client: %s\n", err);
      return 1;
    }
    ctx->set_enable_early_data(true);
  }
  if (!install_key_log(*ctx, opts->get("keylogfile"))) return 1;
  if (opts->has("msg") || opts->has("trace"))
    install_trace(*ctx, opts->has("trace") ? TraceDetail::kFields : TraceDetail::kMessages);

  const int connections = opts->has("reconnect") ? 6 : 1;
  for (int i = 0; i < connections; ++i) {
    const bool last = i + 1 == connections;
    auto fd = connect_endpoint(*target);
    if (!fd) {
      say("sluice s_client: connect: %s\n", fd.error().describe());
      return 1;
    }
    Connection conn = Connection::client(ctx, sni);
    if (!ech_list.empty() && conn.set_ech_config_list(ech_list).status != Status::kOk) {
      say("sluice s_client: -ech_config_list: %s\n", std::string(describe(conn.error().reason)));
      return 2;
    }
    Duplex d(std::move(*fd), std::move(conn));
    bool early_sent = false;
    if (!early.empty()) {
      const Progress p = d.connection().write_early(std::span(reinterpret_cast<const uint8_t*>(early.data()), early.size()));
      early_sent = p.status == Status::kOk;
      if (!early_sent && !quiet) say("sluice: %s\n", "no 0-RTT this time (no session that allows it): sending after the handshake");
    }
    if (!d.handshake(err)) {
      say("sluice: ERROR %s\n", err);
      if (d.connection().error().reason == Reason::kEchRejected) report_ech_rejected(d.connection(), *opts);
      return 1;
    }
    const Negotiated& n = d.connection().negotiated();
    if (!quiet) {
      std::fprintf(stderr, "sluice: HANDSHAKE done (connection %d)\n%s", i + 1,
                   describe_negotiated(n, facts, brief).c_str());
    }
    if (exported) std::fputs(describe_exported(d.connection(), *exported).c_str(), stderr);
    if (!early.empty() && !n.early_data_accepted) d.send(early);

    DuplexOptions o;
    o.on_data = [](std::span<const uint8_t> data) {
      std::fwrite(data.data(), 1, data.size(), stdout);
      std::fflush(stdout);
    };
    if (last) {
      o.input_fd = STDIN_FILENO;
      o.commands = !opts->has("nocommands");
      o.ign_eof = opts->has("ign_eof");
    } else {
      d.close();  // -reconnect: close at once, keeping the tickets that arrive
    }
    o.on_command = [&d, quiet](char c) {
      std::string e;
      switch (c) {
        case 'k':
        case 'K':
          if (d.call([c](Connection& conn) { return conn.key_update(c == 'K'); }, e)) {
            if (!quiet) say("sluice: KEYUPDATE sent%s\n", c == 'K' ? " (update_requested)" : "");
          } else {
            say("sluice: ERROR KeyUpdate: %s\n", e);
          }
          break;
        case 'R':
          if (d.call([](Connection& conn) { return conn.renegotiate(); }, e)) {
            if (!quiet) say("sluice: %s\n", "RENEGOTIATING (ClientHello sent)");
          } else {
            say("sluice: ERROR renegotiate: %s\n", e);
          }
          break;
        case 'Q':
        case 'q': d.close(); break;
        default: d.send(std::string(1, c) + "\n"); break;
      }
    };
    o.on_renegotiation = [&d, quiet](bool completed) {
      if (quiet) return;
      if (completed) {
        say("sluice: RENEGOTIATION done (%s on this connection)\n", std::to_string(d.connection().renegotiations()));
      } else {
        say("sluice: %s\n", "RENEGOTIATION declined by the server (no_renegotiation warning); the connection goes on");
      }
    };
    const Ending end = d.run(o, err);
    std::fflush(stdout);
    switch (end) {
      case Ending::kClean:
        if (!quiet)
          std::fprintf(stderr, "sluice: CLOSE clean (close_notify both ways); %llu bytes sent, %llu received\n",
                       static_cast<unsigned long long>(d.bytes_sent()),
                       static_cast<unsigned long long>(d.bytes_received()));
        break;
      case Ending::kTruncated:
        say("sluice: CLOSE truncated: %s\n", "the server closed the transport without close_notify");
        break;
      case Ending::kError: say("sluice: ERROR %s\n", err); return 1;
    }
  }
  if (opts->has("sess_out") && store->saved() == 0) {
    say("sluice: ERROR -sess_out: %s\n", "the server sent no session ticket, nothing was saved");
    return 1;
  }
  return 0;
}

}  // namespace sluice::tool
