// TLS 1.2 against the openssl command line, both directions, every suite
// with the certificate type it takes, and the fallback story of RFC 7507:
// SEND_FALLBACK_SCSV on a client retrying with TLS 1.2 and a server above
// it answering inappropriate_fallback. Peers are on 127.0.0.1 only.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "adapters/blocking/blocking_stream.h"
#include "adapters/net/address.h"
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

std::optional<PeerProcess> start_s_server(const LeafFiles& leaf, std::vector<std::string> extra, uint16_t& out_port) {
  return start_openssl_server(leaf, extra, out_port);
}

struct Suite12 {
  uint16_t id;
  const char* openssl_name;
  crypto::KeyType cert;
};
const Suite12 kSuites12[] = {
    {0xc02b, "ECDHE-ECDSA-AES128-GCM-SHA256", crypto::KeyType::kEcdsaP256},
    {0xc02c, "ECDHE-ECDSA-AES256-GCM-SHA384", crypto::KeyType::kEcdsaP256},
    {0xcca9, "ECDHE-ECDSA-CHACHA20-POLY1305", crypto::KeyType::kEcdsaP256},
    {0xc02f, "ECDHE-RSA-AES128-GCM-SHA256", crypto::KeyType::kRsa},
    {0xc030, "ECDHE-RSA-AES256-GCM-SHA384", crypto::KeyType::kRsa},
    {0xcca8, "ECDHE-RSA-CHACHA20-POLY1305", crypto::KeyType::kRsa},
};

std::string reversed(std::string s) {
  std::reverse(s.begin(), s.end());
  return s;
}

}  // namespace

TEST_CASE("TLS 1.2: sluice client -> openssl s_server -tls1_2, every suite") {
  require_openssl();
  for (const auto& s : kSuites12) {
    for (auto group : {crypto::Group::kX25519, crypto::Group::kSecp256r1}) {
      CAPTURE(s.openssl_name);
      CAPTURE(openssl_group(group));
      const LeafFiles& leaf = leaf_for(s.cert);
      uint16_t port = 0;
      auto server = start_s_server(leaf, {"-tls1_2", "-rev", "-cipher", s.openssl_name, "-groups", openssl_group(group)}, port);
      REQUIRE_MESSAGE(server.has_value(), "openssl s_server did not start");
      auto ctx = client_context(leaf.ca_pem);
      const std::string line = payload(3000, s.openssl_name);
      const auto out = run_client(ctx, port, "localhost", line + "\n", line.size() + 1);
      INFO("openssl said:\n" << tail(server->output()));
      CHECK_MESSAGE(out.error.empty(), out.error);
      CHECK(out.handshake_ok);
      CHECK(out.negotiated.version == 0x0303);
      CHECK(out.negotiated.cipher_suite == s.id);
      CHECK(out.negotiated.group == group);
      CHECK(out.received == reversed(line) + "\n");
      CHECK(out.clean_close);
      server->wait_exit();
    }
  }
}

