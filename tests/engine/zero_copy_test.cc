// The zero-copy calls: decrypted bytes read in place, plaintext written
// straight into the next record, and inbound space lent out across other
// calls (as io_uring does) without moving. And the copying calls' one
// copy: write() seals from the caller's buffer and read() opens into it.
#include <doctest/doctest.h>

#include <random>

#include "crypto/composite/composite_provider.h"
#include "tests/engine/test_env.h"
#include "tests/support/counting_provider.h"

namespace sluice {
namespace {

using test::pattern;


struct Pair {
  std::shared_ptr<Context> cctx, sctx;
  Connection client, server;
};

Pair established(long mode = 0) {
  auto cctx = test::client_context(test::sodium_first(), test::test_cert(crypto::KeyType::kEd25519));
  auto sctx = test::server_context(test::sodium_first(), test::test_cert(crypto::KeyType::kEd25519));
  cctx->set_mode(mode);
  sctx->set_mode(mode);
  Pair p{cctx, sctx, Connection::client(cctx, "localhost"), Connection::server(sctx)};
  REQUIRE(test::handshake(p.client, p.server));
  return p;
}

// within: `part` lies inside `whole`.
bool within(std::span<const uint8_t> part, std::span<const uint8_t> whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

// only_zeros_or: every byte is zero (wiped) or `untouched` (never written).
bool only_zeros_or(std::span<const uint8_t> bytes, uint8_t untouched) {
  return std::all_of(bytes.begin(), bytes.end(), [&](uint8_t b) { return b == 0 || b == untouched; });
}

// write_all writes `data` from `from` (a retry after each kWantWrite, the
// outbound buffer having been taken) and hands it all to `to`.
void write_all(Connection& from, Connection& to, std::span<const uint8_t> data) {
  Progress w;
  while ((w = from.write(data)).status == Status::kWantWrite) test::transfer(from, to);
  REQUIRE(w.status == Status::kOk);
  test::transfer(from, to);
}

struct CountedPair {
  std::shared_ptr<testing::CountingProvider> counting;
  std::shared_ptr<Context> cctx, sctx;
  Connection client, server;
};

// counted: a connection over the default provider, counted, with `suite`
// and, when padding_block > 0, the server padding its TLS 1.3 records.
CountedPair counted(wire::CipherSuite suite, size_t padding_block = 0) {
  auto counting = std::make_shared<testing::CountingProvider>(crypto::default_provider());
  const bool tls12 = static_cast<uint16_t>(suite) >= 0xc000;
  const auto& cert = test::test_cert(tls12 ? crypto::KeyType::kEcdsaP256 : crypto::KeyType::kEd25519);
  auto cctx = test::client_context(counting, cert), sctx = test::server_context(counting, cert);
  cctx->set_cipher_suites({suite});
  sctx->set_cipher_suites({suite});
  if (tls12) cctx->set_max_version(wire::kTls12);
  sctx->set_record_padding(padding_block);
  CountedPair p{counting, cctx, sctx, Connection::client(cctx, "localhost"), Connection::server(sctx)};
  REQUIRE(test::handshake(p.client, p.server));
  return p;
}

}  // namespace

TEST_CASE("write() seals from the caller's buffer and read() opens into the caller's, in TLS 1.3 and 1.2") {
  for (auto suite : {wire::CipherSuite::kAes128GcmSha256, wire::CipherSuite::kChaCha20Poly1305Sha256,
                     wire::CipherSuite::kEcdheEcdsaAes256GcmSha384,
                     wire::CipherSuite::kEcdheEcdsaChaCha20Poly1305Sha256}) {
    for (size_t padding : {size_t{0}, size_t{256}}) {
      CAPTURE(static_cast<uint16_t>(suite));
      CAPTURE(padding);
      CountedPair p = counted(suite, padding);
      auto& heads = p.counting->aead_heads;
      // The client reads past the server's tickets first: its next read()
      // then meets application data only.
      std::vector<uint8_t> buf(40000, 0xee);
      while (p.client.read(buf).status == Status::kWantRead && p.client.has_pending()) {
      }
      CHECK(only_zeros_or(buf, 0xee));  // no ticket bytes were left in it

      // Server to client: 20,000 bytes are two records, the second shorter.
      const auto data = pattern(20000, 7);
      heads = {};
      write_all(p.server, p.client, data);
      REQUIRE(heads.sealed_from.size() == 2);
      CHECK(heads.sealed_from[0].data() == data.data());
      CHECK(within(heads.sealed_from[1], data));
      std::fill(buf.begin(), buf.end(), 0xee);
      // (The inbound buffer may take one record at a time: read on.)
      size_t done = 0;
      Progress r;
      while (done < data.size()) {
        test::transfer(p.server, p.client);
        r = p.client.read(std::span(buf).subspan(done));
        REQUIRE(r.status == Status::kOk);
        done += r.bytes;
      }
      REQUIRE(done == data.size());
      CHECK(std::equal(data.begin(), data.end(), buf.begin()));
      REQUIRE(heads.opened_to.size() == 2);
      CHECK(heads.opened_to[0].data() == buf.data());
      CHECK(within(heads.opened_to[1], buf));
      // Past the data: the inner content type and padding were wiped.
      CHECK(only_zeros_or(std::span(buf).subspan(data.size()), 0xee));

      // A buffer smaller than a record: the rest waits in the window and
      // comes out in order.
      write_all(p.server, p.client, data);
      std::vector<uint8_t> got, small(3000);
      while (got.size() < data.size()) {
        test::transfer(p.server, p.client);
        r = p.client.read(small);
        REQUIRE(r.status == Status::kOk);
        got.insert(got.end(), small.begin(), small.begin() + static_cast<ptrdiff_t>(r.bytes));
      }
      CHECK(got == data);
    }
  }
}

TEST_CASE("read() into the caller's buffer: a record that fails to open leaves no plaintext there") {
  CountedPair p = counted(wire::CipherSuite::kAes128GcmSha256);
  std::vector<uint8_t> buf(20000, 0xee);
  while (p.client.read(buf).status == Status::kWantRead && p.client.has_pending()) {
  }
  REQUIRE(p.server.write(pattern(5000, 8)).status == Status::kOk);
  auto wire_bytes = test::drain(p.server);
  REQUIRE(wire_bytes.size() > 100);
  wire_bytes[100] ^= 1;  // inside the ciphertext
  test::feed_all(p.client, wire_bytes);
  std::fill(buf.begin(), buf.end(), 0xee);
  Progress r = p.client.read(buf);
  CHECK(r.status == Status::kError);
  CHECK(p.client.error().alert == Alert::kBadRecordMac);
  REQUIRE(!p.counting->aead_heads.opened_to.empty());
  CHECK(only_zeros_or(buf, 0xee));
}

TEST_CASE("write_space/write_commit seal in place; readable/read_consumed read in place") {
  Pair p = established();
  const auto data = pattern(3000, 1);
  auto space = p.client.write_space();
  REQUIRE(space.size() >= data.size());
  std::copy(data.begin(), data.end(), space.begin());
  Progress w = p.client.write_commit(data.size());
  CHECK(w.status == Status::kOk);
  CHECK(w.bytes == data.size());
  test::transfer(p.client, p.server);
  auto in_place = p.server.readable();
  REQUIRE(in_place.size() == data.size());
  CHECK(std::equal(in_place.begin(), in_place.end(), data.begin()));
  p.server.read_consumed(1000);
  auto rest = p.server.readable();
  CHECK(rest.size() == 2000);
  CHECK(std::equal(rest.begin(), rest.end(), data.begin() + 1000));
  p.server.read_consumed(2000);
  CHECK(!p.server.has_pending());
  // Committing more than write_space offered is refused, not overrun.
  auto small = p.client.write_space();
  CHECK(p.client.write_commit(small.size() + 1000000).status == Status::kError);
  CHECK(p.client.error().reason == Reason::kApiMisuse);
}

TEST_CASE("inbound space lent across other calls stays put, with and without RELEASE_BUFFERS") {
  for (long mode : {0L, kModeReleaseBuffers}) {
    CAPTURE(mode);
    Pair p = established(mode);
    const auto first = pattern(500, 2), second = pattern(700, 3);
    REQUIRE(p.client.write(first).status == Status::kOk);
    test::transfer(p.client, p.server);
    REQUIRE(p.client.write(second).status == Status::kOk);
    auto wire2 = p.client.outbound();
    std::vector<uint8_t> record2(wire2.begin(), wire2.end());
    p.client.outbound_consumed(record2.size());

    // Lend the space (a receive posted to the kernel), then drain what is
    // buffered before the "kernel" completes.
    auto lent = p.server.inbound_space();
    REQUIRE(lent.size() >= record2.size());
    std::vector<uint8_t> buf(2000);
    Progress r = p.server.read(buf);
    REQUIRE(r.status == Status::kOk);
    CHECK(std::vector<uint8_t>(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(r.bytes)) == first);
    std::copy(record2.begin(), record2.end(), lent.begin());  // the kernel writes
    p.server.inbound_commit(record2.size());
    r = p.server.read(buf);
    REQUIRE(r.status == Status::kOk);
    CHECK(std::vector<uint8_t>(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(r.bytes)) == second);
  }
  Pair p = established();
  p.server.inbound_commit(10);  // no space was asked for
  CHECK(p.server.error().reason == Reason::kApiMisuse);
}

}  // namespace sluice
