// sluice s_server: accept TLS 1.3 connections on 127.0.0.1 and echo what
// arrives (or, with -www, answer one HTTP request). One connection at a
// time: this is a test tool, not a server.
#include <cstdio>
#include <string>

#include "adapters/blocking/blocking_stream.h"
#include "adapters/net/loopback.h"
#include "crypto/composite/composite_provider.h"
#include "tools/sluice/credentials.h"
#include "tools/sluice/keylog.h"
#include "tools/sluice/options.h"
#include "tools/sluice/report.h"
#include "tools/sluice/tool.h"

namespace sluice::tool {

namespace {

constexpr OptionSpec kSpec[] = {
    {"accept", true}, {"cert", true}, {"key", true},     {"alpn", true},
    {"www", false},   {"naccept", true}, {"groups", true}, {"quiet", false},
};

// An HTTP request head larger than this is refused: -www only needs to see
// where the head ends.
constexpr size_t kMaxRequestHead = 16 * 1024;

void report_close(const adapters::StreamResult<void>& r) {
  if (r) {
    std::fprintf(stderr, "sluice: CLOSE clean (close_notify both ways)\n");
  } else if (r.error().kind == adapters::StreamError::Kind::kTls && r.error().tls.reason == Reason::kTruncated) {
    std::fprintf(stderr, "sluice: CLOSE truncated: the peer closed the transport without close_notify\n");
  } else {
    std::fprintf(stderr, "sluice: CLOSE error: %s\n", r.error().describe().c_str());
  }
}

void serve_echo(adapters::BlockingStream& s, bool quiet) {
  std::vector<uint8_t> buf(16384);
  while (true) {
    auto n = s.read(buf);
    if (!n) {
      std::fprintf(stderr, "sluice: ERROR read: %s\n", n.error().describe().c_str());
      return;
    }
    if (*n == 0) break;  // the peer's close_notify
    if (!quiet) {
      std::fwrite(buf.data(), 1, *n, stdout);
      std::fflush(stdout);
    }
    if (auto w = s.write(std::span(buf).first(*n)); !w) {
      std::fprintf(stderr, "sluice: ERROR write: %s\n", w.error().describe().c_str());
      return;
    }
  }
  report_close(s.shutdown());
}

void serve_www(adapters::BlockingStream& s) {
  std::string head;
  std::vector<uint8_t> buf(4096);
  while (head.find("\r\n\r\n") == std::string::npos && head.find("\n\n") == std::string::npos) {
    if (head.size() > kMaxRequestHead) {
      std::fprintf(stderr, "sluice: ERROR request head too large\n");
      return;
    }
    auto n = s.read(buf);
    if (!n) {
      std::fprintf(stderr, "sluice: ERROR read: %s\n", n.error().describe().c_str());
      return;
    }
    if (*n == 0) {
      std::fprintf(stderr, "sluice: ERROR close_notify before a complete request\n");
      return;
    }
    head.append(reinterpret_cast<const char*>(buf.data()), *n);
  }
  const std::string first_line = head.substr(0, head.find_first_of("\r\n"));
  std::fprintf(stderr, "sluice: REQUEST %s\n", first_line.c_str());
  const std::string body = "sluice s_server\n" + describe_negotiated(s.connection().negotiated());
  const std::string response = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                               std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  if (auto w = s.write(std::span(reinterpret_cast<const uint8_t*>(response.data()), response.size())); !w) {
    std::fprintf(stderr, "sluice: ERROR write: %s\n", w.error().describe().c_str());
    return;
  }
  report_close(s.shutdown());
}

}  // namespace

int s_server(std::span<const std::string_view> args) {
  std::string err;
  auto opts = Options::parse(args, kSpec, err);
  if (!opts) {
    std::fprintf(stderr, "sluice s_server: %s\n", err.c_str());
    return 2;
  }
  uint16_t port = 4433;
  if (opts->has("accept")) {
    const std::string a = opts->get("accept");
    auto p = parse_port(a);
    if (a == "0") {
      port = 0;  // the kernel picks; the ACCEPT line says which
    } else if (!p) {
      std::fprintf(stderr, "sluice s_server: -accept takes a port (the address is always 127.0.0.1)\n");
      return 2;
    } else {
      port = *p;
    }
  }
  long naccept = -1;
  if (opts->has("naccept")) naccept = std::strtol(opts->get("naccept").c_str(), nullptr, 10);

  auto provider = crypto::default_provider();
  auto ctx = std::make_shared<Context>(Role::kServer, provider);
  std::string cert = opts->get("cert"), key = opts->get("key");
  if (cert.empty() != key.empty()) {
    std::fprintf(stderr, "sluice s_server: give both -cert and -key, or neither\n");
    return 2;
  }
  if (cert.empty()) {
    std::string dir;
    if (!generate_self_signed(dir, err)) {
      std::fprintf(stderr, "sluice s_server: %s\n", err.c_str());
      return 1;
    }
    cert = dir + "/cert.pem";
    key = dir + "/key.pem";
    std::fprintf(stderr, "sluice: no -cert given: generated a self-signed P-256 certificate %s (pin it with -pin)\n",
                 cert.c_str());
  }
  CertifiedKey ck;
  if (!load_certified_key(*provider, cert, key, ck, err)) {
    std::fprintf(stderr, "sluice s_server: %s\n", err.c_str());
    return 1;
  }
  ctx->set_certificate(std::move(ck));
  if (opts->has("alpn")) ctx->set_alpn(split_list(opts->get("alpn")));
  if (opts->has("groups")) {
    auto g = parse_groups(opts->get("groups"));
    if (!g) {
      std::fprintf(stderr, "sluice s_server: unknown group in '%s'\n", opts->get("groups").c_str());
      return 2;
    }
    ctx->set_groups(*g);
  }
  if (!install_key_log(*ctx)) return 1;

  auto listener = net::listen_loopback(port);
  if (!listener) {
    std::fprintf(stderr, "sluice s_server: %s\n", listener.error().describe().c_str());
    return 1;
  }
  auto bound = net::local_port(listener->get());
  if (!bound) return 1;
  // Printed once listening, like openssl s_server: scripts wait for it.
  std::printf("ACCEPT 127.0.0.1:%u\n", static_cast<unsigned>(*bound));
  std::fflush(stdout);

  const bool www = opts->has("www"), quiet = opts->has("quiet");
  for (long served = 0; naccept < 0 || served < naccept; ++served) {
    auto fd = net::accept_one(listener->get());
    if (!fd) {
      std::fprintf(stderr, "sluice s_server: %s\n", fd.error().describe().c_str());
      return 1;
    }
    adapters::BlockingStream s(std::move(*fd), Connection::server(ctx));
    if (auto h = s.handshake(); !h) {
      std::fprintf(stderr, "sluice: ERROR handshake: %s\n", h.error().describe().c_str());
      continue;
    }
    std::fprintf(stderr, "sluice: HANDSHAKE done\n%s", describe_negotiated(s.connection().negotiated()).c_str());
    if (www) {
      serve_www(s);
    } else {
      serve_echo(s, quiet);
    }
  }
  return 0;
}

}  // namespace sluice::tool
