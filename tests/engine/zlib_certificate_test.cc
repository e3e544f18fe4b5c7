// zlib certificate compression (RFC 8879 algorithm 1, RFC 1950 format):
// a stream made by another zlib user decompresses, what does not fit the
// declared length or has bytes after its end does not, and a handshake
// between two sluice endpoints sends the server's chain compressed.
#include <doctest/doctest.h>

#include "base/hex.h"
#include "compression/zlib_certificate.h"
#include "tests/engine/test_env.h"

namespace sluice {
namespace {

const CertificateCompression kZlib = compression::zlib_certificate_compression();

// Python's zlib.compress(b"sluice certificate compression, " * 4, 9).
std::vector<uint8_t> reference_stream() {
  return *from_hex("78da2bce29cd4c4e55484e2d2ac94ccb4c4e2c01b2f3730b8a528b8b33f3f374148a692c0f0074603119");
}

std::vector<uint8_t> reference_text() {
  const std::string_view phrase = "sluice certificate compression, ";
  std::vector<uint8_t> out;
  for (int i = 0; i < 4; ++i) out.insert(out.end(), phrase.begin(), phrase.end());
  return out;
}

}  // namespace

TEST_CASE("zlib: a stream from another zlib user decompresses to exactly its length") {
  std::vector<uint8_t> out(reference_text().size());
  const auto n = kZlib.decompress(reference_stream(), out);
  REQUIRE(n.has_value());
  CHECK(*n == out.size());
  CHECK(out == reference_text());
}

TEST_CASE("zlib: what does not fit, is cut short, has trailing bytes or is corrupt does not decompress") {
  const auto stream = reference_stream();
  SUBCASE("declared one byte short: the stream goes on") {
    std::vector<uint8_t> out(reference_text().size() - 1);
    CHECK_FALSE(kZlib.decompress(stream, out).has_value());
  }
  SUBCASE("declared one byte long: fewer bytes than declared, which the engine refuses") {
    std::vector<uint8_t> out(reference_text().size() + 1);
    const auto n = kZlib.decompress(stream, out);
    REQUIRE(n.has_value());
    CHECK(*n == reference_text().size());
  }
  SUBCASE("truncated") {
    std::vector<uint8_t> out(reference_text().size());
    CHECK_FALSE(kZlib.decompress(std::span(stream).first(stream.size() - 4), out).has_value());
  }
  SUBCASE("a byte after the stream's end") {
    auto longer = stream;
    longer.push_back(0);
    std::vector<uint8_t> out(reference_text().size());
    CHECK_FALSE(kZlib.decompress(longer, out).has_value());
  }
  SUBCASE("a corrupted checksum") {
    auto bad = stream;
    bad.back() ^= 1;
    std::vector<uint8_t> out(reference_text().size());
    CHECK_FALSE(kZlib.decompress(bad, out).has_value());
  }
}

TEST_CASE("zlib: compression round-trips and appends after what `out` holds") {
  const auto text = test::pattern(3000, 7);
  std::vector<uint8_t> out = {0xaa, 0xbb};
  REQUIRE(kZlib.compress(text, out));
  REQUIRE(out.size() > 2);
  CHECK(out[0] == 0xaa);
  CHECK(out[1] == 0xbb);
  CHECK((out[2] & 0x0f) == 8);  // RFC 1950 CMF: deflate (the window size is in the high nibble)
  std::vector<uint8_t> back(text.size());
  const auto n = kZlib.decompress(std::span(out).subspan(2), back);
  REQUIRE(n.has_value());
  CHECK(*n == text.size());
  CHECK(back == text);
  // Repetitive input shrinks.
  const auto repeated = reference_text();
  std::vector<uint8_t> small;
  REQUIRE(kZlib.compress(repeated, small));
  CHECK(small.size() < repeated.size() / 2);
}

TEST_CASE("zlib: a handshake sends the server's Certificate compressed, and it verifies") {
  const auto& cert = test::test_cert(crypto::KeyType::kRsa);
  auto cctx = test::client_context(test::sodium_first(), cert);
  auto sctx = test::server_context(test::sodium_first(), cert);
  REQUIRE(cctx->add_certificate_compression(compression::zlib_certificate_compression()).ok());
  REQUIRE(sctx->add_certificate_compression(compression::zlib_certificate_compression()).ok());
  size_t compressed_len = 0;
  sctx->set_message_callback([&](const MessageInfo& m) {
    if (m.sent && m.type == static_cast<uint8_t>(wire::HandshakeType::kCompressedCertificate)) compressed_len = m.length;
  });
  Connection client = Connection::client(cctx, "localhost");
  Connection server = Connection::server(sctx);
  REQUIRE(test::handshake(client, server));
  CHECK(compressed_len > 0);
  REQUIRE(client.negotiated().peer_chain.size() == 1);
  CHECK(client.negotiated().peer_chain.front() == cert.der);
}

}  // namespace sluice
