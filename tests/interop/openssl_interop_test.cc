// sluice against the openssl command line (s_server and s_client), both
// directions, over every group and certificate key type. Peers listen and
// connect on 127.0.0.1 only.
#include <doctest/doctest.h>

#include <algorithm>

#include "tests/interop/matrix.h"
#include "tests/interop/openssl_peer.h"
#include "tests/interop/peer_process.h"
#include "tests/interop/sluice_peer.h"
#include "tests/interop/test_pki.h"
#include "tools/sluice/options.h"

namespace sluice::interop {
namespace {

void require_openssl() {
  REQUIRE_MESSAGE(find_in_path("openssl"), "the openssl binary is missing: install the Debian package 'openssl'");
}

// start_s_server runs `openssl s_server` on a kernel-chosen 127.0.0.1 port
// and returns the port from its "ACCEPT 127.0.0.1:PORT" line, which it
// prints once listening.
std::optional<PeerProcess> start_s_server(const LeafFiles& leaf, std::vector<std::string> extra, uint16_t& out_port) {
  extra.insert(extra.begin(), "-tls1_3");
  return start_openssl_server(leaf, extra, out_port);
}

std::string reversed_line(std::string s) {
  std::reverse(s.begin(), s.end());
  return s;
}

TEST_CASE("sluice client -> openssl s_server -rev: every group and key type") {
  require_openssl();
  for (auto type : kKeyTypes) {
    for (auto group : kGroups) {
      const std::string tag = short_name(type) + "/" + openssl_group(group);
      CAPTURE(tag);
      const LeafFiles& leaf = leaf_for(type);
      uint16_t port = 0;
      auto server = start_s_server(leaf, {"-rev", "-groups", openssl_group(group)}, port);
      REQUIRE_MESSAGE(server.has_value(), "openssl s_server did not start");
      auto ctx = client_context(leaf.ca_pem);
      // The client sends one key share, for its first group (no HRR yet).
      ctx->set_groups({group});
      // -rev answers each line with the line reversed.
      const std::string line = payload(3000, tag);
      const auto out = run_client(ctx, port, "localhost", line + "\n", line.size() + 1);
      INFO("openssl said:\n" << tail(server->output()));
      CHECK_MESSAGE(out.error.empty(), out.error);
      CHECK(out.handshake_ok);
      CHECK(out.received == reversed_line(line) + "\n");
      CHECK(out.negotiated.group == group);
      CHECK(out.negotiated.cipher_suite == 0x1301);
      CHECK(out.negotiated.peer_chain.size() == 1);
      CHECK(out.clean_close);
      server->wait_exit();
      CHECK(server->output().find("Ciphersuite: TLS_AES_128_GCM_SHA256") != std::string::npos);
    }
  }
}

TEST_CASE("sluice client -> openssl s_server -www: each cipher suite the server insists on") {
  require_openssl();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  for (const auto& [id, suite] : kSuites) {
    CAPTURE(suite);
    uint16_t port = 0;
    auto server = start_s_server(leaf, {"-www", "-ciphersuites", suite}, port);
    REQUIRE(server.has_value());
    const std::string request = "GET / HTTP/1.0\r\n\r\n";
    // -www answers with a page describing the session and then closes with
    // close_notify: read a generous amount and let the close end the read.
    auto ctx = client_context(leaf.ca_pem);
    auto out = run_client(ctx, port, "localhost", request, 1 << 20);
    INFO("openssl said:\n" << tail(server->output()));
    CHECK(out.handshake_ok);
    CHECK(out.negotiated.cipher_suite == id);
    CHECK(out.received.rfind("HTTP/1.0 200 ok", 0) == 0);
    // The page names the suite openssl negotiated, from its side.
    CHECK(out.received.find("Cipher    : " + suite) != std::string::npos);
    // The read ended on the server's close_notify, not on a truncation.
    CHECK(out.error.rfind("close_notify after", 0) == 0);
  }
}

TEST_CASE("openssl s_client -> sluice server: every group and key type") {
  require_openssl();
  for (auto type : kKeyTypes) {
    for (auto group : kGroups) {
      const std::string tag = short_name(type) + "/" + openssl_group(group);
      CAPTURE(tag);
      const LeafFiles& leaf = leaf_for(type);
      const std::string msg = payload(5000, tag) + "\n";
      auto server = SluiceServer::start(server_context(leaf), msg.size());
      REQUIRE(server);
      std::string err;
      auto client = PeerProcess::start({"openssl", "s_client", "-tls1_3", "-connect",
                                        "127.0.0.1:" + std::to_string(server->port()), "-servername", "localhost",
                                        "-CAfile", leaf.ca_pem, "-verify_return_error", "-groups",
                                        openssl_group(group), "-ign_eof"},
                                       err);
      REQUIRE_MESSAGE(client.has_value(), err);
      CHECK(client->write_stdin(msg));
      client->close_stdin();
      const auto status = client->wait_exit();
      const auto out = server->join();
      INFO("openssl said:\n" << tail(client->output()));
      CHECK(status == 0);
      CHECK_MESSAGE(out.error.empty(), out.error);
      CHECK(out.received == msg);
      CHECK(out.negotiated.group == group);
      CHECK(out.clean_close);
      const std::string& o = client->output();
      CHECK(o.find(msg) != std::string::npos);  // the echo came back
      CHECK(o.find("Verify return code: 0 (ok)") != std::string::npos);
      CHECK(o.find(openssl_temp_key(group)) != std::string::npos);
      // Both sides name the same suite: sluice's first preference.
      CHECK(out.negotiated.cipher_suite == 0x1301);
      CHECK(o.find("Cipher is TLS_AES_128_GCM_SHA256") != std::string::npos);
    }
  }
}

TEST_CASE("openssl s_client -sigalgs picks among a server's RSA, ECDSA and Ed25519 certificates") {
  require_openssl();
  struct Case {
    const char* sigalgs;
    crypto::KeyType expected;
  };
  for (const Case& c : {Case{"ECDSA+SHA256", crypto::KeyType::kEcdsaP256}, Case{"ed25519", crypto::KeyType::kEd25519},
                        Case{"RSA-PSS+SHA256", crypto::KeyType::kRsa}}) {
    CAPTURE(c.sigalgs);
    // One context holding three certified keys (the first one's chain
    // comes from server_context, the others are added).
    auto ctx = server_context(leaf_for(crypto::KeyType::kRsa));
    for (auto type : {crypto::KeyType::kEcdsaP256, crypto::KeyType::kEd25519}) {
      auto other = server_context(leaf_for(type));
      ctx->add_certificate(other->certificate());
    }
    const LeafFiles& leaf = leaf_for(c.expected);
    const std::string msg = "which key\n";
    auto server = SluiceServer::start(ctx, msg.size());
    REQUIRE(server);
    std::string err;
    auto client = PeerProcess::start({"openssl", "s_client", "-tls1_3", "-connect",
                                      "127.0.0.1:" + std::to_string(server->port()), "-servername", "localhost",
                                      "-CAfile", leaf.ca_pem, "-verify_return_error", "-sigalgs", c.sigalgs, "-ign_eof"},
                                     err);
    REQUIRE_MESSAGE(client.has_value(), err);
    CHECK(client->write_stdin(msg));
    client->close_stdin();
    const auto status = client->wait_exit();
    const auto out = server->join();
    INFO("openssl said:\n" << tail(client->output()));
    CHECK(status == 0);
    CHECK_MESSAGE(out.error.empty(), out.error);
    CHECK(crypto::scheme_key_type(out.negotiated.signature_scheme) == c.expected);
    CHECK(client->output().find("Verify return code: 0 (ok)") != std::string::npos);
  }
}

TEST_CASE("openssl s_client rejecting our certificate: its alert is reported as the peer's, not answered") {
  require_openssl();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  // The system roots (package ca-certificates): none of them signed our chain.
  const std::string roots = "/etc/ssl/certs/ca-certificates.crt";
  auto server = SluiceServer::start(server_context(leaf), 1);
  REQUIRE(server);
  std::string err;
  auto client = PeerProcess::start({"openssl", "s_client", "-tls1_3", "-connect",
                                    "127.0.0.1:" + std::to_string(server->port()), "-servername", "localhost",
                                    "-CAfile", roots, "-verify_return_error"},
                                   err);
  REQUIRE_MESSAGE(client.has_value(), err);
  client->close_stdin();
  const auto status = client->wait_exit();
  const auto out = server->join();
  INFO("openssl said:\n" << tail(client->output()) << "\nsluice: " << out.error);
  CHECK(status != 0);
  CHECK(!out.handshake_ok);
  // The peer's unknown_ca, however it was framed, not a record-layer error of ours.
  CHECK(out.error.find("unknown_ca") != std::string::npos);
}

}  // namespace
}  // namespace sluice::interop
