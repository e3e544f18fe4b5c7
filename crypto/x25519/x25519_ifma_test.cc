// X25519 on AVX-512 IFMA (x25519_ifma.h): RFC 7748's vectors, and
// agreement with libsodium's crypto_scalarmult on random and edge inputs;
// public values from the Edwards table against the ladder and libsodium.
// Wycheproof's x25519_test.json runs against the provider in
// tests/crypto/vectors_kex_test.cc.
#include "crypto/x25519/x25519_ifma.h"

#include <doctest/doctest.h>
#include <sodium.h>

#include <array>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "base/hex.h"

namespace sluice::crypto::x25519 {
namespace {

using Bytes32 = std::array<uint8_t, 32>;

Bytes32 bytes32(std::string_view hex) {
  auto v = from_hex(hex);
  REQUIRE(v);
  REQUIRE(v->size() == 32);
  Bytes32 a;
  std::copy(v->begin(), v->end(), a.begin());
  return a;
}

// ifma_or_skip says aloud when this CPU cannot run the code under test.
bool ifma_or_skip() {
  if (ifma_available()) return true;
  std::fprintf(stderr,
               "NOT RUN: X25519 on AVX-512 IFMA (this CPU lacks "
               "AVX512IFMA or AVX512VL)\n");
  return false;
}

std::string x25519_hex(const Bytes32& scalar, const Bytes32& u, bool* nonzero = nullptr) {
  Bytes32 out;
  const bool ok = x25519_ifma(out, scalar, u);
  if (nonzero) *nonzero = ok;
  return to_hex(out);
}

TEST_CASE("RFC 7748 §5.2 test vectors") {
  if (!ifma_or_skip()) return;
  CHECK(x25519_hex(bytes32("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506"
                           "a2244ba449ac4"),
                   bytes32("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a"
                           "903a6d0ab1c4c")) == "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
  // The u-coordinate has its top bit set, which X25519 ignores.
  CHECK(x25519_hex(bytes32("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca"
                           "4169e7918ba0d"),
                   bytes32("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4"
                           "cd549c715a493")) == "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
}

TEST_CASE("RFC 7748 §5.2 iterated: 1 and 1000 iterations") {
  if (!ifma_or_skip()) return;
  Bytes32 k = {9}, u = {9};
  for (int i = 1; i <= 1000; ++i) {
    Bytes32 next;
    REQUIRE(x25519_ifma(next, k, u));
    u = k;
    k = next;
    if (i == 1) CHECK(to_hex(k) == "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
  }
  CHECK(to_hex(k) == "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
}

TEST_CASE("RFC 7748 §6.1 Diffie-Hellman") {
  if (!ifma_or_skip()) return;
  const Bytes32 alice = bytes32("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  const Bytes32 bob = bytes32("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
  const Bytes32 nine = {9};
  CHECK(x25519_hex(alice, nine) == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  CHECK(x25519_hex(bob, nine) == "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  const std::string shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
  CHECK(x25519_hex(alice, bytes32("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78"
                                  "674dadfc7e146f882b4f")) == shared);
  CHECK(x25519_hex(bob, bytes32("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381a"
                                "f4eba4a98eaa9b4e6a")) == shared);
}

// same_as_libsodium: byte-equal output, and the same verdict on an
// all-zero result (libsodium returns -1 for it).
void check_same_as_libsodium(const Bytes32& scalar, const Bytes32& u) {
  Bytes32 ours, theirs;
  const bool ours_ok = x25519_ifma(ours, scalar, u);
  const bool theirs_ok = crypto_scalarmult(theirs.data(), scalar.data(), u.data()) == 0;
  CHECK_MESSAGE(to_hex(ours) == to_hex(theirs), "scalar " << to_hex(scalar) << " u " << to_hex(u));
  CHECK(ours_ok == theirs_ok);
}

TEST_CASE("agrees with libsodium on random scalars and points") {
  if (!ifma_or_skip()) return;
  REQUIRE(sodium_init() >= 0);
  for (int i = 0; i < 3000; ++i) {
    Bytes32 scalar, u;
    randombytes_buf(scalar.data(), scalar.size());
    randombytes_buf(u.data(), u.size());  // half of them with the top bit set
    check_same_as_libsodium(scalar, u);
  }
}

TEST_CASE(
    "agrees with libsodium at the edges: non-canonical u, small order, "
    "extreme scalars") {
  if (!ifma_or_skip()) return;
  REQUIRE(sodium_init() >= 0);
  std::vector<Bytes32> points;
  // 0 .. 40 and p - 20 .. 2^255 - 1 (p, p + 1 are 0 and 1 again; the top
  // bit is ignored, so the last ones repeat with it set).
  for (int v = 0; v <= 40; ++v) points.push_back(Bytes32{static_cast<uint8_t>(v)});
  for (int v = 0; v <= 38; ++v) {
    Bytes32 u;
    u.fill(0xff);
    u[31] = 0x7f;
    u[0] = static_cast<uint8_t>(0xff - v);  // 2^255 - 1 - v; p = 2^255 - 19
    points.push_back(u);
    u[31] = 0xff;
    points.push_back(u);
  }
  // The points of order 8 that Wycheproof and libsodium's blocklist name.
  for (std::string_view hex : {"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
                               "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"}) {
    points.push_back(bytes32(hex));
  }
  std::vector<Bytes32> scalars;
  scalars.push_back(Bytes32{});
  Bytes32 ones;
  ones.fill(0xff);
  scalars.push_back(ones);
  Bytes32 random_scalar;
  randombytes_buf(random_scalar.data(), random_scalar.size());
  scalars.push_back(random_scalar);
  for (const Bytes32& k : scalars)
    for (const Bytes32& u : points) check_same_as_libsodium(k, u);

  // u = 0 and u = 1 have small order: the result is zero and refused.
  bool nonzero = true;
  CHECK(x25519_hex(random_scalar, Bytes32{}, &nonzero) == std::string(64, '0'));
  CHECK_FALSE(nonzero);
  CHECK(x25519_hex(random_scalar, Bytes32{1}, &nonzero) == std::string(64, '0'));
  CHECK_FALSE(nonzero);
}

// base_hex is X25519(scalar, 9) through the Edwards table.
std::string base_hex(const Bytes32& scalar) {
  Bytes32 out;
  x25519_base_ifma(out, scalar);
  return to_hex(out);
}

TEST_CASE("public values from the Edwards table: RFC 7748 §6.1, the ladder, libsodium") {
  if (!ifma_or_skip()) return;
  REQUIRE(sodium_init() >= 0);
  CHECK(base_hex(bytes32("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")) ==
        "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  CHECK(base_hex(bytes32("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")) ==
        "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");

  std::vector<Bytes32> scalars;
  // Digit patterns: all zero, all 15 (every digit carries), all 8 (every
  // digit is -8 after recoding), all 7, and alternating.
  for (uint8_t fill : {0x00, 0xff, 0x88, 0x77, 0x80, 0x08, 0xf0, 0x0f}) {
    Bytes32 k;
    k.fill(fill);
    scalars.push_back(k);
  }
  for (int i = 0; i < 2000; ++i) {
    Bytes32 k;
    randombytes_buf(k.data(), k.size());
    scalars.push_back(k);
  }
  const Bytes32 nine = {9};
  for (const Bytes32& k : scalars) {
    Bytes32 via_ladder, via_libsodium;
    REQUIRE(x25519_ifma(via_ladder, k, nine));
    REQUIRE(crypto_scalarmult_base(via_libsodium.data(), k.data()) == 0);
    const std::string via_table = base_hex(k);
    CHECK_MESSAGE(via_table == to_hex(via_ladder), "scalar " << to_hex(k));
    CHECK(via_table == to_hex(via_libsodium));
  }
}

}  // namespace
}  // namespace sluice::crypto::x25519
