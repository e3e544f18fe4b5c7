// The `sluice` command line against real peers: curl fetching from
// `sluice s_server -www`, and `sluice s_client` talking to openssl s_server.
#include <doctest/doctest.h>

#include "crypto/algorithms.h"
#include "tests/interop/matrix.h"
#include "tests/interop/peer_process.h"
#include "tests/interop/sluice_cli.h"
#include "tests/interop/test_pki.h"
#include "tools/sluice/options.h"

namespace sluice::interop {
namespace {

TEST_CASE("curl --tlsv1.3 -> sluice s_server -www: groups, suites and key types") {
  REQUIRE_MESSAGE(find_in_path("curl"), "curl is missing: install the Debian package 'curl'");
  struct Case {
    crypto::KeyType type;
    crypto::Group group;
    size_t suite;
  };
  std::vector<Case> cases;
  for (auto g : kGroups) cases.push_back({crypto::KeyType::kEcdsaP256, g, 0});
  for (size_t s = 0; s < kSuites.size(); ++s) cases.push_back({crypto::KeyType::kEd25519, crypto::Group::kX25519, s});
  cases.push_back({crypto::KeyType::kRsa, crypto::Group::kSecp384r1, 1});
  cases.push_back({crypto::KeyType::kEcdsaP384, crypto::Group::kSecp256r1, 2});
  for (const auto& c : cases) {
    const std::string& suite = kSuites[c.suite].second;
    const std::string tag = short_name(c.type) + "/" + openssl_group(c.group) + "/" + suite;
    CAPTURE(tag);
    const LeafFiles& leaf = leaf_for(c.type);
    uint16_t port = 0;
    auto server = start_listener({sluice_binary(), "s_server", "-accept", "0", "-www", "-naccept", "1", "-cert",
                                  leaf.cert_pem, "-key", leaf.key_pem},
                                 port);
    REQUIRE_MESSAGE(server.has_value(), "sluice s_server did not start");
    std::string err;
    auto curl = PeerProcess::start({"curl", "-sS", "--max-time", "20", "--tlsv1.3", "--tls-max", "1.3", "--curves",
                                    openssl_group(c.group), "--tls13-ciphers", suite, "--cacert", leaf.ca_pem,
                                    "https://127.0.0.1:" + std::to_string(port) + "/interop"},
                                   err);
    REQUIRE(curl.has_value());
    const auto status = curl->wait_exit();
    server->wait_exit();
    INFO("curl said:\n" << tail(curl->output()) << "\nsluice s_server said:\n" << tail(server->output()));
    CHECK(status == 0);
    const std::string& body = curl->output();
    CHECK(body.find("sluice s_server") != std::string::npos);
    CHECK(body.find("Cipher: " + suite) != std::string::npos);
    CHECK(body.find("Group: " + std::string(crypto::name(c.group))) != std::string::npos);
    CHECK(server->output().find("REQUEST GET /interop HTTP/1.1") != std::string::npos);
    CHECK(server->output().find("CLOSE clean") != std::string::npos);
  }
}

TEST_CASE("curl --tls-max 1.2 -> sluice s_server -www: TLS 1.2 suites") {
  REQUIRE_MESSAGE(find_in_path("curl"), "curl is missing: install the Debian package 'curl'");
  struct Case {
    crypto::KeyType type;
    const char* openssl_cipher;
    const char* iana;
  };
  for (const Case& c : {Case{crypto::KeyType::kEcdsaP256, "ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
                        Case{crypto::KeyType::kRsa, "ECDHE-RSA-CHACHA20-POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"}}) {
    CAPTURE(c.iana);
    const LeafFiles& leaf = leaf_for(c.type);
    uint16_t port = 0;
    auto server = start_listener({sluice_binary(), "s_server", "-accept", "0", "-www", "-naccept", "1", "-cert",
                                  leaf.cert_pem, "-key", leaf.key_pem},
                                 port);
    REQUIRE_MESSAGE(server.has_value(), "sluice s_server did not start");
    std::string err;
    auto curl = PeerProcess::start({"curl", "-sS", "--max-time", "20", "--tlsv1.2", "--tls-max", "1.2", "--ciphers",
                                    c.openssl_cipher, "--cacert", leaf.ca_pem,
                                    "https://127.0.0.1:" + std::to_string(port) + "/tls12"},
                                   err);
    REQUIRE(curl.has_value());
    const auto status = curl->wait_exit();
    server->wait_exit();
    INFO("curl said:\n" << tail(curl->output()) << "\nsluice s_server said:\n" << tail(server->output()));
    CHECK(status == 0);
    const std::string& body = curl->output();
    CHECK(body.find("Protocol: TLSv1.2") != std::string::npos);
    CHECK(body.find(std::string("Cipher: ") + c.iana) != std::string::npos);
    CHECK(server->output().find("CLOSE clean") != std::string::npos);
  }
}

TEST_CASE("sluice s_client -> openssl s_server -www, verifying with -CAfile") {
  REQUIRE_MESSAGE(find_in_path("openssl"), "the openssl binary is missing: install the Debian package 'openssl'");
  for (auto g : kGroups) {
    CAPTURE(openssl_group(g));
    const LeafFiles& leaf = leaf_for(crypto::KeyType::kRsa);
    uint16_t port = 0;
    auto server = start_listener({"openssl", "s_server", "-tls1_3", "-accept", "127.0.0.1:0", "-naccept", "1", "-www",
                                  "-cert", leaf.cert_pem, "-key", leaf.key_pem, "-groups", openssl_group(g)},
                                 port);
    REQUIRE_MESSAGE(server.has_value(), "openssl s_server did not start");
    std::string err;
    auto client = PeerProcess::start({sluice_binary(), "s_client", "-connect", "127.0.0.1:" + std::to_string(port),
                                      "-servername", "localhost", "-CAfile", leaf.ca_pem, "-groups",
                                      std::string(crypto::name(g)), "-ign_eof"},
                                     err);
    REQUIRE(client.has_value());
    client->write_stdin("GET / HTTP/1.0\r\n\r\n");
    client->close_stdin();
    const auto status = client->wait_exit();
    server->wait_exit();
    INFO("sluice s_client said:\n" << tail(client->output()));
    CHECK(status == 0);
    const std::string& o = client->output();
    CHECK(o.find("HTTP/1.0 200 ok") != std::string::npos);
    CHECK(o.find("Group: " + std::string(crypto::name(g))) != std::string::npos);
    CHECK(o.find("Signature: rsa_pss_rsae_sha256") != std::string::npos);
    CHECK(o.find("CLOSE clean") != std::string::npos);
  }
}

}  // namespace
}  // namespace sluice::interop
