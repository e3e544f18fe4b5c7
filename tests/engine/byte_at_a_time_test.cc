// The whole handshake and a transfer in both directions with the transport
// moving one byte per call each way, under every combination of the six mode
// flags (in the spirit of BoringSSL's async test mode): the application
// bytes must equal an unconstrained run's.
#include <doctest/doctest.h>
#include <poll.h>

#include <random>

#include "crypto/async/async_provider.h"
#include "core/wire/types.h"
#include "tests/engine/test_env.h"

namespace sluice {
namespace {

using test::pattern;

constexpr long kFlags[] = {kModeEnablePartialWrite, kModeAcceptMovingWriteBuffer, kModeAutoRetry,
                           kModeReleaseBuffers,     kModeSendFallbackScsv,        kModeAsync};


struct Side {
  Connection* conn;
  const std::vector<uint8_t>* to_send;
  size_t sent = 0;
  std::vector<uint8_t> received;
  bool key_update_sent = false;  // or, in TLS 1.2, the server's renegotiation request
  bool tls12 = false;
  bool established = false;  // once done, read()/write() drive any renegotiation
};

void wait_if_async(Connection& c, Progress p) {
  if (p.status != Status::kWantAsync) return;
  pollfd pfd{c.async_fd(), POLLIN, 0};
  (void)::poll(&pfd, 1, 5000);
}

// Checks in the per-byte loop only report failures: doctest assertions
// there would dominate the run time.
#define EXPECT_OK(cond, c)                                                                            \
  do {                                                                                                \
    if (!(cond)) FAIL(#cond, ": ", describe((c).error().reason), " ", std::string((c).error().detail)); \
  } while (0)

// step makes one round of application calls on one side.
void step(Side& s, bool send_key_update) {
  Connection& c = *s.conn;
  if (!s.established) {
    Progress p = c.handshake();
    EXPECT_OK(p.status != Status::kError, c);
    wait_if_async(c, p);
    if (!c.handshake_done()) return;
    s.established = true;
  }
  if (send_key_update && !s.key_update_sent && s.sent > s.to_send->size() / 2) {
    // TLS 1.3: a KeyUpdate asking for one back; TLS 1.2: a renegotiation.
    EXPECT_OK((s.tls12 ? c.renegotiate() : c.key_update(true)).status == Status::kOk, c);
    s.key_update_sent = true;
  }
  if (s.sent < s.to_send->size()) {
    // On kWantWrite the same buffer is passed again (it starts at `sent`,
    // which moves only when a write succeeds).
    Progress w = c.write(std::span(*s.to_send).subspan(s.sent));
    EXPECT_OK(w.status != Status::kError, c);
    wait_if_async(c, w);
    if (w.status == Status::kOk) s.sent += w.bytes;
  }
  uint8_t buf[7];
  for (int i = 0; i < 4; ++i) {
    Progress r = c.read(buf);
    EXPECT_OK(r.status != Status::kError, c);
    wait_if_async(c, r);
    if (r.status != Status::kOk) break;
    s.received.insert(s.received.end(), buf, buf + r.bytes);
  }
}

std::pair<std::vector<uint8_t>, std::vector<uint8_t>> run(long mode, size_t chunk, uint16_t version) {
  const auto& cert = test::test_cert(crypto::KeyType::kEd25519);
  static std::shared_ptr<const crypto::Provider> async_provider = crypto::make_async_provider(test::sodium_first());
  auto cctx = test::client_context(test::sodium_first(), cert);
  auto sctx = test::server_context(async_provider, cert);
  cctx->set_mode(mode);
  sctx->set_mode(mode);
  const bool tls12 = version == wire::kTls12;
  if (tls12) {
    cctx->set_max_version(wire::kTls12);
    sctx->set_max_version(wire::kTls12);  // so SEND_FALLBACK_SCSV is no fallback
    cctx->set_renegotiation(Renegotiation::kFreely);
  }
  Connection client = Connection::client(cctx, "localhost");
  Connection server = Connection::server(sctx);
  const auto up = pattern(20000, 11), down = pattern(20000, 12);
  Side c{&client, &up, 0, {}, false, tls12}, s{&server, &down, 0, {}, false, tls12};
  for (int i = 0; i < 2000000; ++i) {
    step(c, false);
    step(s, true);
    const size_t moved = test::transfer(client, server, chunk) + test::transfer(server, client, chunk);
    if (c.received.size() == down.size() && s.received.size() == up.size() && moved == 0 &&
        !client.wants_write() && !server.wants_write() && client.handshake_done() && server.handshake_done()) {
      break;
    }
  }
  CHECK(s.key_update_sent);
  CHECK(client.negotiated().version == version);
  CHECK(client.handshake_done());
  return {c.received, s.received};
}

}  // namespace

TEST_CASE("byte at a time under every combination of mode flags gives the unconstrained run's bytes") {
  for (uint16_t version : {wire::kTls13, wire::kTls12}) {
    CAPTURE(version);
    const auto reference = run(0, SIZE_MAX, version);
    REQUIRE(reference.first.size() == 20000);
    REQUIRE(reference.second.size() == 20000);
    REQUIRE(reference.first == pattern(20000, 12));
    REQUIRE(reference.second == pattern(20000, 11));
    for (int combo = 0; combo < 64; ++combo) {
      long mode = 0;
      for (int bit = 0; bit < 6; ++bit) {
        if (combo & (1 << bit)) mode |= kFlags[bit];
      }
      CAPTURE(mode);
      auto got = run(mode, 1, version);
      CHECK(got.first == reference.first);
      CHECK(got.second == reference.second);
    }
  }
}

}  // namespace sluice
