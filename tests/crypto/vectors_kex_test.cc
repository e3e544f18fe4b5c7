// Wycheproof X25519 and ECDH (X9.62 point encoding, the TLS key_share form)
// against every provider under test: key_share_from_private(private), then
// agree(public) must give `shared` for valid vectors and fail for invalid.
#include <doctest/doctest.h>

#include "tests/crypto/vector_file.h"

namespace sluice::testing {
namespace {

using crypto::Group;

// scalar_bytes turns Wycheproof's ASN.1-integer-style private value (maybe
// with a leading 00, maybe shorter) into the fixed-width big-endian scalar
// the interface takes. Longer values are passed through for the provider to
// refuse.
std::vector<uint8_t> scalar_bytes(std::vector<uint8_t> v, size_t width) {
  size_t first = 0;
  while (first < v.size() && v.size() - first > width && v[first] == 0) ++first;
  v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(first));
  if (v.size() < width) v.insert(v.begin(), width - v.size(), 0);
  return v;
}

Outcome run_kex_vector(const crypto::Provider& p, Group group, size_t scalar_width, const Json& test) {
  if (!p.supports(group)) return Outcome::kUnclaimed;
  auto priv = hex_field(test, "private"), peer = hex_field(test, "public"), shared = hex_field(test, "shared");
  REQUIRE((priv && peer && shared));
  auto share = p.key_share_from_private(group, scalar_bytes(*priv, scalar_width));
  // Every Wycheproof private value is a usable scalar: refusing one is a
  // provider bug, not a rejection of the peer's point.
  REQUIRE_MESSAGE(share.ok(), "key_share_from_private failed, tcId=" << int_field(test, "tcId"));
  auto secret = (*share)->agree(*peer);
  if (!secret.ok()) return Outcome::kRejected;
  return outcome_of(true, std::vector<uint8_t>(secret->span().begin(), secret->span().end()) == *shared);
}

// run_kex_file runs one Wycheproof key-agreement file for `group`; groups
// of other curves in it are not applicable.
void run_kex_file(const char* file, Group group, const char* curve, size_t scalar_width) {
  run_wycheproof_file(
      file, [group](const crypto::Provider& p) { return p.supports(group); },
      [=](const crypto::Provider& p, const Json& g, const Json& test) {
        if (string_field(g, "curve") != curve) return Outcome::kNotApplicable;
        return run_kex_vector(p, group, scalar_width, test);
      });
}

TEST_CASE("wycheproof x25519_test.json") { run_kex_file("x25519_test.json", Group::kX25519, "curve25519", 32); }

TEST_CASE("wycheproof ecdh_secp256r1_ecpoint_test.json") {
  run_kex_file("ecdh_secp256r1_ecpoint_test.json", Group::kSecp256r1, "secp256r1", 32);
}

TEST_CASE("wycheproof ecdh_secp384r1_ecpoint_test.json") {
  run_kex_file("ecdh_secp384r1_ecpoint_test.json", Group::kSecp384r1, "secp384r1", 48);
}

TEST_CASE("wycheproof ecdh_secp521r1_ecpoint_test.json") {
  run_kex_file("ecdh_secp521r1_ecpoint_test.json", Group::kSecp521r1, "secp521r1", 66);
}

}  // namespace
}  // namespace sluice::testing
