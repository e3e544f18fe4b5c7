// sluice against NSS (Debian's libnss3-tools): sluice's client to selfserv
// and tstclnt to sluice's server, ECDSA and RSA certificates, pinned to
// TLS 1.2 (-V tls1.2:tls1.2) and to TLS 1.3; and NSS limited to SHA-1
// signature schemes (-J), refused both ways.
//
// selfserv binds the wildcard address and has no option to bind another, so
// this test runs in a network namespace of its own with only loopback up
// (tests/interop/loopback_namespace.h). NSS reads keys and trust from a
// certificate database, built here from the test PKI with certutil and
// pk12util.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>

#include "adapters/net/loopback.h"
#include "tests/interop/loopback_namespace.h"
#include "tests/interop/matrix.h"
#include "tests/interop/peer_process.h"
#include "tests/interop/sluice_peer.h"
#include "tests/interop/test_pki.h"

namespace sluice::interop {
namespace {

void require_nss() {
  for (const char* tool : {"selfserv", "tstclnt", "certutil", "pk12util"}) {
    REQUIRE_MESSAGE(find_in_path(tool), tool << " is missing: install the Debian package 'libnss3-tools'");
  }
  const std::string err = enter_loopback_namespace();
  REQUIRE_MESSAGE(err.empty(), "cannot make a loopback-only network namespace for selfserv: " << err);
}

std::string scratch_dir() {
  const char* t = std::getenv("TEST_TMPDIR");
  return t && *t ? t : "/tmp";
}

void must(const std::vector<std::string>& argv) {
  const auto r = run_command(argv);
  std::string cmd;
  for (const auto& a : argv) cmd += a + " ";
  REQUIRE_MESSAGE(r.status == 0, cmd << "failed:\n" << r.output);
}

// nss_db builds (once per key type) a database holding `leaf`'s key and
// certificate under the nickname "leaf" and the test CA trusted for TLS
// servers; returns its "sql:DIR" name.
std::string nss_db(const LeafFiles& leaf) {
  static std::map<crypto::KeyType, std::string> made;
  if (auto it = made.find(leaf.type); it != made.end()) return it->second;
  const std::string dir = scratch_dir() + "/nss-" + short_name(leaf.type);
  must({"rm", "-rf", dir});
  must({"mkdir", "-p", dir});
  must({"openssl", "pkcs12", "-export", "-in", leaf.cert_pem, "-inkey", leaf.key_pem, "-name", "leaf", "-passout",
        "pass:", "-out", dir + "/leaf.p12"});
  const std::string db = "sql:" + dir;
  must({"certutil", "-N", "-d", db, "--empty-password"});
  must({"pk12util", "-i", dir + "/leaf.p12", "-d", db, "-W", ""});
  must({"certutil", "-A", "-d", db, "-n", "sluice-interop-ca", "-t", "C,,", "-i", leaf.ca_pem});
  return made[leaf.type] = db;
}

struct Case {
  crypto::KeyType type;
  const char* versions;  // selfserv/tstclnt -V
  uint16_t version;
  std::vector<uint16_t> suites;  // what sluice and NSS may settle on
};
const Case kCases[] = {
    {crypto::KeyType::kEcdsaP256, "tls1.2:tls1.2", 0x0303, {0xc02b, 0xc02c, 0xcca9}},
    {crypto::KeyType::kRsa, "tls1.2:tls1.2", 0x0303, {0xc02f, 0xc030, 0xcca8}},
    {crypto::KeyType::kEcdsaP256, "tls1.3:tls1.3", 0x0304, {0x1301, 0x1302, 0x1303}},
    {crypto::KeyType::kRsa, "tls1.3:tls1.3", 0x0304, {0x1301, 0x1302, 0x1303}},
};

bool contains(const std::vector<uint16_t>& v, uint16_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

}  // namespace

TEST_CASE("sluice client -> NSS selfserv: TLS 1.2 and 1.3, ECDSA and RSA") {
  require_nss();
  for (const Case& c : kCases) {
    const std::string tag = short_name(c.type) + "/" + c.versions;
    CAPTURE(tag);
    const LeafFiles& leaf = leaf_for(c.type);
    const std::string db = nss_db(leaf);
    auto port = net::free_loopback_port();
    REQUIRE(port);
    std::string err;
    // -G: the extended master secret, which sluice requires in TLS 1.2.
    auto server = PeerProcess::start(
        {"selfserv", "-p", std::to_string(*port), "-d", db, "-n", "leaf", "-V", c.versions, "-G"}, err);
    REQUIRE_MESSAGE(server.has_value(), err);
    REQUIRE_MESSAGE(wait_listening(*port), "selfserv did not listen:\n" << tail(server->output()));
    // selfserv answers an HTTP request with a fixed header and the request
    // itself as the body, then closes.
    const std::string request = "GET / HTTP/1.0\r\nX-Payload: " + payload(6000, tag) + "\r\n\r\n";
    const auto out = run_request(client_context(leaf.ca_pem), *port, "localhost", request);
    INFO("selfserv said:\n" << tail(server->output()));
    CHECK_MESSAGE(out.error.empty(), out.error);
    CHECK(out.handshake_ok);
    CHECK(out.negotiated.version == c.version);
    CHECK(contains(c.suites, out.negotiated.cipher_suite));
    CHECK(out.received.starts_with("HTTP/1.0 200 OK\r\n"));
    CHECK(out.received.find(request) != std::string::npos);
    CHECK(out.clean_close);
  }
}

TEST_CASE("NSS tstclnt -> sluice server: TLS 1.2 and 1.3, ECDSA and RSA") {
  require_nss();
  for (const Case& c : kCases) {
    const std::string tag = short_name(c.type) + "/" + c.versions;
    CAPTURE(tag);
    const LeafFiles& leaf = leaf_for(c.type);
    const std::string db = nss_db(leaf);
    const std::string msg = payload(6000, tag) + "\n";
    auto server = SluiceServer::start(server_context(leaf), msg.size(), CloseOrder::kSluiceFirst);
    REQUIRE(server);
    // tstclnt sends the file given with -A; its stdin stays unused (on a
    // pipe that has ended, it polls forever). It verifies the server against
    // the database's trusted CA and the name given with -a, and exits when
    // sluice's close_notify ends the session.
    const std::string request_file = scratch_dir() + "/nss-request-" + short_name(c.type);
    {
      std::ofstream f(request_file, std::ios::binary);
      f << msg;
    }
    std::string err;
    auto client = PeerProcess::start({"tstclnt", "-h", "127.0.0.1", "-p", std::to_string(server->port()), "-a",
                                      "localhost", "-d", db, "-V", c.versions, "-G", "-A", request_file},
                                     err);
    REQUIRE_MESSAGE(client.has_value(), err);
    CHECK(client->wait_for_output(msg));
    const auto status = client->wait_exit();
    client->close_stdin();
    const auto out = server->join();
    INFO("tstclnt said:\n" << tail(client->output()));
    CHECK(status == 0);
    CHECK_MESSAGE(out.error.empty(), out.error);
    CHECK(out.negotiated.version == c.version);
    CHECK(contains(c.suites, out.negotiated.cipher_suite));
    CHECK(out.received == msg);
    CHECK(out.clean_close);
  }
}

TEST_CASE("TLS 1.2 with SHA-1 signatures only (NSS -J): refused both ways with handshake_failure") {
  require_nss();
  struct Sha1Case {
    crypto::KeyType type;
    const char* schemes;  // -J
  };
  for (const Sha1Case& c : {Sha1Case{crypto::KeyType::kRsa, "rsa_pkcs1_sha1"},
                            Sha1Case{crypto::KeyType::kEcdsaP256, "ecdsa_sha1"}}) {
    CAPTURE(c.schemes);
    const LeafFiles& leaf = leaf_for(c.type);
    const std::string db = nss_db(leaf);
    {
      // tstclnt offers only the SHA-1 scheme: the sluice server has nothing
      // to sign its ServerKeyExchange with.
      auto server = SluiceServer::start(server_context(leaf), 1);
      REQUIRE(server);
      const std::string request_file = scratch_dir() + "/nss-sha1-request";
      {
        std::ofstream f(request_file, std::ios::binary);
        f << "x\n";
      }
      std::string err;
      auto client = PeerProcess::start({"tstclnt", "-h", "127.0.0.1", "-p", std::to_string(server->port()), "-a",
                                        "localhost", "-d", db, "-V", "tls1.2:tls1.2", "-G", "-J", c.schemes, "-A",
                                        request_file},
                                       err);
      REQUIRE_MESSAGE(client.has_value(), err);
      const auto status = client->wait_exit();
      client->close_stdin();
      const auto out = server->join();
      INFO("tstclnt said:\n" << tail(client->output()));
      CHECK(status.has_value());
      CHECK(status != 0);
      CHECK(!out.handshake_ok);
      CHECK_MESSAGE(out.error.find("(alert: handshake_failure)") != std::string::npos, out.error);
      CHECK(client->output().find("SSL_ERROR_NO_CYPHER_OVERLAP") != std::string::npos);
    }
    {
      // selfserv signs with the SHA-1 scheme alone, which sluice never offers.
      auto port = net::free_loopback_port();
      REQUIRE(port);
      std::string err;
      auto server = PeerProcess::start({"selfserv", "-p", std::to_string(*port), "-d", db, "-n", "leaf", "-V",
                                        "tls1.2:tls1.2", "-G", "-J", c.schemes},
                                       err);
      REQUIRE_MESSAGE(server.has_value(), err);
      REQUIRE_MESSAGE(wait_listening(*port), "selfserv did not listen:\n" << tail(server->output()));
      const auto out = run_request(client_context(leaf.ca_pem), *port, "localhost", "GET / HTTP/1.0\r\n\r\n");
      INFO("selfserv said:\n" << tail(server->output()));
      CHECK(!out.handshake_ok);
      CHECK_MESSAGE(out.error.find("alert received: handshake_failure") != std::string::npos, out.error);
    }
  }
}

}  // namespace sluice::interop
