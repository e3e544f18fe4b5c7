// The API used in every order a real caller may use it, and limits under a
// hostile peer: zero-copy spans that must stay valid, calls after close or
// failure, settings at their extremes, a KeyUpdate flood.
#include <doctest/doctest.h>

#include <algorithm>

#include "crypto/async/async_provider.h"
#include "pki/pinned_verifier.h"
#include "tests/engine/mitm.h"
#include "tests/engine/test_env.h"

namespace sluice {
namespace {

struct Pair {
  std::shared_ptr<Context> cctx, sctx;
  Connection client, server;
};

Pair pair(long mode = 0, size_t client_outbound_limit = 0) {
  const auto& cert = test::test_cert(crypto::KeyType::kEd25519);
  auto cctx = test::client_context(test::sodium_first(), cert);
  auto sctx = test::server_context(test::sodium_first(), cert);
  cctx->set_mode(mode);
  sctx->set_mode(mode);
  if (client_outbound_limit) cctx->set_outbound_limit(client_outbound_limit);
  return Pair{cctx, sctx, Connection::client(cctx, "localhost"), Connection::server(sctx)};
}

Pair established(long mode = 0) {
  Pair p = pair(mode);
  REQUIRE(test::handshake(p.client, p.server));
  return p;
}

// read_all reads what `c` has until it wants more.
std::vector<uint8_t> read_all(Connection& c) { return test::read_available(c); }

}  // namespace

TEST_CASE("write_space: draining outbound() before write_commit keeps the lent span") {
  for (long mode : {0L, kModeReleaseBuffers}) {
    CAPTURE(mode);
    Pair p = established(mode);
    const auto first = test::pattern(100, 1), second = test::pattern(50, 2);
    REQUIRE(p.client.write(first).status == Status::kOk);
    auto space = p.client.write_space();
    REQUIRE(space.size() >= second.size());
    std::copy(second.begin(), second.end(), space.begin());
    const auto on_the_wire = drain(p.client);  // the first record leaves while the span is held
    feed_all(p.server, on_the_wire);
    REQUIRE(p.client.write_commit(second.size()).status == Status::kOk);
    test::transfer(p.client, p.server);
    auto got = read_all(p.server);
    std::vector<uint8_t> want = first;
    want.insert(want.end(), second.begin(), second.end());
    CHECK(got == want);
  }
}

TEST_CASE("readable(): the span stays put while more bytes are fed") {
  Pair p = established(kModeReleaseBuffers);
  const auto small = test::pattern(100, 3), big = test::pattern(16000, 4);
  REQUIRE(p.client.write(small).status == Status::kOk);
  auto small_record = drain(p.client);
  REQUIRE(p.client.write(big).status == Status::kOk);
  auto big_record = drain(p.client);
  feed_all(p.server, small_record);
  auto span = p.server.readable();
  REQUIRE(span.size() == small.size());
  const uint8_t* at = span.data();
  // The big record does not fit the inbound buffer the small one came in;
  // feeding it must neither move nor free what readable() lent.
  size_t fed = 0;
  for (int i = 0; i < 100 && fed < big_record.size(); ++i) {
    size_t n = p.server.feed(std::span(big_record).subspan(fed));
    if (n == 0) break;
    fed += n;
  }
  CHECK(span.data() == at);
  CHECK(std::equal(span.begin(), span.end(), small.begin(), small.end()));
  p.server.read_consumed(span.size());
  feed_all(p.server, std::span(big_record).subspan(fed));
  CHECK(read_all(p.server) == big);
}

TEST_CASE("write_commit: refused without write_space, during a write() retry, after shutdown") {
  SUBCASE("without write_space") {
    Pair p = established();
    CHECK(p.client.write_commit(10).status == Status::kError);
    CHECK(p.client.error().origin == Origin::kApi);
    CHECK(drain(p.client).empty());
  }
  SUBCASE("after shutdown: nothing follows close_notify") {
    Pair p = established();
    REQUIRE(p.client.shutdown().status == Status::kWantRead);
    const auto close_notify = drain(p.client);
    CHECK(p.client.write_space().empty());
    CHECK(p.client.write_commit(10).status == Status::kError);
    CHECK(p.client.error().origin == Origin::kApi);
    CHECK(drain(p.client).empty());
    CHECK(close_notify.size() == 5 + 2 + 17);
  }
  SUBCASE("while a write() retry is pending") {
    Pair p = pair(0, 200);
    REQUIRE(test::handshake(p.client, p.server));
    const auto data = test::pattern(1000, 5);
    REQUIRE(p.client.write(data).status == Status::kWantWrite);
    auto space = p.client.write_space();
    if (!space.empty()) {
      CHECK(p.client.write_commit(1).status == Status::kError);
      CHECK(p.client.error().origin == Origin::kApi);
    }
  }
}

TEST_CASE("read() into an empty span reports what read() would") {
  Pair p = pair();
  std::span<uint8_t> none;
  CHECK(p.client.read(none).status == Status::kWantRead);
  CHECK(!drain(p.client).empty());  // it drove the handshake: the ClientHello is out
  Pair q = established();
  REQUIRE(q.client.shutdown().status == Status::kWantRead);
  test::transfer(q.client, q.server);
  CHECK(q.server.read(none).status == Status::kZeroReturn);
}

TEST_CASE("shutdown() during the handshake is refused and changes nothing") {
  Pair p = pair();
  REQUIRE(p.client.handshake().status == Status::kWantRead);
  const auto hello = drain(p.client);
  CHECK(p.client.shutdown().status == Status::kError);
  CHECK(p.client.error().origin == Origin::kApi);
  CHECK(drain(p.client).empty());  // no plaintext close_notify
  feed_all(p.server, hello);
  CHECK(test::handshake(p.client, p.server));
}

TEST_CASE("an outbound limit below one record's overhead still lets write() progress") {
  for (size_t limit : {size_t{1}, size_t{16}, size_t{22}}) {
    CAPTURE(limit);
    Pair p = pair(kModeEnablePartialWrite, limit);
    REQUIRE(test::handshake(p.client, p.server));
    const auto data = test::pattern(300, 6);
    size_t done = 0;
    for (int i = 0; i < 1000 && done < data.size(); ++i) {
      Progress r = p.client.write(std::span(data).subspan(done));
      if (r.status == Status::kOk) done += r.bytes;
      test::transfer(p.client, p.server);
    }
    CHECK(done == data.size());
    CHECK(read_all(p.server) == data);
  }
}

TEST_CASE("freelist settings: any length is accepted; without RELEASE_BUFFERS nothing is parked") {
  const auto& cert = test::test_cert(crypto::KeyType::kEd25519);
  auto sctx = test::server_context(test::sodium_first(), cert);
  sctx->set_freelist_max_len(SIZE_MAX);
  sctx->set_freelist_max_len(size_t{1} << 40);
  sctx->set_freelist_max_len(32);
  auto cctx = test::client_context(test::sodium_first(), cert);
  {
    Connection client = Connection::client(cctx, "localhost"), server = Connection::server(sctx);
    REQUIRE(test::handshake(client, server));
    const auto big = test::pattern(16000, 7);
    REQUIRE(client.write(big).status == Status::kOk);
    test::transfer(client, server);
    CHECK(read_all(server) == big);
  }
  CHECK(sctx->freelist_size() == 0);
  CHECK(cctx->freelist_size() == 0);
}

TEST_CASE("async_fd() is -1 while nothing is pending") {
  const auto& cert = test::test_cert(crypto::KeyType::kEd25519);
  std::shared_ptr<const crypto::Provider> async = crypto::make_async_provider(test::sodium_first());
  auto sctx = test::server_context(async, cert);
  auto cctx = test::client_context(test::sodium_first(), cert);
  sctx->set_mode(kModeAsync);
  Connection client = Connection::client(cctx, "localhost"), server = Connection::server(sctx);
  CHECK(server.async_fd() == -1);
  REQUIRE(client.handshake().status == Status::kWantRead);
  test::transfer(client, server);
  Progress r = server.handshake();
  REQUIRE(r.status == Status::kWantAsync);
  CHECK(server.async_fd() >= 0);
  REQUIRE(test::handshake(client, server));
  CHECK(server.async_fd() == -1);
}

TEST_CASE("a KeyUpdate flood with one-byte records: replies coalesce, the flood ends") {
  Pair p = established();
  // The server never drains its outbound: replies must not pile up.
  size_t max_held = 0;
  Progress last{};
  int pairs = 0;
  std::vector<uint8_t> buf(10);
  const uint8_t one = 1;
  for (; pairs < 5000; ++pairs) {
    REQUIRE(p.client.key_update(true).status == Status::kOk);
    REQUIRE(p.client.write(std::span(&one, 1)).status == Status::kOk);
    test::transfer(p.client, p.server);
    for (int i = 0; i < 4; ++i) {
      last = p.server.read(buf);
      if (last.status != Status::kWantRead || !p.server.has_pending()) break;
    }
    max_held = std::max(max_held, p.server.outbound().size());
    if (last.status == Status::kError) break;
  }
  MESSAGE("flood ended after ", pairs, " pairs; server outbound held at most ", max_held, " bytes");
  CHECK(last.status == Status::kError);
  CHECK(p.server.error().reason == Reason::kTooManyKeyUpdates);
  CHECK(max_held <= wire::kMaxRecordLen + 64);
}

TEST_CASE("KeyUpdate requests read one at a time, while our reply waits unsent, get that one reply") {
  Pair p = established();
  int updates_received = 0;  // KeyUpdates the client receives from the server
  p.cctx->set_message_callback([&](const MessageInfo& m) {
    if (!m.sent && m.content_type == wire::ContentType::kHandshake && m.type == 24) ++updates_received;
  });
  Connection client = Connection::client(p.cctx, "localhost"), server = Connection::server(p.sctx);
  REQUIRE(test::handshake(client, server));
  const uint8_t one = 1;
  // Five requests from the client, each read by the server on its own
  // while the server's application does not take what it has to send.
  for (int i = 0; i < 5; ++i) {
    REQUIRE(client.key_update(true).status == Status::kOk);
    REQUIRE(client.write(std::span(&one, 1)).status == Status::kOk);
    test::transfer(client, server);
    REQUIRE(read_all(server).size() == 1);
  }
  // Then the server answers: one KeyUpdate before its data.
  REQUIRE(server.write(std::span(&one, 1)).status == Status::kOk);
  test::transfer(server, client);
  CHECK(read_all(client).size() == 1);
  CHECK(updates_received == 1);
  // Once our reply is gone, the next request gets a reply of its own.
  REQUIRE(client.key_update(true).status == Status::kOk);
  REQUIRE(client.write(std::span(&one, 1)).status == Status::kOk);
  test::transfer(client, server);
  CHECK(read_all(server).size() == 1);
  REQUIRE(server.write(std::span(&one, 1)).status == Status::kOk);
  test::transfer(server, client);
  CHECK(read_all(client).size() == 1);
  CHECK(updates_received == 2);
}

TEST_CASE("a message too long to encode is an error, not a malformed message on the wire") {
  const auto& cert = test::test_cert(crypto::KeyType::kEd25519);
  auto sctx = test::server_context(test::sodium_first(), cert);
  auto cctx = test::client_context(test::sodium_first(), cert);
  sctx->set_client_auth(ClientAuth::kRequest);
  sctx->set_verifier(std::make_shared<pki::PinnedVerifier>(cert.der));
  // 70 names of 1,000 bytes: past the 2^16 - 1 of certificate_authorities.
  sctx->set_certificate_authorities(std::vector<std::vector<uint8_t>>(70, std::vector<uint8_t>(1000, 0x30)));
  Connection client = Connection::client(cctx, "localhost"), server = Connection::server(sctx);
  CHECK(!test::handshake(client, server));
  CHECK(server.error().reason == Reason::kConfiguration);
  CHECK(client.error().reason != Reason::kDecodeError);  // no malformed CertificateRequest reached it
}

TEST_CASE("outbound(): the span stays valid until outbound_consumed, whatever is sealed meanwhile") {
  Pair p = established(kModeReleaseBuffers);
  p.cctx->set_outbound_limit(1 << 20);
  Connection client = Connection::client(p.cctx, "localhost"), server = Connection::server(p.sctx);
  REQUIRE(test::handshake(client, server));
  const auto first = test::pattern(100, 8);
  REQUIRE(client.write(first).status == Status::kOk);
  auto lent = client.outbound();  // as a kernel send in flight would hold it
  const std::vector<uint8_t> copy(lent.begin(), lent.end());
  const uint8_t* at = lent.data();
  // Records that outgrow the buffer, then close_notify, while it is lent.
  const auto big = test::pattern(60000, 9);
  REQUIRE(client.write(big).status == Status::kOk);
  REQUIRE(client.shutdown().status == Status::kWantRead);
  CHECK(lent.data() == at);
  CHECK(std::equal(lent.begin(), lent.end(), copy.begin(), copy.end()));
  // The lent bytes go first, then the rest from the new storage.
  feed_all(server, lent);
  client.outbound_consumed(lent.size());
  std::vector<uint8_t> want = first;
  want.insert(want.end(), big.begin(), big.end());
  std::vector<uint8_t> got;
  for (int i = 0; i < 100 && got.size() < want.size(); ++i) {
    auto more = read_all(server);
    got.insert(got.end(), more.begin(), more.end());
    test::transfer(client, server);
  }
  CHECK(got.size() == want.size());
  CHECK(got == want);
  INFO(test::describe(server));
  CHECK(server.error().ok());
}

TEST_CASE("read() into a stale inbound_space() span, and write() from a write_space() span, still carry the data") {
  Pair p = established();
  const auto data = test::pattern(1000, 21);
  REQUIRE(p.client.write(data).status == Status::kOk);
  const auto wire_bytes = drain(p.client);
  // The caller receives into the lent space, commits, and then passes the
  // same span to read(): the record opens where it lies, not into itself.
  auto space = p.server.inbound_space();
  REQUIRE(space.size() >= wire_bytes.size());
  std::copy(wire_bytes.begin(), wire_bytes.end(), space.begin());
  p.server.inbound_commit(wire_bytes.size());
  Progress r = p.server.read(space);
  REQUIRE(r.status == Status::kOk);
  REQUIRE(r.bytes == data.size());
  CHECK(std::equal(data.begin(), data.end(), space.begin()));
  // Writing from the write space itself: the bytes are moved into place.
  auto out = p.server.write_space();
  REQUIRE(out.size() >= data.size());
  std::copy(data.begin(), data.end(), out.begin());
  REQUIRE(p.server.write(out.first(data.size())).status == Status::kOk);
  test::transfer(p.server, p.client);
  CHECK(read_all(p.client) == data);
}

TEST_CASE("RELEASE_BUFFERS: one read() that returns everything leaves the connection idle, its inbound buffer given back") {
  Pair p = established(kModeReleaseBuffers);
  std::vector<uint8_t> buf(4096);
  // Both sides idle first: the client has read past its tickets.
  while (p.client.read(buf).status == Status::kWantRead && p.client.has_pending()) {
  }
  const auto data = test::pattern(300, 22);
  for (size_t read_size : {size_t{4096}, size_t{100}}) {
    CAPTURE(read_size);
    const size_t idle = p.sctx->freelist_size();
    REQUIRE(p.client.write(data).status == Status::kOk);
    test::transfer(p.client, p.server);
    CHECK(p.sctx->freelist_size() < idle);  // the record took a buffer
    std::vector<uint8_t> got;
    while (got.size() < data.size()) {
      std::vector<uint8_t> part(read_size);
      Progress r = p.server.read(part);
      REQUIRE(r.status == Status::kOk);
      got.insert(got.end(), part.begin(), part.begin() + static_cast<ptrdiff_t>(r.bytes));
    }
    CHECK(got == data);
    CHECK(p.sctx->freelist_size() == idle);  // and gave it back with the last byte read
  }
}

TEST_CASE("inbound_commit(0) hands back space: an idle RELEASE_BUFFERS connection keeps no inbound buffer") {
  Pair p = established(kModeReleaseBuffers);
  const size_t before = p.sctx->freelist_size();
  auto space = p.server.inbound_space();
  REQUIRE(!space.empty());
  p.server.inbound_commit(0);  // a receive that brought nothing
  CHECK(p.sctx->freelist_size() == before);  // taken by inbound_space, back again
}

}  // namespace sluice
