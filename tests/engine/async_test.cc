// ASYNC across connections (SSL_CTX_set_mode(3), DESIGN.md): a pending
// signature belongs to the connection that started it. Many may be in
// flight on one context, from one event loop or many threads; an abandoned
// one wedges nothing; post-handshake authentication waits the same way.
#include <doctest/doctest.h>
#include <poll.h>

#include <atomic>
#include <thread>

#include "crypto/async/async_provider.h"
#include "pki/keys.h"
#include "pki/pinned_verifier.h"
#include "tests/engine/test_env.h"

namespace sluice {
namespace {

using crypto::KeyType;

const test::TestCert& cert() { return test::test_cert(KeyType::kEd25519); }

std::shared_ptr<Context> async_server(long mode) {
  std::shared_ptr<const crypto::Provider> async = crypto::make_async_provider(test::sodium_first());
  auto sctx = test::server_context(async, cert());
  sctx->set_mode(mode);
  return sctx;
}

bool readable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) == 1;
}

// drive runs a client/server pair, waiting on async_fd() when the server
// says kWantAsync. Returns true when both complete.
bool drive(Connection& client, Connection& server) {
  for (int i = 0; i < 200; ++i) {
    Progress c = client.handshake();
    test::transfer(client, server);
    Progress s = server.handshake();
    if (s.status == Status::kWantAsync) {
      if (server.async_fd() < 0 || !readable(server.async_fd(), 5000)) return false;
    }
    test::transfer(server, client);
    if (c.status == Status::kError || s.status == Status::kError) return false;
    if (client.handshake_done() && server.handshake_done()) return client.handshake().status == Status::kOk;
  }
  return false;
}

}  // namespace

TEST_CASE("ASYNC: a connection dropped while its signature is pending wedges nothing") {
  for (long mode : {long{kModeAsync}, 0L}) {
    CAPTURE(mode);
    auto sctx = async_server(kModeAsync);
    auto cctx = test::client_context(test::sodium_first(), cert());
    {
      Connection client = Connection::client(cctx, "localhost");
      Connection abandoned = Connection::server(sctx);
      REQUIRE(client.handshake().status == Status::kWantRead);
      test::transfer(client, abandoned);
      REQUIRE(abandoned.handshake().status == Status::kWantAsync);
    }  // destroyed with the signature in flight
    sctx->clear_mode(kModeAsync);
    sctx->set_mode(mode);
    for (int i = 0; i < 3; ++i) {
      Connection client = Connection::client(cctx, "localhost");
      Connection server = Connection::server(sctx);
      CHECK(drive(client, server));
    }
  }
}

TEST_CASE("ASYNC: many handshakes in flight on one context in one loop, each woken by its own fd") {
  auto sctx = async_server(kModeAsync);
  auto cctx = test::client_context(test::sodium_first(), cert());
  constexpr int kConnections = 20;
  std::vector<Connection> clients, servers;
  for (int i = 0; i < kConnections; ++i) {
    clients.push_back(Connection::client(cctx, "localhost"));
    servers.push_back(Connection::server(sctx));
    REQUIRE(clients[i].handshake().status == Status::kWantRead);
    test::transfer(clients[i], servers[i]);
  }
  // Every server reaches its signature before any completes is waited for.
  std::vector<int> fds;
  for (int i = 0; i < kConnections; ++i) {
    REQUIRE(servers[i].handshake().status == Status::kWantAsync);
    fds.push_back(servers[i].async_fd());
    CHECK(fds.back() >= 0);
  }
  std::sort(fds.begin(), fds.end());
  CHECK(std::adjacent_find(fds.begin(), fds.end()) == fds.end());  // one fd per operation
  for (int i = 0; i < kConnections; ++i) {
    INFO("connection ", i);
    REQUIRE(readable(servers[i].async_fd(), 5000));
    CHECK(drive(clients[i], servers[i]));
  }
}

TEST_CASE("ASYNC: a completion callback instead of the fd") {
  auto sctx = async_server(kModeAsync);
  auto cctx = test::client_context(test::sodium_first(), cert());
  Connection client = Connection::client(cctx, "localhost");
  Connection server = Connection::server(sctx);
  std::atomic<int> calls{0};
  server.set_async_callback([&] { ++calls; });
  REQUIRE(client.handshake().status == Status::kWantRead);
  test::transfer(client, server);
  REQUIRE(server.handshake().status == Status::kWantAsync);
  for (int i = 0; i < 500 && calls.load() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(calls.load() == 1);
  CHECK(drive(client, server));
}

TEST_CASE("without ASYNC, threads sharing one async context all complete") {
  auto sctx = async_server(0);
  auto cctx = test::client_context(test::sodium_first(), cert());
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        Connection client = Connection::client(cctx, "localhost");
        Connection server = Connection::server(sctx);
        if (test::handshake(client, server)) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok.load() == 80);
}

TEST_CASE("post-handshake authentication with ASYNC: read() says kWantAsync, never an empty signature") {
  const auto& client_cert = test::test_cert(KeyType::kEcdsaP256);
  std::shared_ptr<const crypto::Provider> async = crypto::make_async_provider(test::sodium_first());
  auto cctx = test::client_context(test::sodium_first(), cert());
  auto key = pki::parse_private_key_pem(client_cert.key_pem);
  REQUIRE(key);
  auto signer = async->new_signer(*key);
  REQUIRE(signer);
  cctx->set_certificate({{client_cert.der}, std::shared_ptr<crypto::Signer>(std::move(*signer))});
  cctx->set_post_handshake_auth(true);
  cctx->set_mode(kModeAsync);
  auto sctx = test::server_context(test::sodium_first(), cert());
  sctx->set_verifier(std::make_shared<pki::PinnedVerifier>(client_cert.der));
  Connection client = Connection::client(cctx, "localhost");
  Connection server = Connection::server(sctx);
  REQUIRE(test::handshake(client, server));
  REQUIRE(server.request_client_certificate().status == Status::kOk);
  test::transfer(server, client);
  std::vector<uint8_t> buf(10);
  Progress r{};
  for (int i = 0; i < 10; ++i) {  // tickets come first: without AUTO_RETRY one record per call
    r = client.read(buf);
    if (r.status != Status::kWantRead || !client.has_pending()) break;
  }
  REQUIRE(r.status == Status::kWantAsync);
  CHECK(client.outbound().empty());  // nothing sent before the signature exists
  REQUIRE(client.async_fd() >= 0);
  REQUIRE(readable(client.async_fd(), 5000));
  r = client.read(buf);
  CHECK(r.status == Status::kWantRead);
  test::transfer(client, server);
  server.read(buf);
  CHECK(server.error().ok());
  CHECK(server.client_certificate_requests() == 0);
  REQUIRE(server.negotiated().peer_chain.size() == 1);
  CHECK(server.negotiated().peer_chain.front() == client_cert.der);
}

}  // namespace sluice
