// Wycheproof HMAC and HKDF against every provider under test.
#include <doctest/doctest.h>

#include <algorithm>

#include "base/secret.h"
#include "tests/crypto/vector_file.h"

namespace sluice::testing {
namespace {

using crypto::HashAlg;

// HMAC vectors are verification checks: the (possibly truncated) expected
// tag must equal the computed tag's prefix of tagSize bits.
Outcome run_hmac_vector(const crypto::Provider& p, HashAlg h, const Json& group, const Json& test) {
  const int64_t tag_bits = int_field(group, "tagSize");
  if (tag_bits <= 0 || tag_bits % 8 || static_cast<size_t>(tag_bits / 8) > crypto::hash_len(h)) {
    return Outcome::kNotApplicable;
  }
  auto key = hex_field(test, "key"), msg = hex_field(test, "msg"), tag = hex_field(test, "tag");
  REQUIRE((key && msg && tag));
  std::vector<uint8_t> full(crypto::hash_len(h));
  if (!p.hmac(h, *key, *msg, full).ok()) return Outcome::kRejected;
  const std::span<const uint8_t> computed(full.data(), static_cast<size_t>(tag_bits / 8));
  return ct_equal(computed, *tag) ? Outcome::kAccepted : Outcome::kRejected;
}

// HKDF: extract then expand to `size` bytes; "invalid" vectors ask for more
// than 255 * HashLen bytes (RFC 5869 §2.3), which must be refused.
Outcome run_hkdf_vector(const crypto::Provider& p, HashAlg h, const Json& test) {
  auto ikm = hex_field(test, "ikm"), salt = hex_field(test, "salt"), info = hex_field(test, "info");
  auto okm = hex_field(test, "okm");
  const int64_t size = int_field(test, "size");
  REQUIRE((ikm && salt && info && okm && size >= 0));
  std::vector<uint8_t> prk(crypto::hash_len(h));
  if (!p.hkdf_extract(h, *salt, *ikm, prk).ok()) return Outcome::kRejected;
  std::vector<uint8_t> out(static_cast<size_t>(size));
  // The same expansion through hkdf_expand_several (one keyed HMAC for all
  // outputs), beside a shorter output for the same info: refused with the
  // single expansion, or equal to it and to its prefix.
  std::vector<uint8_t> again(out.size()), half(out.size() / 2);
  const crypto::HkdfOutput both[] = {{*info, again}, {*info, half}};
  const bool several_ok = p.hkdf_expand_several(h, prk, both).ok();
  if (!p.hkdf_expand(h, prk, *info, out).ok()) {
    CHECK_FALSE(several_ok);
    return Outcome::kRejected;
  }
  CHECK(several_ok);
  CHECK(again == out);
  CHECK(std::equal(half.begin(), half.end(), out.begin()));
  return outcome_of(true, out == *okm);
}

void run_hash_file(const char* file, HashAlg h, bool hkdf) {
  run_wycheproof_file(
      file, [h](const crypto::Provider& p) { return p.supports(h); },
      [h, hkdf](const crypto::Provider& p, const Json& group, const Json& test) {
        if (!p.supports(h)) return Outcome::kUnclaimed;
        return hkdf ? run_hkdf_vector(p, h, test) : run_hmac_vector(p, h, group, test);
      });
}

TEST_CASE("wycheproof hmac_sha256_test.json") { run_hash_file("hmac_sha256_test.json", HashAlg::kSha256, false); }
TEST_CASE("wycheproof hmac_sha384_test.json") { run_hash_file("hmac_sha384_test.json", HashAlg::kSha384, false); }
TEST_CASE("wycheproof hkdf_sha256_test.json") { run_hash_file("hkdf_sha256_test.json", HashAlg::kSha256, true); }
TEST_CASE("wycheproof hkdf_sha384_test.json") { run_hash_file("hkdf_sha384_test.json", HashAlg::kSha384, true); }

}  // namespace
}  // namespace sluice::testing
