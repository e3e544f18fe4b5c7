// sluice s_client: connect to a TLS 1.3 server on 127.0.0.1, send -msg (or
// stdin), print what comes back on stdout and the negotiated parameters on
// stderr, then close with close_notify.
#include <unistd.h>

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
    {"connect", true}, {"servername", true}, {"CAfile", true}, {"pin", true},
    {"alpn", true},    {"msg", true},        {"groups", true}, {"expect", true},
};

std::string read_stdin() {
  std::string s;
  char buf[4096];
  while (true) {
    const ssize_t n = ::read(0, buf, sizeof buf);
    if (n > 0) {
      s.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      return s;
    }
  }
}

}  // namespace

int s_client(std::span<const std::string_view> args) {
  std::string err;
  auto opts = Options::parse(args, kSpec, err);
  if (!opts) {
    std::fprintf(stderr, "sluice s_client: %s\n", err.c_str());
    return 2;
  }
  // Only loopback: "127.0.0.1:PORT" or "localhost:PORT".
  const std::string target = opts->get("connect");
  const size_t colon = target.rfind(':');
  const std::string host = colon == std::string::npos ? "" : target.substr(0, colon);
  auto port = colon == std::string::npos ? std::nullopt : parse_port(std::string_view(target).substr(colon + 1));
  if ((host != "127.0.0.1" && host != "localhost") || !port) {
    std::fprintf(stderr, "sluice s_client: -connect must be 127.0.0.1:PORT or localhost:PORT\n");
    return 2;
  }
  const std::string server_name = opts->get("servername", host);
  size_t expect = 0;
  if (opts->has("expect")) expect = std::strtoul(opts->get("expect").c_str(), nullptr, 10);

  auto provider = crypto::default_provider();
  auto ctx = std::make_shared<Context>(Role::kClient, provider);
  auto verifier = make_verifier(provider, opts->get("CAfile"), opts->get("pin"), err);
  if (!verifier) {
    std::fprintf(stderr, "sluice s_client: %s\n", err.c_str());
    return 1;
  }
  ctx->set_verifier(std::move(verifier));
  if (opts->has("alpn")) ctx->set_alpn(split_list(opts->get("alpn")));
  if (opts->has("groups")) {
    auto g = parse_groups(opts->get("groups"));
    if (!g) {
      std::fprintf(stderr, "sluice s_client: unknown group in '%s'\n", opts->get("groups").c_str());
      return 2;
    }
    ctx->set_groups(*g);
  }
  if (!install_key_log(*ctx)) return 1;

  auto fd = net::connect_loopback(*port);
  if (!fd) {
    std::fprintf(stderr, "sluice s_client: %s\n", fd.error().describe().c_str());
    return 1;
  }
  adapters::BlockingStream s(std::move(*fd), Connection::client(ctx, server_name));
  if (auto h = s.handshake(); !h) {
    std::fprintf(stderr, "sluice: ERROR handshake: %s\n", h.error().describe().c_str());
    return 1;
  }
  std::fprintf(stderr, "sluice: HANDSHAKE done\n%s", describe_negotiated(s.connection().negotiated()).c_str());

  const std::string payload = opts->has("msg") ? opts->get("msg") : read_stdin();
  if (auto w = s.write(std::span(reinterpret_cast<const uint8_t*>(payload.data()), payload.size())); !w) {
    std::fprintf(stderr, "sluice: ERROR write: %s\n", w.error().describe().c_str());
    return 1;
  }
  size_t received = 0;
  std::vector<uint8_t> buf(16384);
  while (expect == 0 || received < expect) {
    auto n = s.read(buf);
    if (!n) {
      std::fprintf(stderr, "sluice: ERROR read: %s\n", n.error().describe().c_str());
      return 1;
    }
    if (*n == 0) break;  // close_notify
    std::fwrite(buf.data(), 1, *n, stdout);
    received += *n;
  }
  std::fflush(stdout);
  if (auto c = s.shutdown(); !c) {
    std::fprintf(stderr, "sluice: CLOSE error: %s\n", c.error().describe().c_str());
    return 1;
  }
  std::fprintf(stderr, "sluice: CLOSE clean (close_notify both ways); %zu bytes received\n", received);
  return 0;
}

}  // namespace sluice::tool
