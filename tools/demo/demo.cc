// sluice demo: a real TLS 1.3 session between sluice's client and server in
// one process, through the sans-I/O API only, with a certificate chain made
// on the spot (or loaded with --cert/--key). It prints what was negotiated
// and, for each mode flag, what the flag changed.
#include <poll.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "base/heap_counter.h"
#include "core/connection.h"
#include "core/wire/types.h"
#include "crypto/async/async_provider.h"
#include "crypto/composite/composite_provider.h"
#include "pki/certgen.h"
#include "pki/keys.h"
#include "pki/pem.h"
#include "pki/pinned_verifier.h"
#include "pki/webpki_verifier.h"

namespace sluice {
namespace {

struct Setup {
  std::shared_ptr<const crypto::Provider> provider;
  std::vector<std::vector<uint8_t>> chain;
  crypto::PrivateKeyMaterial key;
  std::shared_ptr<const CertificateVerifier> verifier;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "demo: %s\n", what.c_str());
  std::exit(1);
}

std::string error_text(const Error& e) {
  return std::string(describe(e.reason)) + " (" + std::string(name(e.alert)) + "): " + e.detail;
}

size_t transfer(Connection& from, Connection& to) {
  size_t moved = 0;
  for (auto out = from.outbound(); !out.empty(); out = from.outbound()) {
    size_t n = to.feed(out);
    if (n == 0) break;
    from.outbound_consumed(n);
    moved += n;
  }
  return moved;
}

struct RunStats {
  int want_async = 0;
};

bool handshake(Connection& c, Connection& s, RunStats* stats = nullptr) {
  for (int i = 0; i < 1000; ++i) {
    Progress pc = c.handshake(), ps = s.handshake();
    if (pc.status == Status::kError || ps.status == Status::kError) return false;
    if (ps.status == Status::kWantAsync) {
      if (stats) ++stats->want_async;
      pollfd pfd{s.async_fd(), POLLIN, 0};
      (void)::poll(&pfd, 1, 5000);
    }
    const size_t moved = transfer(c, s) + transfer(s, c);
    if (c.handshake_done() && s.handshake_done() && moved == 0) return true;
  }
  return false;
}

std::string read_all(Connection& c) {
  std::string got;
  char buf[4096];
  for (int i = 0; i < 1000; ++i) {
    Progress r = c.read(std::span(reinterpret_cast<uint8_t*>(buf), sizeof buf));
    // Without AUTO_RETRY a NewSessionTicket or KeyUpdate ends a read with
    // kWantRead while more records are buffered: call again.
    if (r.status == Status::kWantRead && c.has_pending()) continue;
    if (r.status != Status::kOk) break;
    got.append(buf, r.bytes);
  }
  return got;
}

Setup make_setup(int argc, char** argv) {
  Setup s;
  s.provider = crypto::default_provider();
  std::string cert_file, key_file;
  for (int i = 1; i + 1 < argc; ++i) {
    if (!std::strcmp(argv[i], "--cert")) cert_file = argv[++i];
    else if (!std::strcmp(argv[i], "--key")) key_file = argv[++i];
  }
  if (!cert_file.empty() && !key_file.empty()) {
    auto pem = pki::read_text_file(cert_file);
    auto keypem = pki::read_text_file(key_file);
    if (!pem || !keypem) die("cannot read --cert/--key");
    auto certs = pki::pem_certificates(*pem);
    auto key = pki::parse_private_key_pem(*keypem);
    if (!certs || certs->empty() || !key) die("cannot parse --cert/--key");
    s.chain = *certs;
    s.key = std::move(*key);
    // A given certificate is pinned: its issuer is not known here.
    s.verifier = std::make_shared<pki::PinnedVerifier>(s.chain.front());
    std::printf("certificate: %s (pinned)\n", cert_file.c_str());
    return s;
  }
  pki::CertSpec spec;
  spec.common_name = "localhost";
  spec.dns_names = {"localhost"};
  spec.ip_addresses = {"127.0.0.1"};
  spec.not_before = std::time(nullptr) - 60;
  spec.not_after = spec.not_before + 86400;
  auto chain = pki::generate_chain(*s.provider, crypto::KeyType::kEd25519, spec);
  if (!chain) die("certificate generation failed: " + error_text(chain.error()));
  s.chain = chain->peer_chain();
  s.key = chain->leaf.key.copy();
  std::vector<std::vector<uint8_t>> roots = {chain->root.der};
  auto verifier = pki::WebPkiVerifier::from_certificates(s.provider, roots);
  if (!verifier) die("verifier: " + error_text(verifier.error()));
  s.verifier = std::shared_ptr<const CertificateVerifier>(std::move(*verifier));
  std::printf("certificate: Ed25519 root -> intermediate -> leaf for localhost, made on the spot; "
              "the client validates the chain to the root\n");
  return s;
}

std::shared_ptr<Context> server_ctx(const Setup& s, std::shared_ptr<const crypto::Provider> p, long mode = 0) {
  auto ctx = std::make_shared<Context>(Role::kServer, p);
  auto signer = p->new_signer(s.key);
  if (!signer) die("signer: " + std::string(crypto::describe(signer.error())));
  ctx->set_certificate({s.chain, std::shared_ptr<crypto::Signer>(std::move(*signer))});
  ctx->set_alpn({"h2", "http/1.1"});
  ctx->set_mode(mode);
  return ctx;
}

std::shared_ptr<Context> client_ctx(const Setup& s, long mode = 0) {
  auto ctx = std::make_shared<Context>(Role::kClient, s.provider);
  ctx->set_verifier(s.verifier);
  ctx->set_alpn({"http/1.1"});
  ctx->set_mode(mode);
  return ctx;
}

const char* suite_name(uint16_t s) {
  switch (s) {
    case 0x1301: return "TLS_AES_128_GCM_SHA256";
    case 0x1302: return "TLS_AES_256_GCM_SHA384";
    case 0x1303: return "TLS_CHACHA20_POLY1305_SHA256";
  }
  return "?";
}

size_t heap_in_use() { return static_cast<size_t>(heap_stats().live_bytes); }

}  // namespace
}  // namespace sluice

