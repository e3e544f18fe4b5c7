// Record protection (core/record_protection): TLS 1.3 nonces (RFC 8446
// §5.3), the inner content type and padding (§5.4), tampering, sequence
// numbers, and the null protection's framing.
#include <doctest/doctest.h>

#include <vector>

#include "core/record_protection.h"
#include "crypto/sodium/sodium_provider.h"

namespace sluice {
namespace {

using wire::ContentType;

std::shared_ptr<const crypto::Provider> provider() {
  static std::shared_ptr<const crypto::Provider> p = crypto::make_sodium_provider();
  return p;
}

Protection keyed(uint8_t fill) {
  std::vector<uint8_t> secret(32, fill);
  auto p = Protection::tls13(*provider(), crypto::HashAlg::kSha256, crypto::AeadAlg::kChaCha20Poly1305, secret);
  REQUIRE(p);
  return std::move(*p);
}

std::vector<uint8_t> seal(Protection& p, ContentType type, std::vector<uint8_t> content, size_t padding = 0) {
  std::vector<uint8_t> rec(5 + content.size() + p.overhead() + padding);
  std::copy(content.begin(), content.end(), rec.begin() + 5);
  auto n = p.seal(type, rec, content.size(), padding);
  REQUIRE(n);
  rec.resize(*n);
  return rec;
}

}  // namespace

TEST_CASE("TLS 1.3 records: sealed and opened in order; the nonce changes with the sequence") {
  Protection sealer = keyed(1), opener = keyed(1);
  auto a = seal(sealer, ContentType::kApplicationData, {1, 2, 3});
  auto b = seal(sealer, ContentType::kApplicationData, {1, 2, 3});
  CHECK(a != b);  // same plaintext, next nonce
  CHECK(sealer.sequence() == 2);
  CHECK(a[0] == 23);  // outer type application_data (RFC 8446 §5.2)
  CHECK(a[1] == 3);
  CHECK(a[2] == 3);
  auto first = opener.open(a);
  REQUIRE(first);
  CHECK(first->type == ContentType::kApplicationData);
  CHECK(first->plaintext.size() == 3);
  CHECK(opener.open(b).ok());
  // Out of order: b again under sequence 2 does not open.
  Protection fresh = keyed(1);
  auto again = seal(fresh, ContentType::kApplicationData, {1, 2, 3});  // sequence 0
  CHECK(!opener.open(again).ok());
}

TEST_CASE("TLS 1.3 records: the inner type survives padding; padding counts in the limit") {
  Protection sealer = keyed(2), opener = keyed(2);
  auto rec = seal(sealer, ContentType::kHandshake, {9, 9}, 20);
  auto opened = opener.open(rec);
  REQUIRE(opened);
  CHECK(opened->type == ContentType::kHandshake);
  CHECK(opened->plaintext.size() == 2);
  CHECK(opened->inner_len == 2 + 1 + 20);
  Protection big_sealer = keyed(3), big_opener = keyed(3);
  auto over = seal(big_sealer, ContentType::kApplicationData, std::vector<uint8_t>(16384 - 4, 0x61), 5);
  auto r = big_opener.open(over);
  REQUIRE(!r);
  CHECK(r.error().reason == Reason::kRecordOverflow);
}

TEST_CASE("TLS 1.3 records: tampering, a wrong key and an all-padding record are refused") {
  Protection sealer = keyed(4);
  auto rec = seal(sealer, ContentType::kApplicationData, {1, 2, 3, 4});
  auto tampered = rec;
  tampered[7] ^= 1;
  Protection o1 = keyed(4);
  auto r1 = o1.open(tampered);
  REQUIRE(!r1);
  CHECK(r1.error().reason == Reason::kBadRecordMac);
  Protection other = keyed(5);
  CHECK(!other.open(rec).ok());
  // An inner plaintext of zeros only has no content type.
  Protection zs = keyed(6), zo = keyed(6);
  std::vector<uint8_t> zeros(5 + 4 + zs.overhead());
  auto n = zs.seal(ContentType::kInvalid, zeros, 4);
  REQUIRE(n);
  auto r2 = zo.open(zeros);
  REQUIRE(!r2);
  CHECK(r2.error().reason == Reason::kUnexpectedMessage);
}

TEST_CASE("null protection: TLSPlaintext framing with the given record version") {
  Protection p;
  CHECK(!p.encrypted());
  std::vector<uint8_t> rec(5 + 3);
  rec[5] = 1, rec[6] = 2, rec[7] = 3;
  auto n = p.seal(ContentType::kHandshake, rec, 3, 0, wire::kTls10);
  REQUIRE(n);
  CHECK(rec == std::vector<uint8_t>{22, 3, 1, 0, 3, 1, 2, 3});
  auto opened = p.open(rec);
  REQUIRE(opened);
  CHECK(opened->type == ContentType::kHandshake);
  CHECK(opened->plaintext.size() == 3);
}

}  // namespace sluice
