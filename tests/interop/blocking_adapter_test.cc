// BlockingStream: handshake and 1 MiB each way over a socketpair and over TCP
// on 127.0.0.1, one thread per side; plus the AUTO_RETRY-off path where a
// post-handshake record ends a read while more records are buffered.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "adapters/blocking/blocking_stream.h"
#include "core/modes.h"
#include "tests/interop/bulk_peer.h"
#include "tests/interop/test_pki.h"
#include "tests/interop/transport_pair.h"

namespace sluice::interop {
namespace {

constexpr size_t kMiB = 1 << 20;

struct SideResult {
  std::string error;
  std::vector<uint8_t> received;
};

// side: handshake, then send first or receive first, then close.
SideResult run_side(adapters::BlockingStream& s, const std::vector<uint8_t>& out, bool send_first) {
  SideResult r;
  auto fail = [&](const char* what, const adapters::StreamError& e) { r.error = std::string(what) + ": " + e.describe(); };
  if (auto h = s.handshake(); !h) {
    fail("handshake", h.error());
    return r;
  }
  r.received.resize(kMiB);
  for (int turn = 0; turn < 2; ++turn) {
    if ((turn == 0) == send_first) {
      if (auto w = s.write(out); !w) return fail("write", w.error()), r;
    } else {
      if (auto rd = s.read_exact(r.received); !rd) return fail("read", rd.error()), r;
    }
  }
  if (auto c = s.shutdown(); !c) fail("shutdown", c.error());
  return r;
}

void bulk_both_ways(Transport t, long client_mode) {
  const std::string transport = name(t);
  CAPTURE(transport);
  CAPTURE(client_mode);
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  auto [cfd, sfd] = connected_pair(t);
  REQUIRE(cfd.valid());
  REQUIRE(sfd.valid());
  auto cctx = client_context(leaf.ca_pem);
  cctx->set_mode(client_mode);
  adapters::BlockingStream client(std::move(cfd), Connection::client(cctx, "localhost"));
  adapters::BlockingStream server(std::move(sfd), Connection::server(server_context(leaf)));
  const auto c_out = pattern(kMiB, 1), s_out = pattern(kMiB, 2);
  SideResult sr;
  std::thread st([&] { sr = run_side(server, s_out, /*send_first=*/false); });
  const SideResult cr = run_side(client, c_out, /*send_first=*/true);
  st.join();
  CHECK_MESSAGE(cr.error.empty(), cr.error);
  CHECK_MESSAGE(sr.error.empty(), sr.error);
  CHECK(sr.received == c_out);
  CHECK(cr.received == s_out);
  // Ciphertext really crossed the transport, with record overhead on top.
  CHECK(client.bytes_sent() > kMiB);
  CHECK(client.bytes_received() > kMiB);
  CHECK(client.connection().handshake_done());
}

TEST_CASE("BlockingStream: 1 MiB each way over a socketpair") { bulk_both_ways(Transport::kSocketpair, 0); }
TEST_CASE("BlockingStream: 1 MiB each way over TCP on 127.0.0.1") { bulk_both_ways(Transport::kTcp, 0); }
TEST_CASE("BlockingStream: partial writes, moving buffers and released buffers") {
  bulk_both_ways(Transport::kTcp, kModeEnablePartialWrite | kModeAcceptMovingWriteBuffer | kModeReleaseBuffers);
}

TEST_CASE("BlockingStream: with AUTO_RETRY off, a read after a KeyUpdate loops without waiting on the socket") {
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEd25519);
  auto [cfd, sfd] = connected_pair(Transport::kSocketpair);
  REQUIRE(cfd.valid());
  auto cctx = client_context(leaf.ca_pem);
  REQUIRE((cctx->mode() & kModeAutoRetry) == 0);
  adapters::BlockingStream client(std::move(cfd), Connection::client(cctx, "localhost"));
  adapters::BlockingStream server(std::move(sfd), Connection::server(server_context(leaf)));
  std::string server_error;
  const std::string msg = "after the key update";
  std::thread st([&] {
    if (!server.handshake()) return void(server_error = "handshake");
    // KeyUpdate and the data go out back to back, so the client holds both
    // records when its read meets the KeyUpdate: the engine answers
    // kWantRead with has_pending() true. If the stream waited on the socket
    // here it would hang: the server sends nothing more until the client
    // answers.
    if (server.connection().key_update(false).status != Status::kOk) return void(server_error = "key_update");
    if (!server.write(std::span(reinterpret_cast<const uint8_t*>(msg.data()), msg.size()))) {
      return void(server_error = "write");
    }
    uint8_t b[64];
    auto n = server.read(b);  // the client's reply is our cue to close
    if (!n || *n != 1) return void(server_error = "read");
    if (!server.shutdown()) server_error = "shutdown";
  });
  REQUIRE(client.handshake());
  std::string got(msg.size(), '\0');
  auto r = client.read_exact(std::span(reinterpret_cast<uint8_t*>(got.data()), got.size()));
  CHECK_MESSAGE(r.ok(), (r ? "" : r.error().describe()));
  CHECK(got == msg);
  const uint8_t one = '!';
  CHECK(client.write(std::span(&one, 1)));
  CHECK(client.shutdown());
  st.join();
  CHECK_MESSAGE(server_error.empty(), server_error);
}

// Per-operation timeouts: each wait is bounded, whether the peer never
// answers the handshake, stops sending, or stops reading.
using Clock = std::chrono::steady_clock;

long elapsed_ms(Clock::time_point t0) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());
}

