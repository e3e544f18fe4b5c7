// sluice against Botan 2.19 (Debian's botan command line) as a TLS 1.2-only
// peer: sluice's client to `botan tls_server` (an echo server) and
// `botan tls_client` to sluice's server, ECDSA P-256 and RSA certificates.
//
// Botan 2 has no TLS 1.3; a text policy file pins it to TLS 1.2 (and turns
// the older versions and DTLS off) so the test shows a 1.2-only peer, not
// Botan's defaults. `botan tls_server` binds the wildcard address and has no
// option to bind another, so this test runs in a network namespace of its
// own with only loopback up (tests/interop/loopback_namespace.h).
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

void require_botan() {
  REQUIRE_MESSAGE(find_in_path("botan"), "botan is missing: install the Debian package 'botan'");
  const std::string err = enter_loopback_namespace();
  REQUIRE_MESSAGE(err.empty(), "cannot make a loopback-only network namespace for botan tls_server: " << err);
}

std::string scratch_dir() {
  const char* t = std::getenv("TEST_TMPDIR");
  return t && *t ? t : "/tmp";
}

// tls12_only_policy writes (once) a Botan 2 text policy allowing TLS 1.2
// alone and returns its path.
const std::string& tls12_only_policy() {
  static const std::string path = [] {
    const std::string p = scratch_dir() + "/botan-tls12-only.txt";
    std::ofstream f(p);
    f << "allow_tls10=false\nallow_tls11=false\nallow_tls12=true\n"
         "allow_dtls10=false\nallow_dtls12=false\n";
    return p;
  }();
  return path;
}

struct Case {
  crypto::KeyType type;
  uint16_t suites[3];  // the ECDHE suites of the certificate's kind
};
const Case kCases[] = {
    {crypto::KeyType::kEcdsaP256, {0xc02b, 0xc02c, 0xcca9}},
    {crypto::KeyType::kRsa, {0xc02f, 0xc030, 0xcca8}},
};

bool one_of(const uint16_t (&suites)[3], uint16_t s) {
  for (uint16_t x : suites) {
    if (x == s) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("sluice client -> botan tls_server, TLS 1.2 only: ECDSA and RSA") {
  require_botan();
  for (const Case& c : kCases) {
    const std::string tag = "botan-" + short_name(c.type);
    CAPTURE(tag);
    const LeafFiles& leaf = leaf_for(c.type);
    auto port = net::free_loopback_port();
    REQUIRE(port);
    std::string err;
    auto server = PeerProcess::start({"botan", "tls_server", leaf.cert_pem, leaf.key_pem,
                                      "--port=" + std::to_string(*port), "--policy=" + tls12_only_policy()},
                                     err);
    REQUIRE_MESSAGE(server.has_value(), err);
    REQUIRE_MESSAGE(wait_listening(*port), "botan tls_server did not listen:\n" << tail(server->output()));
    // tls_server echoes each complete line.
    const std::string msg = payload(6000, tag) + "\n";
    const auto out = run_client(client_context(leaf.ca_pem), *port, "localhost", msg, msg.size());
    CHECK(server->wait_for_output("Handshake complete, TLS v1.2 using ECDHE_"));
    INFO("botan tls_server said:\n" << tail(server->output()));
    CHECK_MESSAGE(out.error.empty(), out.error);
    CHECK(out.handshake_ok);
    CHECK(out.negotiated.version == 0x0303);
    CHECK(one_of(c.suites, out.negotiated.cipher_suite));
    CHECK(out.received == msg);
    CHECK(out.clean_close);
  }
}

TEST_CASE("botan tls_client -> sluice server, TLS 1.2 only: ECDSA and RSA") {
  require_botan();
  for (const Case& c : kCases) {
    const std::string tag = "botan-" + short_name(c.type);
    CAPTURE(tag);
    const LeafFiles& leaf = leaf_for(c.type);
    const std::string msg = payload(6000, tag) + "\n";
    auto server = SluiceServer::start(server_context(leaf), msg.size(), CloseOrder::kSluiceFirst);
    REQUIRE(server);
    // tls_client checks the chain against --trusted-cas (and the name
    // against the host it was given), writes stdin to the server and what
    // it receives to stdout.
    std::string err;
    auto client = PeerProcess::start({"botan", "tls_client", "localhost", "--port=" + std::to_string(server->port()),
                                      "--trusted-cas=" + leaf.ca_pem, "--skip-system-cert-store",
                                      "--policy=" + tls12_only_policy()},
                                     err);
    REQUIRE_MESSAGE(client.has_value(), err);
    CHECK(client->write_stdin(msg));
    CHECK(client->wait_for_output(msg));
    const auto out = server->join();
    client->close_stdin();
    const auto status = client->wait_exit();
    INFO("botan tls_client said:\n" << tail(client->output()));
    CHECK(status == 0);
    CHECK_MESSAGE(out.error.empty(), out.error);
    CHECK(out.negotiated.version == 0x0303);
    CHECK(one_of(c.suites, out.negotiated.cipher_suite));
    CHECK(out.received == msg);
    CHECK(out.clean_close);
    CHECK(client->output().find("Certificate validation status: Verified") != std::string::npos);
    CHECK(client->output().find("Handshake complete, TLS v1.2 using ECDHE_") != std::string::npos);
  }
}

}  // namespace sluice::interop