int main(int argc, char** argv) {
  using namespace sluice;
  Setup setup = make_setup(argc, argv);

  // --- one session, start to finish ---
  auto cctx = client_ctx(setup);
  int keylog_lines = 0;
  cctx->set_key_log([&](std::string_view) { ++keylog_lines; });
  auto sctx = server_ctx(setup, setup.provider);
  Connection client = Connection::client(cctx, "localhost");
  Connection server = Connection::server(sctx);
  if (!handshake(client, server)) {
    die("handshake failed: client " + error_text(client.error()) + "; server " + error_text(server.error()));
  }
  const Negotiated& n = client.negotiated();
  std::printf("\nhandshake complete\n");
  std::printf("  version            %s\n", n.version == wire::kTls13 ? "TLS 1.3" : "TLS 1.2");
  std::printf("  cipher suite       %s\n", suite_name(n.cipher_suite));
  std::printf("  key exchange       %s\n", std::string(crypto::name(n.group)).c_str());
  std::printf("  server signature   %s\n", std::string(crypto::name(n.signature_scheme)).c_str());
  std::printf("  ALPN               %s\n", n.alpn.c_str());
  std::printf("  SNI                %s\n", server.negotiated().server_name.c_str());
  std::printf("  server chain       %zu certificates, verified\n", n.peer_chain.size());
  std::printf("  key log            %d NSS key-log lines offered\n", keylog_lines);

  const std::string hello = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
  (void)client.write(std::span(reinterpret_cast<const uint8_t*>(hello.data()), hello.size()));
  transfer(client, server);
  std::string req = read_all(server);
  const std::string reply = "HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nsluice";
  (void)server.write(std::span(reinterpret_cast<const uint8_t*>(reply.data()), reply.size()));
  transfer(server, client);
  std::string resp = read_all(client);
  std::printf("  application data   client sent %zu bytes, server sent %zu bytes back (%s)\n", req.size(),
              resp.size(), resp == reply ? "intact" : "MISMATCH");
  if (req != hello || resp != reply) die("application data did not arrive intact");

  std::printf("\nmodes (SSL_CTX_set_mode semantics)\n");
  std::vector<uint8_t> big(64 * 1024, 0x5a);

  // ENABLE_PARTIAL_WRITE
  for (long mode : {0L, kModeEnablePartialWrite}) {
    auto c2 = Connection::client(client_ctx(setup, mode), "localhost");
    auto s2 = Connection::server(server_ctx(setup, setup.provider));
    handshake(c2, s2);
    int calls = 0, want_write = 0, partial = 0;
    size_t sent = 0;
    while (sent < big.size() && calls < 1000) {
      ++calls;
      Progress w = c2.write(std::span(big).subspan(sent));
      if (w.status == Status::kWantWrite) ++want_write;
      if (w.status == Status::kOk) {
        if (w.bytes < big.size() - sent) ++partial;
        sent += w.bytes;
      }
      transfer(c2, s2);
      read_all(s2);
    }
    std::printf("  ENABLE_PARTIAL_WRITE %-3s 64 KiB in %d write() calls: %d partial returns, %d kWantWrite retries\n",
                mode ? "on" : "off", calls, partial, want_write);
  }

  // ACCEPT_MOVING_WRITE_BUFFER
  for (long mode : {0L, kModeAcceptMovingWriteBuffer}) {
    auto c2 = Connection::client(client_ctx(setup, mode), "localhost");
    auto s2 = Connection::server(server_ctx(setup, setup.provider));
    handshake(c2, s2);
    (void)c2.write(big);  // kWantWrite: the outbound buffer holds one record
    transfer(c2, s2);
    std::vector<uint8_t> moved = big;
    Progress w = c2.write(moved);
    std::printf("  ACCEPT_MOVING_WRITE_BUFFER %-3s retry from another address: %s\n", mode ? "on" : "off",
                w.status == Status::kError ? ("refused, " + std::string(c2.error().detail)).c_str() : "accepted");
  }

  // AUTO_RETRY
  for (long mode : {0L, kModeAutoRetry}) {
    auto c2 = Connection::client(client_ctx(setup, mode), "localhost");
    auto s2 = Connection::server(server_ctx(setup, setup.provider));
    handshake(c2, s2);
    (void)s2.key_update(false);
    (void)s2.write(std::span(big).first(10));
    transfer(s2, c2);
    uint8_t buf[64];
    Progress r = c2.read(buf);
    std::printf("  AUTO_RETRY %-3s KeyUpdate then data, both buffered: first read() gives %s\n", mode ? "on" : "off",
                r.status == Status::kOk ? "the data" : "kWantRead (has_pending() is true)");
  }

  // RELEASE_BUFFERS
  for (long mode : {0L, kModeReleaseBuffers}) {
    // The contexts outlive the connections: released buffers wait in their
    // freelists, which are not the connections' memory.
    auto cctx2 = client_ctx(setup, mode);
    auto sctx2 = server_ctx(setup, setup.provider, mode);
    auto c2 = Connection::client(cctx2, "localhost");
    auto s2 = Connection::server(sctx2);
    handshake(c2, s2);
    // The connection tls_bench's idle row measures: after the handshake,
    // one 100-byte message each way, read (the client's read takes in the
    // server's tickets too); then what destroying each side frees.
    (void)c2.write(std::span(big).first(100));
    transfer(c2, s2);
    read_all(s2);
    (void)s2.write(std::span(big).first(100));
    transfer(s2, c2);
    read_all(c2);
    const size_t before = heap_in_use();
    { Connection gone = std::move(c2); }
    const size_t client_bytes = before - heap_in_use();
    const size_t before_s = heap_in_use();
    { Connection gone = std::move(s2); }
    const size_t server_bytes = before_s - heap_in_use();
    std::printf("  RELEASE_BUFFERS %-3s idle connection holds %zu bytes (client), %zu bytes (server)\n",
                mode ? "on" : "off", client_bytes, server_bytes);
  }

  // SEND_FALLBACK_SCSV
  for (long mode : {0L, kModeSendFallbackScsv}) {
    auto fallback = client_ctx(setup, mode);
    fallback->set_max_version(wire::kTls12);
    auto c2 = Connection::client(fallback, "localhost");
    auto s2 = Connection::server(server_ctx(setup, setup.provider));
    // The server speaks TLS 1.3: a retry without the SCSV is an ordinary
    // TLS 1.2 handshake, one with it is refused.
    const std::string outcome = handshake(c2, s2)
                                    ? std::string("handshake completes at ") +
                                          (s2.negotiated().version == wire::kTls12 ? "TLS 1.2" : "TLS 1.3")
                                    : "server answers " + std::string(name(s2.error().alert));
    std::printf("  SEND_FALLBACK_SCSV %-3s a TLS 1.2-only retry: %s\n", mode ? "on" : "off", outcome.c_str());
  }

  // ASYNC
  std::shared_ptr<const crypto::Provider> async_provider = crypto::make_async_provider(setup.provider);
  for (long mode : {0L, kModeAsync}) {
    auto c2 = Connection::client(client_ctx(setup), "localhost");
    auto s2 = Connection::server(server_ctx(setup, async_provider, mode));
    RunStats stats;
    const bool ok = handshake(c2, s2, &stats);
    std::printf("  ASYNC %-3s signature on a worker thread: %d kWantAsync returns, handshake %s\n",
                mode ? "on" : "off", stats.want_async, ok ? "complete" : "FAILED");
  }

  // Clean close.
  (void)client.shutdown();
  transfer(client, server);
  uint8_t buf[16];
  Progress r = server.read(buf);
  (void)server.shutdown();
  transfer(server, client);
  Progress done = client.shutdown();
  std::printf("\nclose: server saw %s; client's shutdown() %s\n",
              r.status == Status::kZeroReturn ? "close_notify (kZeroReturn)" : "something else",
              done.status == Status::kOk ? "completed both ways" : "did not complete");
  return resp == reply && r.status == Status::kZeroReturn && done.status == Status::kOk ? 0 : 1;
}
