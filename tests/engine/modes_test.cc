// The mode contract (SSL_CTX_set_mode(3) as DESIGN.md states it): one test
// per flag showing its documented behaviour and its absence.
#include <doctest/doctest.h>
#include <poll.h>

#include <algorithm>
#include <random>

#include "core/wire/types.h"
#include "crypto/async/async_provider.h"
#include "crypto/composite/composite_provider.h"
#include "crypto/deterministic/deterministic_provider.h"
#include "base/heap_counter.h"
#include "tests/engine/test_env.h"
#include "tests/support/counting_provider.h"

namespace sluice {
namespace {

using test::pattern;

using crypto::KeyType;


struct Pair {
  std::shared_ptr<Context> cctx, sctx;
  Connection client, server;
};

Pair make_pair(long client_mode = 0, long server_mode = 0, KeyType cert = KeyType::kEd25519,
               std::shared_ptr<const crypto::Provider> provider = test::sodium_first()) {
  auto cctx = test::client_context(provider, test::test_cert(cert));
  auto sctx = test::server_context(provider, test::test_cert(cert));
  cctx->set_mode(client_mode);
  sctx->set_mode(server_mode);
  Connection c = Connection::client(cctx, "localhost");
  Connection s = Connection::server(sctx);
  return Pair{cctx, sctx, std::move(c), std::move(s)};
}

Pair established(long client_mode = 0, long server_mode = 0,
                 std::shared_ptr<const crypto::Provider> provider = test::sodium_first()) {
  Pair p = make_pair(client_mode, server_mode, KeyType::kEd25519, std::move(provider));
  REQUIRE(test::handshake(p.client, p.server));
  return p;
}

std::vector<uint8_t> read_everything(Connection& c) {
  std::vector<uint8_t> got, buf(4096);
  for (int i = 0; i < 10000; ++i) {
    Progress r = c.read(buf);
    // Without AUTO_RETRY a ticket or KeyUpdate ends a read early; buffered
    // records are still there (has_pending), so go on.
    if (r.status == Status::kWantRead && c.has_pending()) continue;
    if (r.status != Status::kOk) break;
    got.insert(got.end(), buf.begin(), buf.begin() + static_cast<ptrdiff_t>(r.bytes));
  }
  return got;
}

// deliver pumps like an event loop (move bytes, read, repeat) until `n`
// application bytes have arrived or ten rounds have passed.
std::vector<uint8_t> deliver(Connection& from, Connection& to, size_t n) {
  std::vector<uint8_t> got;
  for (int i = 0; i < 10 && got.size() < n; ++i) {
    test::transfer(from, to);
    auto more = read_everything(to);
    got.insert(got.end(), more.begin(), more.end());
  }
  return got;
}

}  // namespace

TEST_CASE("set_mode adds and returns the new mask; clear_mode removes; connections copy the context's mode") {
  auto ctx = test::client_context(test::sodium_first(), test::test_cert(KeyType::kEd25519));
  CHECK(ctx->mode() == 0);  // every flag off by default, as in OpenSSL 1.1.0
  CHECK(ctx->set_mode(kModeEnablePartialWrite) == kModeEnablePartialWrite);
  CHECK(ctx->set_mode(kModeAutoRetry) == (kModeEnablePartialWrite | kModeAutoRetry));
  CHECK(ctx->set_mode(0) == (kModeEnablePartialWrite | kModeAutoRetry));  // never clears
  CHECK(ctx->clear_mode(kModeEnablePartialWrite) == kModeAutoRetry);
  Connection c = Connection::client(ctx, "localhost");
  CHECK(c.mode() == kModeAutoRetry);
  ctx->set_mode(kModeReleaseBuffers);  // later context changes do not reach it
  CHECK(c.mode() == kModeAutoRetry);
  CHECK(c.set_mode(kModeAcceptMovingWriteBuffer) == (kModeAutoRetry | kModeAcceptMovingWriteBuffer));
  CHECK(c.clear_mode(kModeAutoRetry) == kModeAcceptMovingWriteBuffer);
  CHECK(ctx->mode() == (kModeAutoRetry | kModeReleaseBuffers));
  Connection c2 = Connection::client(ctx, "localhost");
  CHECK(c2.mode() == (kModeAutoRetry | kModeReleaseBuffers));
}

TEST_CASE("ENABLE_PARTIAL_WRITE: write returns after one record; without it, kWantWrite until all is sealed") {
  const auto data = pattern(64 * 1024, 7);
  SUBCASE("with the flag") {
    Pair p = established(kModeEnablePartialWrite);
    Progress w = p.client.write(data);
    REQUIRE(w.status == Status::kOk);
    CHECK(w.bytes == wire::kMaxPlaintext);  // one full record's worth
    CHECK(w.bytes < data.size());
  }
  SUBCASE("without the flag: retries complete the write, no byte sealed twice or lost") {
    Pair p = established();
    int want_writes = 0;
    Progress w{};
    std::vector<uint8_t> received;
    for (int i = 0; i < 100; ++i) {
      w = p.client.write(data);  // the same buffer every time
      if (w.status == Status::kOk) break;
      REQUIRE(w.status == Status::kWantWrite);
      CHECK(w.bytes == 0);
      ++want_writes;
      test::transfer(p.client, p.server);
      auto got = read_everything(p.server);
      received.insert(received.end(), got.begin(), got.end());
    }
    REQUIRE(w.status == Status::kOk);
    CHECK(w.bytes == data.size());
    CHECK(want_writes >= 3);
    test::transfer(p.client, p.server);
    auto got = read_everything(p.server);
    received.insert(received.end(), got.begin(), got.end());
    CHECK(received == data);
  }
}

TEST_CASE("ACCEPT_MOVING_WRITE_BUFFER: a moved retry is a bad write retry without the flag, accepted with it") {
  const auto data = pattern(64 * 1024, 9);
  SUBCASE("without the flag") {
    Pair p = established();
    REQUIRE(p.client.write(data).status == Status::kWantWrite);
    test::transfer(p.client, p.server);
    const std::vector<uint8_t> moved = data;  // same bytes, other address
    Progress bad = p.client.write(moved);
    CHECK(bad.status == Status::kError);
    CHECK(p.client.error().reason == Reason::kBadWriteRetry);
    CHECK(p.client.error().origin == Origin::kApi);
    CHECK(std::string(p.client.error().detail).find("moved") != std::string::npos);
    // A retry shorter than what was already taken breaks the other rule.
    Progress shorter = p.client.write(std::span(data).first(100));
    CHECK(shorter.status == Status::kError);
    CHECK(std::string(p.client.error().detail).find("shorter") != std::string::npos);
    // The connection stays usable: the correct retry completes.
    std::vector<uint8_t> received;
    Progress w{};
    for (int i = 0; i < 100; ++i) {
      w = p.client.write(data);
      test::transfer(p.client, p.server);
      auto got = read_everything(p.server);
      received.insert(received.end(), got.begin(), got.end());
      if (w.status == Status::kOk) break;
    }
    CHECK(w.status == Status::kOk);
    CHECK(received == data);
  }
  SUBCASE("with the flag") {
    Pair p = established(kModeAcceptMovingWriteBuffer);
    REQUIRE(p.client.write(data).status == Status::kWantWrite);
    std::vector<uint8_t> received;
    Progress w{};
    for (int i = 0; i < 100; ++i) {
      test::transfer(p.client, p.server);
      auto got = read_everything(p.server);
      received.insert(received.end(), got.begin(), got.end());
      const std::vector<uint8_t> moved = data;  // a fresh address each retry
      w = p.client.write(moved);
      REQUIRE(w.status != Status::kError);
      if (w.status == Status::kOk) break;
    }
    CHECK(w.status == Status::kOk);
    test::transfer(p.client, p.server);
    auto got = read_everything(p.server);
    received.insert(received.end(), got.begin(), got.end());
    CHECK(received == data);
  }
}

TEST_CASE("AUTO_RETRY: a post-handshake message ends read() with kWantRead unless the flag is set") {
  for (bool ticket : {false, true}) {
    for (bool auto_retry : {false, true}) {
      CAPTURE(ticket);
      CAPTURE(auto_retry);
      Pair p = make_pair(auto_retry ? kModeAutoRetry : 0);
      p.sctx->set_ticket_count(ticket ? 1 : 0);
      Connection server = Connection::server(p.sctx);
      REQUIRE(test::handshake(p.client, server));
      if (!ticket) REQUIRE(server.key_update(false).status == Status::kOk);
      const auto data = pattern(100, 3);
      REQUIRE(server.write(data).status == Status::kOk);
      test::transfer(server, p.client);  // the ticket or KeyUpdate, then data
      std::vector<uint8_t> buf(200);
      Progress r = p.client.read(buf);
      if (!auto_retry) {
        CHECK(r.status == Status::kWantRead);
        CHECK(p.client.has_pending());   // the data record is already here...
        CHECK(!p.client.wants_read());   // ...so an event loop must not wait on the socket
        r = p.client.read(buf);
      }
      REQUIRE(r.status == Status::kOk);
      CHECK(std::vector<uint8_t>(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(r.bytes)) == data);
    }
  }
}

TEST_CASE("RELEASE_BUFFERS: an idle connection holds no record buffers; the freelist is capped") {
  auto idle_bytes = [](long mode) {
    Pair p = established(mode, mode);
    // Full records each way: buffers grow to their full size.
    const auto data = pattern(wire::kMaxPlaintext, 1);
    REQUIRE(p.client.write(data).status == Status::kOk);
    REQUIRE(deliver(p.client, p.server, data.size()) == data);
    REQUIRE(p.server.write(data).status == Status::kOk);
    REQUIRE(deliver(p.server, p.client, data.size()) == data);
    // Idle: everything drained. Measure each side by destroying it.
    const int64_t before = heap_stats().live_bytes;
    { Connection gone = std::move(p.server); }
    const int64_t server_bytes = before - heap_stats().live_bytes;
    const int64_t before_client = heap_stats().live_bytes;
    { Connection gone = std::move(p.client); }
    const int64_t client_bytes = before_client - heap_stats().live_bytes;
    MESSAGE("mode ", mode, ": idle client holds ", client_bytes, " bytes, idle server ", server_bytes, " bytes");
    return std::pair(client_bytes, server_bytes);
  };
  auto [client_kept, server_kept] = idle_bytes(0);
  auto [client_released, server_released] = idle_bytes(kModeReleaseBuffers);
  // Without the flag both record buffers stay (each about one record).
  CHECK(client_kept > static_cast<int64_t>(2 * wire::kMaxRecordLen));
  CHECK(server_kept > static_cast<int64_t>(2 * wire::kMaxRecordLen));
  // With it, none: what is left is keys and connection state.
  CHECK(client_released < static_cast<int64_t>(wire::kMaxRecordLen));
  CHECK(server_released < static_cast<int64_t>(wire::kMaxRecordLen));
  CHECK(client_kept - client_released > static_cast<int64_t>(2 * wire::kMaxPlaintext));

  // The freelist keeps at most freelist_max_len buffers.
  auto sctx = test::server_context(test::sodium_first(), test::test_cert(KeyType::kEd25519));
  auto cctx = test::client_context(test::sodium_first(), test::test_cert(KeyType::kEd25519));
  cctx->set_mode(kModeReleaseBuffers);
  cctx->set_freelist_max_len(3);
  CHECK(cctx->freelist_max_len() == 3);
  std::vector<Connection> clients, servers;
  for (int i = 0; i < 8; ++i) {
    clients.push_back(Connection::client(cctx, "localhost"));
    servers.push_back(Connection::server(sctx));
  }
  for (int i = 0; i < 8; ++i) REQUIRE(test::handshake(clients[i], servers[i]));
  CHECK(cctx->freelist_size() <= 3);
  CHECK(cctx->freelist_size() >= 1);
  auto dflt = test::client_context(test::sodium_first(), test::test_cert(KeyType::kEd25519));
  CHECK(dflt->freelist_max_len() == 32);
}

TEST_CASE("SEND_FALLBACK_SCSV: the client sends 0x5600; a server above the client's maximum sends inappropriate_fallback") {
  for (bool scsv : {false, true}) {
    CAPTURE(scsv);
    Pair p = make_pair(scsv ? kModeSendFallbackScsv : 0);
    p.cctx->set_max_version(wire::kTls12);
    Connection client = Connection::client(p.cctx, "localhost");
    REQUIRE(client.handshake().status == Status::kWantRead);
    auto hello = client.outbound();
    const uint8_t scsv_bytes[] = {0x56, 0x00};
    const bool on_wire = std::search(hello.begin(), hello.end(), std::begin(scsv_bytes), std::end(scsv_bytes)) != hello.end();
    CHECK(on_wire == scsv);
    test::transfer(client, p.server);
    if (!scsv) {
      // A TLS 1.2 client without the SCSV is not a fallback: TLS 1.2 it is.
      INFO("client: ", test::describe(client), " server: ", test::describe(p.server));
      CHECK(test::handshake(client, p.server));
      CHECK(client.negotiated().version == wire::kTls12);
      continue;
    }
    CHECK(p.server.handshake().status == Status::kError);
    const Alert expected = Alert::kInappropriateFallback;
    CHECK(p.server.error().alert == expected);
    test::transfer(p.server, client);
    CHECK(client.handshake().status == Status::kError);
    CHECK(client.error().origin == Origin::kReceived);
    CHECK(client.error().alert == expected);
  }
  // A TLS 1.3 client with the flag is not a fallback for a TLS 1.3 server.
  Pair ok = make_pair(kModeSendFallbackScsv);
  CHECK(test::handshake(ok.client, ok.server));
}

TEST_CASE("ASYNC: a pending signature gives kWantAsync and a readable async_fd; same bytes on the wire either way") {
  auto run = [](bool async_mode, int& want_async) {
    const uint8_t seed[] = {1, 2, 3};
    auto cprov = std::make_shared<crypto::DangerDeterministicProvider>(test::sodium_first(), crypto::Bytes(seed));
    auto sbase = std::make_shared<crypto::DangerDeterministicProvider>(test::sodium_first(), crypto::Bytes(seed));
    std::shared_ptr<const crypto::Provider> sprov = crypto::make_async_provider(sbase);
    const auto& cert = test::test_cert(KeyType::kEd25519);  // deterministic signatures
    auto cctx = test::client_context(cprov, cert);
    auto sctx = test::server_context(sprov, cert);
    if (async_mode) sctx->set_mode(kModeAsync);
    // Tickets carry their issue time: one fixed clock for both runs, or a
    // second boundary between them shows as a difference on the wire.
    for (auto* ctx : {&cctx, &sctx}) (*ctx)->set_clock_ms([] { return int64_t{1'700'000'000'000}; });
    Connection client = Connection::client(cctx, "localhost");
    Connection server = Connection::server(sctx);
    std::vector<uint8_t> wire;
    want_async = 0;
    for (int i = 0; i < 1000 && !(client.handshake_done() && server.handshake_done()); ++i) {
      Progress c = client.handshake();
      Progress s = server.handshake();
      REQUIRE(c.status != Status::kError);
      REQUIRE(s.status != Status::kError);
      if (s.status == Status::kWantAsync) {
        ++want_async;
        REQUIRE(server.async_fd() >= 0);
        pollfd pfd{server.async_fd(), POLLIN, 0};
        CHECK(::poll(&pfd, 1, 5000) == 1);  // readable on completion
        continue;
      }
      for (auto* from : {&client, &server}) {
        auto out = from->outbound();
        wire.insert(wire.end(), out.begin(), out.end());
      }
      test::transfer(client, server);
      test::transfer(server, client);
    }
    CHECK(client.handshake_done());
    CHECK(server.handshake_done());
    return wire;
  };
  int pending_async = 0, pending_sync = 0;
  auto with_async = run(true, pending_async);
  auto without = run(false, pending_sync);
  CHECK(pending_async >= 1);
  CHECK(pending_sync == 0);  // without the flag the engine waits itself
  INFO("sizes ", with_async.size(), " vs ", without.size(), " first difference at ",
       std::mismatch(with_async.begin(), with_async.end(), without.begin(), without.end()).first - with_async.begin());
  CHECK(with_async == without);
  CHECK(!with_async.empty());
}

TEST_CASE("steady state allocates nothing per record") {
  // The default provider too: its AES-GCM keys (IPsec MB where the CPU has
  // it) give their schedules up whenever RELEASE_BUFFERS finds the
  // connection idle, here after every record, and take them back.
  for (const auto& provider : {test::sodium_first(), crypto::default_provider()})
  for (long mode : {0L, kModeReleaseBuffers}) {
    CAPTURE(provider->name());
    CAPTURE(mode);
    Pair p = established(mode, mode, provider);
    const auto data = pattern(1000, 5);
    std::vector<uint8_t> buf(2000);
    auto round = [&] {
      REQUIRE(p.client.write(data).status == Status::kOk);
      test::transfer(p.client, p.server);
      Progress r = p.server.read(buf);
      REQUIRE(r.status == Status::kOk);
      REQUIRE(r.bytes == data.size());
    };
    for (int i = 0; i < 10; ++i) round();  // warm up (freelist, first buffers)
    const uint64_t before = heap_stats().allocations;
    for (int i = 0; i < 1000; ++i) round();
    const uint64_t per_1000 = heap_stats().allocations - before;
    MESSAGE("mode ", mode, ": ", per_1000, " allocations over 1000 records");
    CHECK(per_1000 == 0);
  }
}

TEST_CASE("KeyUpdate rekeys in place: no AEAD object is made per update, in either direction") {
  auto counting = std::make_shared<testing::CountingProvider>(test::sodium_first());
  const auto& cert = test::test_cert(crypto::KeyType::kEd25519);
  auto cctx = test::client_context(counting, cert), sctx = test::server_context(counting, cert);
  cctx->set_mode(kModeAutoRetry);  // reads go past the KeyUpdate messages
  sctx->set_mode(kModeAutoRetry);
  Connection client = Connection::client(cctx, "localhost"), server = Connection::server(sctx);
  REQUIRE(test::handshake(client, server));
  // One object per direction per side, made for the handshake keys (the
  // application keys rekeyed them), and the server's ticket key.
  const int after_handshake = counting->aeads_made.load();
  MESSAGE(after_handshake, " AEAD objects made by the handshake");
  CHECK(after_handshake == 5);
  const auto data = pattern(1000, 6);
  std::vector<uint8_t> buf(2000);
  for (int i = 0; i < 50; ++i) {
    // The client updates its keys and asks the server to update too; data
    // then flows both ways under the new keys.
    REQUIRE(client.key_update(true).status == Status::kOk);
    REQUIRE(client.write(data).status == Status::kOk);
    test::transfer(client, server);
    Progress r = server.read(buf);
    REQUIRE(r.status == Status::kOk);
    REQUIRE(r.bytes == data.size());
    REQUIRE(server.write(data).status == Status::kOk);
    test::transfer(server, client);
    r = client.read(buf);
    REQUIRE(r.status == Status::kOk);
    REQUIRE(r.bytes == data.size());
  }
  CHECK(counting->aeads_made.load() == after_handshake);
}

TEST_CASE("RELEASE_BUFFERS: an idle connection gives its AEAD key schedules up and takes them back; without it they stay") {
  for (long mode : {0L, kModeReleaseBuffers}) {
    CAPTURE(mode);
    auto counting = std::make_shared<testing::CountingProvider>(crypto::default_provider());
    const auto& cert = test::test_cert(KeyType::kEd25519);
    auto cctx = test::client_context(counting, cert), sctx = test::server_context(counting, cert);
    cctx->set_mode(mode);
    sctx->set_mode(mode);
    Connection client = Connection::client(cctx, "localhost"), server = Connection::server(sctx);
    REQUIRE(test::handshake(client, server));
    for (int round = 0; round < 3; ++round) {
      const auto data = pattern(300, 10 + round);
      const int before = counting->schedules_released.load();
      REQUIRE(client.write(data).status == Status::kOk);
      REQUIRE(deliver(client, server, data.size()) == data);
      REQUIRE(server.write(data).status == Status::kOk);
      REQUIRE(deliver(server, client, data.size()) == data);
      const int released = counting->schedules_released.load() - before;
      MESSAGE("round ", round, ": ", released, " schedules released");
      // Each side's write key once its record left, its read key once the
      // record was read: at least four.
      if (mode == kModeReleaseBuffers) {
        CHECK(released >= 4);
      } else {
        CHECK(released == 0);
      }
    }
  }
}

TEST_CASE("RELEASE_BUFFERS: a closed connection's buffers serve the next one; small writes take small storage") {
  auto cctx = test::client_context(test::sodium_first(), test::test_cert(KeyType::kEd25519));
  auto sctx = test::server_context(test::sodium_first(), test::test_cert(KeyType::kEd25519));
  cctx->set_mode(kModeReleaseBuffers);
  sctx->set_mode(kModeReleaseBuffers);
  // One connection's life, as in bench/tls_bench: handshake, a short
  // message each way.
  const auto data = pattern(100, 3);
  auto exchange = [&](Connection& c, Connection& s) {
    REQUIRE(test::handshake(c, s));
    REQUIRE(c.write(data).status == Status::kOk);
    REQUIRE(deliver(c, s, data.size()) == data);
    REQUIRE(s.write(data).status == Status::kOk);
    REQUIRE(deliver(s, c, data.size()) == data);
  };
  {
    Connection c = Connection::client(cctx, "localhost");
    Connection s = Connection::server(sctx);
    exchange(c, s);
  }
  // Its record buffers went to the freelists when it closed...
  CHECK(cctx->freelist_size() >= 1);
  CHECK(sctx->freelist_size() >= 1);
  // ...so the next connection allocates no record buffer of its own.
  const int64_t before = heap_stats().live_bytes;
  {
    Connection c = Connection::client(cctx, "localhost");
    Connection s = Connection::server(sctx);
    exchange(c, s);
    const int64_t grown = heap_stats().live_bytes - before;
    MESSAGE("second connection pair: ", grown, " bytes");
    CHECK(grown < static_cast<int64_t>(wire::kMaxRecordLen));
  }

  // Without the flag buffers stay with the connection, but a 100-byte write
  // takes storage for 100 bytes, not for a full record.
  Pair p = established();
  const std::vector<uint8_t> small(100, 0x42);
  REQUIRE(p.client.write(small).status == Status::kOk);
  test::transfer(p.client, p.server);
  REQUIRE(read_everything(p.server) == small);
  const int64_t held = heap_stats().live_bytes;
  { Connection gone = std::move(p.client); }
  const int64_t client_bytes = held - heap_stats().live_bytes;
  MESSAGE("client after a 100-byte write holds ", client_bytes, " bytes");
  CHECK(client_bytes < static_cast<int64_t>(wire::kMaxRecordLen));
}

}  // namespace sluice