TEST_CASE("BlockingStream: a handshake against a silent peer times out") {
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  auto [cfd, sfd] = connected_pair(Transport::kTcp);
  REQUIRE(sfd.valid());
  adapters::BlockingStream client(std::move(cfd), Connection::client(client_context(leaf.ca_pem), "localhost"));
  client.set_timeout(std::chrono::milliseconds(200));
  const auto t0 = Clock::now();
  auto r = client.handshake();
  const long ms = elapsed_ms(t0);
  REQUIRE(!r);
  CHECK(r.error().kind == adapters::StreamError::Kind::kTimeout);
  CHECK(r.error().describe().find("recv") != std::string::npos);
  CHECK(ms >= 150);
  CHECK(ms < 5000);
}

TEST_CASE("BlockingStream: read and write time out against a peer that stops") {
  const LeafFiles& leaf = leaf_for(crypto::KeyType::kEcdsaP256);
  auto [cfd, sfd] = connected_pair(Transport::kSocketpair);
  REQUIRE(cfd.valid());
  adapters::BlockingStream client(std::move(cfd), Connection::client(client_context(leaf.ca_pem), "localhost"));
  adapters::BlockingStream server(std::move(sfd), Connection::server(server_context(leaf)));
  std::atomic<bool> release{false};
  std::thread st([&] {
    (void)server.handshake();
    // Then neither sends nor reads until the client is done.
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  });
  REQUIRE(client.handshake());
  client.set_timeout(std::chrono::milliseconds(200));
  uint8_t b[16];
  auto t0 = Clock::now();
  auto r = client.read(b);
  long ms = elapsed_ms(t0);
  REQUIRE(!r);
  CHECK(r.error().kind == adapters::StreamError::Kind::kTimeout);
  CHECK(ms >= 150);
  CHECK(ms < 5000);
  // 16 MiB cannot fit in a socketpair's buffers: the write must give up.
  const std::vector<uint8_t> big(16 << 20, 'w');
  t0 = Clock::now();
  auto w = client.write(big);
  ms = elapsed_ms(t0);
  REQUIRE(!w);
  CHECK(w.error().kind == adapters::StreamError::Kind::kTimeout);
  CHECK(w.error().describe().find("send") != std::string::npos);
  CHECK(ms >= 150);
  CHECK(ms < 5000);
  release = true;
  st.join();
}

}  // namespace
}  // namespace sluice::interop
