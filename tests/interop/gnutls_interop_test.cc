// sluice against GnuTLS (gnutls-serv --echo and gnutls-cli), both
// directions, over every group and certificate key type.
//
// gnutls-serv has no option to choose its listening address: it binds the
// wildcard address, so the test runs in a network namespace of its own with
// only loopback up (tests/interop/loopback_namespace.h).
#include <doctest/doctest.h>

#include "adapters/net/loopback.h"
#include "core/post_handshake12.h"
#include "tests/interop/loopback_namespace.h"
#include "tests/interop/matrix.h"
#include "tests/interop/peer_process.h"
#include "tests/interop/sluice_peer.h"
#include "tests/interop/test_pki.h"

namespace sluice::interop {
namespace {

void require_gnutls() {
  REQUIRE_MESSAGE(find_in_path("gnutls-serv"), "gnutls-serv is missing: install the Debian package 'gnutls-bin'");
  REQUIRE_MESSAGE(find_in_path("gnutls-cli"), "gnutls-cli is missing: install the Debian package 'gnutls-bin'");
  const std::string err = enter_loopback_namespace();
  REQUIRE_MESSAGE(err.empty(), "cannot make a loopback-only network namespace for gnutls-serv: " << err);
}

// GnutlsServer is gnutls-serv --echo with `priority` and `leaf`, listening.
struct GnutlsServer {
  uint16_t port;
  std::optional<PeerProcess> process;
};

GnutlsServer start_gnutls_serv(const std::string& priority, const LeafFiles& leaf) {
  // gnutls-serv does not report a kernel-chosen port, so ask for a free
  // one; its "listening ... done" line says when it is ready.
  auto port = net::free_loopback_port();
  REQUIRE(port);
  std::string err;
  auto server = PeerProcess::start({"gnutls-serv", "--echo", "-p", std::to_string(*port), "--priority", priority,
                                    "--x509certfile", leaf.cert_pem, "--x509keyfile", leaf.key_pem},
                                   err);
  REQUIRE_MESSAGE(server.has_value(), err);
  REQUIRE_MESSAGE(server->wait_for_output("IPv4 0.0.0.0 port " + std::to_string(*port) + "...done"),
                  tail(server->output()));
  return GnutlsServer{*port, std::move(server)};
}

// start_gnutls_cli connects gnutls-cli to 127.0.0.1:port, trusting `leaf`'s
// CA (the certificate names IP:127.0.0.1, which gnutls-cli checks).
std::optional<PeerProcess> start_gnutls_cli(uint16_t port, const std::string& priority, const LeafFiles& leaf,
                                            std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {"gnutls-cli"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  for (const std::string& a : {std::string("-p"), std::to_string(port), std::string("--x509cafile"), leaf.ca_pem,
                               std::string("--priority"), priority, std::string("127.0.0.1")}) {
    argv.push_back(a);
  }
  std::string err;
  auto client = PeerProcess::start(argv, err);
  REQUIRE_MESSAGE(client.has_value(), err);
  return client;
}

TEST_CASE("sluice client -> gnutls-serv --echo: every group and key type") {
  require_gnutls();
  for (auto type : kKeyTypes) {
    for (auto group : kGroups) {
      const std::string tag = short_name(type) + "/" + gnutls_group(group);
      CAPTURE(tag);
      const LeafFiles& leaf = leaf_for(type);
      auto server = start_gnutls_serv(gnutls_priority(group), leaf);
      auto ctx = client_context(leaf.ca_pem);
      ctx->set_groups({group});
      const std::string msg = payload(6000, tag) + "\n";
      const auto out = run_client(ctx, server.port, "localhost", msg, msg.size());
      INFO("gnutls-serv said:\n" << tail(server.process->output()));
      CHECK_MESSAGE(out.error.empty(), out.error);
      CHECK(out.handshake_ok);
      CHECK(out.received == msg);
      CHECK(out.negotiated.group == group);
      CHECK(out.negotiated.cipher_suite == 0x1301);
      CHECK(out.clean_close);
    }
  }
}

TEST_CASE("gnutls-cli -> sluice server: every group and key type") {
  require_gnutls();
  for (auto type : kKeyTypes) {
    for (auto group : kGroups) {
      const std::string tag = short_name(type) + "/" + gnutls_group(group);
      CAPTURE(tag);
      const LeafFiles& leaf = leaf_for(type);
      const std::string msg = payload(6000, tag) + "\n";
      // gnutls-cli sends close_notify when its stdin ends and then waits for
      // ours; it does not answer a close_notify it receives first.
      auto server = SluiceServer::start(server_context(leaf), msg.size(), CloseOrder::kPeerFirst);
      REQUIRE(server);
      auto client = start_gnutls_cli(server->port(), gnutls_priority(group), leaf);
      CHECK(client->write_stdin(msg));
      // Keep stdin open until the echo is back: gnutls-cli ends the session
      // when stdin ends.
      CHECK(client->wait_for_output(msg));
      client->close_stdin();
      const auto status = client->wait_exit();
      const auto out = server->join();
      INFO("gnutls-cli said:\n" << tail(client->output()));
      CHECK(status == 0);
      CHECK_MESSAGE(out.error.empty(), out.error);
      CHECK(out.received == msg);
      CHECK(out.negotiated.group == group);
      CHECK(out.clean_close);
      const std::string& o = client->output();
      CHECK(o.find("Handshake was completed") != std::string::npos);
      CHECK(o.find("- Status: The certificate is trusted.") != std::string::npos);
      const std::string group_name = gnutls_group(group).substr(6);  // "X25519", "SECP256R1", ...
      CHECK(o.find("(TLS1.3-X.509)-(ECDHE-" + group_name + ")") != std::string::npos);
      CHECK(o.find("-(AES-128-GCM)") != std::string::npos);  // sluice's first preference
    }
  }
}

// TLS 1.2 priority strings: the version pinned, one AEAD, ECDHE, and
// RFC 5746 safe renegotiation required.
std::string gnutls12(const std::string& cipher, const std::string& sign) {
  return "NONE:+VERS-TLS1.2:+" + cipher + ":+AEAD:+ECDHE-" + sign + ":+SIGN-ALL:+GROUP-X25519:+GROUP-SECP256R1:+COMP-NULL:%SAFE_RENEGOTIATION";
}

TEST_CASE("TLS 1.2: sluice client -> gnutls-serv --echo, and gnutls-cli -> sluice server") {
  require_gnutls();
  struct Case {
    crypto::KeyType type;
    const char* cipher;
    const char* sign;
    uint16_t suite;
  };
  for (const Case& c : {Case{crypto::KeyType::kEcdsaP256, "AES-128-GCM", "ECDSA", 0xc02b},
                        Case{crypto::KeyType::kEcdsaP256, "CHACHA20-POLY1305", "ECDSA", 0xcca9},
                        Case{crypto::KeyType::kRsa, "AES-256-GCM", "RSA", 0xc030}}) {
    CAPTURE(c.cipher);
    const LeafFiles& leaf = leaf_for(c.type);
    const std::string priority = gnutls12(c.cipher, c.sign);
    {
      auto server = start_gnutls_serv(priority, leaf);
      auto ctx = client_context(leaf.ca_pem);
      const std::string msg = payload(6000, c.cipher) + "\n";
      const auto out = run_client(ctx, server.port, "localhost", msg, msg.size());
      INFO("gnutls-serv said:\n" << tail(server.process->output()));
      CHECK_MESSAGE(out.error.empty(), out.error);
      CHECK(out.negotiated.version == 0x0303);
      CHECK(out.negotiated.cipher_suite == c.suite);
      CHECK(out.received == msg);
      CHECK(out.clean_close);
    }
    {
      const std::string msg = payload(6000, c.cipher) + "\n";
      auto server = SluiceServer::start(server_context(leaf), msg.size(), CloseOrder::kPeerFirst);
      REQUIRE(server);
      auto client = start_gnutls_cli(server->port(), priority, leaf);
      CHECK(client->write_stdin(msg));
      CHECK(client->wait_for_output(msg));
      client->close_stdin();
      const auto status = client->wait_exit();
      const auto out = server->join();
      INFO("gnutls-cli said:\n" << tail(client->output()));
      CHECK(status == 0);
      CHECK(out.negotiated.version == 0x0303);
      CHECK(out.negotiated.cipher_suite == c.suite);
      CHECK(out.received == msg);
      CHECK(client->output().find("(TLS1.2-X.509)") != std::string::npos);
      // %SAFE_RENEGOTIATION in the priority string makes GnuTLS refuse a
      // peer without RFC 5746: the handshake completing shows it.
    }
  }
}

TEST_CASE("TLS 1.2 without the extended master secret (GnuTLS %NO_SESSION_HASH): refused by default, else RFC 5246's") {
  require_gnutls();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  const std::string priority = gnutls12("AES-128-GCM", "ECDSA") + ":%NO_SESSION_HASH";
  for (const bool allowed : {false, true}) {
    CAPTURE(allowed);
    const std::string msg = payload(3000, "no EMS") + "\n";
    {
      auto server = start_gnutls_serv(priority, leaf);
      auto ctx = client_context(leaf.ca_pem);
      ctx->set_require_extended_master_secret(!allowed);
      const auto out = run_client(ctx, server.port, "localhost", msg, msg.size());
      INFO("gnutls-serv said:\n" << tail(server.process->output()));
      if (!allowed) {
        CHECK_MESSAGE(out.error.find("extended master secret required") != std::string::npos, out.error);
      } else {
        CHECK_MESSAGE(out.error.empty(), out.error);
        CHECK(out.negotiated.version == 0x0303);
        CHECK(!out.negotiated.extended_master_secret);
        CHECK(out.received == msg);
      }
    }
    {
      auto ctx = server_context(leaf);
      ctx->set_require_extended_master_secret(!allowed);
      auto server = SluiceServer::start(ctx, msg.size(), CloseOrder::kPeerFirst);
      REQUIRE(server);
      auto client = start_gnutls_cli(server->port(), priority, leaf);
      if (allowed) {
        CHECK(client->write_stdin(msg));
        CHECK(client->wait_for_output(msg));
      }
      client->close_stdin();
      const auto status = client->wait_exit();
      const auto out = server->join();
      INFO("gnutls-cli said:\n" << tail(client->output()));
      if (!allowed) {
        CHECK(status != 0);
        CHECK_MESSAGE(out.error.find("extended master secret required") != std::string::npos, out.error);
      } else {
        CHECK(status == 0);
        CHECK(!out.negotiated.extended_master_secret);
        CHECK(out.received == msg);
      }
    }
  }
}

TEST_CASE("TLS 1.2 renegotiation: gnutls-cli --rehandshake retries until the sluice server's bound ends it") {
  require_gnutls();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  auto server = SluiceServer::start(server_context(leaf), 1, CloseOrder::kPeerFirst);
  REQUIRE(server);
  // --rehandshake: a ClientHello over the session right after the handshake.
  auto client = start_gnutls_cli(server->port(), gnutls12("AES-128-GCM", "ECDSA"), leaf, {"--rehandshake"});
  CHECK(client->wait_for_output("*** ReHandshake has failed"));
  client->close_stdin();
  (void)client->wait_exit();
  const auto out = server->join();
  INFO("gnutls-cli said:\n" << tail(client->output()));
  // Each refusal is a warning GnuTLS reports and retries after; the one
  // past the bound is fatal.
  size_t warnings = 0;
  for (size_t at = 0; (at = client->output().find("Non fatal error: A TLS warning alert has been received", at)) !=
                      std::string::npos;
       ++at) {
    ++warnings;
  }
  CHECK(warnings == static_cast<size_t>(kMaxRenegotiationRefusals));
  CHECK(client->output().find("Received alert [100]: No renegotiation is allowed") != std::string::npos);
  CHECK(client->output().find("Fatal error: A TLS fatal alert has been received") != std::string::npos);
  CHECK(out.negotiated.version == 0x0303);
  CHECK_MESSAGE(out.error.find("too many renegotiation attempts") != std::string::npos, out.error);
}

}  // namespace
}  // namespace sluice::interop