TEST_CASE("TLS 1.2: openssl s_client -tls1_2 -> sluice server, every suite") {
  require_openssl();
  for (const auto& s : kSuites12) {
    CAPTURE(s.openssl_name);
    const LeafFiles& leaf = leaf_for(s.cert);
    const std::string msg = payload(5000, s.openssl_name) + "\n";
    auto server = SluiceServer::start(server_context(leaf), msg.size());
    REQUIRE(server);
    std::string err;
    auto client = PeerProcess::start({"openssl", "s_client", "-tls1_2", "-cipher", s.openssl_name, "-connect",
                                      "127.0.0.1:" + std::to_string(server->port()), "-servername", "localhost",
                                      "-CAfile", leaf.ca_pem, "-verify_return_error", "-ign_eof"},
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
    CHECK(out.negotiated.version == 0x0303);
    CHECK(out.negotiated.cipher_suite == s.id);
    CHECK(out.clean_close);
    const std::string& o = client->output();
    CHECK(o.find("Verify return code: 0 (ok)") != std::string::npos);
    CHECK(o.find("Protocol  : TLSv1.2") != std::string::npos);
    CHECK(o.find("Extended master secret: yes") != std::string::npos);
    CHECK(o.find(std::string("Cipher    : ") + s.openssl_name) != std::string::npos);
  }
}

TEST_CASE("fallback SCSV: sluice retrying with TLS 1.2 and the flag meets openssl s_server (max TLS 1.3)") {
  require_openssl();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  for (bool scsv : {false, true}) {
    CAPTURE(scsv);
    uint16_t port = 0;
    auto server = start_s_server(leaf, {"-rev"}, port);
    REQUIRE(server.has_value());
    auto ctx = client_context(leaf.ca_pem);
    ctx->set_max_version(0x0303);  // the retry after a failed TLS 1.3 attempt
    if (scsv) ctx->set_mode(kModeSendFallbackScsv);
    const auto out = run_client(ctx, port, "localhost", "x\n", 2);
    INFO("openssl said:\n" << tail(server->output()));
    if (scsv) {
      CHECK(!out.handshake_ok);
      CHECK(out.error.find("inappropriate_fallback") != std::string::npos);
    } else {
      CHECK(out.handshake_ok);
      CHECK(out.negotiated.version == 0x0303);
    }
    server->wait_exit();
  }
}

TEST_CASE("fallback SCSV: openssl s_client -tls1_2 -fallback_scsv -> sluice server, max TLS 1.3 then 1.2") {
  require_openssl();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  for (bool server_max_12 : {false, true}) {
    CAPTURE(server_max_12);
    auto sctx = server_context(leaf);
    if (server_max_12) sctx->set_max_version(0x0303);
    const std::string msg = "fallback\n";
    auto server = SluiceServer::start(sctx, msg.size());
    REQUIRE(server);
    std::string err;
    auto client = PeerProcess::start({"openssl", "s_client", "-tls1_2", "-fallback_scsv", "-connect",
                                      "127.0.0.1:" + std::to_string(server->port()), "-servername", "localhost",
                                      "-CAfile", leaf.ca_pem, "-ign_eof"},
                                     err);
    REQUIRE_MESSAGE(client.has_value(), err);
    (void)client->write_stdin(msg);
    client->close_stdin();
    const auto status = client->wait_exit();
    const auto out = server->join();
    INFO("openssl said:\n" << tail(client->output()));
    if (server_max_12) {
      // A server whose maximum is TLS 1.2 is what the client falls back to.
      CHECK(status == 0);
      CHECK(out.handshake_ok);
      CHECK(out.received == msg);
    } else {
      CHECK(status != 0);
      CHECK(!out.handshake_ok);
      CHECK(client->output().find("inappropriate fallback") != std::string::npos);
    }
  }
}

TEST_CASE("keying material exporter matches openssl's, TLS 1.3 and TLS 1.2") {
  require_openssl();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  for (const char* version : {"-tls1_3", "-tls1_2"}) {
    CAPTURE(version);
    uint16_t port = 0;
    // The default mode (no -rev) prints the connection, keying material
    // included; the client sends a line and closes.
    auto server = start_s_server(leaf, {version, "-keymatexport", kExporterLabel, "-keymatexportlen", "20"}, port);
    REQUIRE(server.has_value());
    auto ctx = client_context(leaf.ca_pem);
    const auto out = run_client(ctx, port, "localhost", "abc\n", 0);
    server->wait_exit();
    INFO("openssl said:\n" << tail(server->output()));
    REQUIRE(out.handshake_ok);
    REQUIRE(out.exported.size() == 40);
    CHECK(server->output().find("Keying material: " + out.exported) != std::string::npos);
  }
}

TEST_CASE("TLS 1.2 renegotiation: openssl s_client's R command, refused by the sluice server") {
  require_openssl();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  // The server echoes what it reads and waits for more than comes.
  auto server = SluiceServer::start(server_context(leaf), 1000, CloseOrder::kPeerFirst);
  REQUIRE(server);
  std::string err;
  // No -ign_eof: with it s_client takes no command letters.
  auto client = PeerProcess::start({"openssl", "s_client", "-tls1_2", "-connect",
                                    "127.0.0.1:" + std::to_string(server->port()), "-servername", "localhost",
                                    "-CAfile", leaf.ca_pem, "-verify_return_error"},
                                   err);
  REQUIRE_MESSAGE(client.has_value(), err);
  CHECK(client->write_stdin("before renegotiation\n"));
  CHECK(client->wait_for_output("before renegotiation\n"));  // echoed
  // R on a read of its own: s_client sends a ClientHello over the session.
  CHECK(client->write_stdin("R\n"));
  // sluice answers with a warning no_renegotiation; OpenSSL's client ends
  // the connection itself when its renegotiation is refused (a fatal
  // handshake_failure, rec_layer_s3.c: "no renegotiation"), so data cannot
  // go on here; tests/engine/tls12_test.cc shows it going on.
  CHECK(client->wait_for_output("RENEGOTIATING"));
  CHECK(client->wait_for_output("no renegotiation"));
  client->close_stdin();
  (void)client->wait_exit();
  const auto out = server->join();
  INFO("openssl said:\n" << tail(client->output()));
  CHECK(out.negotiated.version == 0x0303);
  CHECK(out.received == "before renegotiation\n");
  CHECK_MESSAGE(out.error.find("alert received: handshake_failure") != std::string::npos, out.error);
}

TEST_CASE("TLS 1.2 renegotiation: openssl s_server's R command, with and without AUTO_RETRY") {
  require_openssl();
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  for (long mode : {long{kModeAutoRetry}, 0L}) {
    CAPTURE(mode);
    uint16_t port = 0;
    auto server = start_s_server(leaf, {"-tls1_2"}, port);
    REQUIRE(server.has_value());
    auto ctx = client_context(leaf.ca_pem);
    ctx->set_renegotiation(Renegotiation::kOnce);
    ctx->set_mode(mode);
    int handshakes = 0;  // one CLIENT_RANDOM key-log line per handshake
    ctx->set_key_log([&](std::string_view line) { handshakes += line.starts_with("CLIENT_RANDOM"); });
    auto fd = net::connect_to(net::SocketAddress::loopback4(port));
    REQUIRE(fd);
    adapters::BlockingStream s(std::move(*fd), Connection::client(ctx, "localhost"));
    s.set_timeout(std::chrono::seconds(10));
    REQUIRE(s.handshake());
    // R: s_server sends a HelloRequest; then a line of data. (s_server reads
    // its stdin once the connection is up; the pipe holds the lines.)
    REQUIRE(server->write_stdin("R\n"));
    // s_server takes a read of at most two bytes as a command: give the
    // command its own read before the data line follows.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    REQUIRE(server->write_stdin("after renegotiation\n"));
    std::string got;
    std::vector<uint8_t> buf(256);
    while (got.find("after renegotiation\n") == std::string::npos) {
      auto n = s.read(buf);
      REQUIRE_MESSAGE(n, n.error().describe() << " handshake_done=" << s.connection().handshake_done()
                             << " handshakes=" << handshakes << " got=" << got
                             << "\nopenssl said:\n" << tail(server->output()));
      REQUIRE(*n > 0);
      got.append(reinterpret_cast<const char*>(buf.data()), *n);
    }
    // Data may come while the renegotiation runs; a write waits for its end
    // (kWantRead until then, SSL_CTX_set_mode(3)) and goes out under the new keys.
    const std::string line = "from sluice\n";
    REQUIRE(s.write(std::span(reinterpret_cast<const uint8_t*>(line.data()), line.size())));
    CHECK(handshakes == 2);
    CHECK(s.connection().handshake_done());
    CHECK(s.connection().negotiated().version == 0x0303);
    // Our close_notify ends s_server's one connection (-naccept 1), after
    // it has printed what it read; closing its stdin first could end it
    // before that.
    (void)s.shutdown(true);
    server->wait_exit();
    server->close_stdin();
    CHECK(server->output().find("from sluice") != std::string::npos);
  }
}

}  // namespace sluice::interop
