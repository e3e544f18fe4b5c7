// The Edwards-to-Montgomery map behind libsodium-provider X25519 key
// generation (x25519_base.h), on values chosen to reach the field code's
// edges, and against libsodium's own crypto_scalarmult_base.
#include "crypto/sodium/x25519_base.h"

#include <doctest/doctest.h>
#include <sodium.h>

#include <array>
#include <string_view>

#include "base/hex.h"

namespace sluice::crypto::sodium_internal {
namespace {

std::array<uint8_t, 32> point(std::string_view hex) {
  auto v = from_hex(hex);
  REQUIRE(v);
  REQUIRE(v->size() == 32);
  std::array<uint8_t, 32> a;
  std::copy(v->begin(), v->end(), a.begin());
  return a;
}

std::string map(std::string_view edwards_y) {
  std::array<uint8_t, 32> out;
  montgomery_u_from_edwards_y(point(edwards_y), out);
  return to_hex(out);
}

TEST_CASE("u = (1 + y) / (1 - y) mod 2^255 - 19, canonical, at the field's edges") {
  // Expected values computed with Python integers.
  const std::string p_minus_2 = "ebffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f";
  CHECK(map("0000000000000000000000000000000000000000000000000000000000000000") ==
        "0100000000000000000000000000000000000000000000000000000000000000");
  // y = 2: u = -3, the largest values exercise the final reduction.
  CHECK(map("0200000000000000000000000000000000000000000000000000000000000000") ==
        "eaffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
  CHECK(map("0300000000000000000000000000000000000000000000000000000000000000") == p_minus_2);
  CHECK(map(p_minus_2) == "a4aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa2a");
  // y = p - 1 (u = 0) and y = 1 (1 - y = 0, whose "inverse" is 0).
  CHECK(map("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f") ==
        "0000000000000000000000000000000000000000000000000000000000000000");
  CHECK(map("0100000000000000000000000000000000000000000000000000000000000000") ==
        "0000000000000000000000000000000000000000000000000000000000000000");
  // The sign bit of x (bit 255) is not part of y; a non-canonical y = p + 5
  // is 5.
  CHECK(map("0200000000000000000000000000000000000000000000000000000000000080") ==
        "eaffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
  CHECK(map("f2ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f") ==
        "f5ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff3f");
}

TEST_CASE("X25519 public keys from the Ed25519 table equal crypto_scalarmult_base") {
  REQUIRE(sodium_init() >= 0);
  std::array<uint8_t, 32> scalar, via_edwards, via_ladder;
  // RFC 7748 §6.1's Alice, then random scalars, then the clamping edges.
  scalar = point("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  REQUIRE(x25519_public_from_edwards(scalar, via_edwards));
  CHECK(to_hex(via_edwards) == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  for (int i = 0; i < 2000; ++i) {
    randombytes_buf(scalar.data(), scalar.size());
    if (i == 0) scalar.fill(0);
    if (i == 1) scalar.fill(0xff);
    REQUIRE(x25519_public_from_edwards(scalar, via_edwards));
    REQUIRE(crypto_scalarmult_base(via_ladder.data(), scalar.data()) == 0);
    INFO("scalar " << to_hex(scalar));
    CHECK(via_edwards == via_ladder);
  }
}

}  // namespace
}  // namespace sluice::crypto::sodium_internal
