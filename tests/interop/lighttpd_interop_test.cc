// sluice's client against lighttpd with mod_mbedtls (Debian's lighttpd and
// lighttpd-mod-mbedtls, mbedTLS 2.28) as a TLS 1.2-only HTTPS server: an
// HTTP GET of a generated file, ECDSA P-256 and RSA certificates.
//
// The test writes lighttpd.conf itself: bound to 127.0.0.1 on a free port,
// mod_mbedtls as the TLS module, and TLS 1.2 pinned with
// ssl.openssl.ssl-conf-cmd MinProtocol/MaxProtocol, which mod_mbedtls
// honours too (pinned to TLS 1.1 instead, it refuses a TLS 1.2 client).
// lighttpd runs in the foreground (-D) as the test's child.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>

#include "adapters/net/loopback.h"
#include "tests/interop/loopback_namespace.h"
#include "tests/interop/matrix.h"
#include "tests/interop/peer_process.h"
#include "tests/interop/sluice_peer.h"
#include "tests/interop/test_pki.h"

namespace sluice::interop {
namespace {

constexpr const char* kModule = "/usr/lib/lighttpd/mod_mbedtls.so";

void require_lighttpd() {
  REQUIRE_MESSAGE(find_in_path("lighttpd"), "lighttpd is missing: install the Debian package 'lighttpd'");
  REQUIRE_MESSAGE(std::ifstream(kModule).good(),
                  kModule << " is missing: install the Debian package 'lighttpd-mod-mbedtls'");
}

std::string scratch_dir() {
  const char* t = std::getenv("TEST_TMPDIR");
  return t && *t ? t : "/tmp";
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  REQUIRE_MESSAGE(f.good(), "cannot write " << path);
}

// write_conf writes to `conf` a configuration serving `root` over TLS 1.2
// only with `leaf`, on 127.0.0.1:port, logging errors to `error_log`.
void write_conf(const std::string& conf, const LeafFiles& leaf, const std::string& root, uint16_t port,
                const std::string& error_log) {
  write_file(conf, "server.modules = (\"mod_mbedtls\")\n"
                   "server.document-root = \"" + root + "\"\n"
                   "server.bind = \"127.0.0.1\"\n"
                   "server.port = " + std::to_string(port) + "\n"
                   "server.errorlog = \"" + error_log + "\"\n"
                   "ssl.engine = \"enable\"\n"
                   "ssl.pemfile = \"" + leaf.cert_pem + "\"\n"
                   "ssl.privkey = \"" + leaf.key_pem + "\"\n"
                   "ssl.openssl.ssl-conf-cmd = (\"MinProtocol\" => \"TLSv1.2\", \"MaxProtocol\" => \"TLSv1.2\")\n");
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

}  // namespace

TEST_CASE("sluice client -> lighttpd with mod_mbedtls, TLS 1.2 only: GET a file, ECDSA and RSA") {
  require_lighttpd();
  struct Case {
    crypto::KeyType type;
    uint16_t suites[3];  // the ECDHE suites of the certificate's kind
  };
  for (const Case& c : {Case{crypto::KeyType::kEcdsaP256, {0xc02b, 0xc02c, 0xcca9}},
                        Case{crypto::KeyType::kRsa, {0xc02f, 0xc030, 0xcca8}}}) {
    const std::string tag = "lighttpd-" + short_name(c.type);
    CAPTURE(tag);
    const LeafFiles& leaf = leaf_for(c.type);
    const std::string base = scratch_dir() + "/" + tag;
    const std::string root = base + "-www";
    REQUIRE(run_command({"mkdir", "-p", root}).status == 0);
    // Large enough to span several records, with a line end every so often.
    std::string body;
    for (int i = 0; body.size() < 40000; ++i) body += payload(100, tag + "-" + std::to_string(i)) + "\n";
    write_file(root + "/file.txt", body);
    auto port = net::free_loopback_port();
    REQUIRE(port);
    const std::string conf = base + ".conf", error_log = base + "-error.log";
    write_conf(conf, leaf, root, *port, error_log);
    std::string err;
    auto server = PeerProcess::start({"lighttpd", "-D", "-f", conf}, err);
    REQUIRE_MESSAGE(server.has_value(), err);
    REQUIRE_MESSAGE(wait_listening(*port),
                    "lighttpd did not listen:\n" << tail(server->output()) << tail(read_file(error_log)));
    const auto out = run_request(client_context(leaf.ca_pem), *port, "localhost",
                                 "GET /file.txt HTTP/1.0\r\nHost: localhost\r\n\r\n");
    INFO("lighttpd said:\n" << tail(server->output()) << tail(read_file(error_log)));
    CHECK_MESSAGE(out.error.empty(), out.error);
    CHECK(out.handshake_ok);
    CHECK(out.negotiated.version == 0x0303);
    const bool suite_fits = out.negotiated.cipher_suite == c.suites[0] || out.negotiated.cipher_suite == c.suites[1] ||
                            out.negotiated.cipher_suite == c.suites[2];
    CHECK(suite_fits);
    CHECK(out.received.starts_with("HTTP/1.0 200 OK\r\n"));
    const size_t head_end = out.received.find("\r\n\r\n");
    REQUIRE(head_end != std::string::npos);
    CHECK(out.received.find("Content-Length: " + std::to_string(body.size()) + "\r\n") < head_end);
    const bool body_matches = out.received.compare(head_end + 4, std::string::npos, body) == 0;
    CHECK(body_matches);
    CHECK(out.clean_close);
  }
}

}  // namespace sluice::interop
