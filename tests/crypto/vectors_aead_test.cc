// Wycheproof AES-GCM and ChaCha20-Poly1305 against every provider under test.
//
// A "valid" vector must seal to exactly ct||tag and open back to msg; an
// "invalid" one must fail to open. Valid vectors with shapes TLS never uses
// (IVs other than 12 bytes, tags other than 16, 192-bit AES keys) are not
// applicable. Invalid vectors with a non-12-byte IV still run: the interface
// promises to refuse such nonces, so rejecting them is checkable behaviour.
#include <doctest/doctest.h>

#include <optional>

#include "tests/crypto/vector_file.h"

namespace sluice::testing {
namespace {

using crypto::AeadAlg;

std::optional<AeadAlg> gcm_alg_for_key_bits(int64_t bits) {
  if (bits == 128) return AeadAlg::kAes128Gcm;
  if (bits == 256) return AeadAlg::kAes256Gcm;
  return std::nullopt;  // AES-192 is not a TLS cipher
}

Outcome run_aead_vector(const crypto::Provider& p, std::optional<AeadAlg> alg, const Json& group,
                        const Json& test) {
  const bool valid = string_field(test, "result") != "invalid";
  const bool tls_iv = int_field(group, "ivSize") == 96;
  if (!alg || int_field(group, "tagSize") != 128 || (!tls_iv && valid)) return Outcome::kNotApplicable;
  if (!p.supports(*alg)) return Outcome::kUnclaimed;

  auto key = hex_field(test, "key"), iv = hex_field(test, "iv"), aad = hex_field(test, "aad");
  auto msg = hex_field(test, "msg"), ct = hex_field(test, "ct"), tag = hex_field(test, "tag");
  REQUIRE((key && iv && aad && msg && ct && tag));

  auto aead = p.new_aead(*alg, *key);
  if (!aead.ok()) return Outcome::kRejected;

  if (valid) {
    std::vector<uint8_t> sealed = *msg, sealed_tag(crypto::kAeadTagLen);
    if (!(*aead)->seal(*iv, *aad, sealed, sealed_tag).ok()) return Outcome::kRejected;
    if (sealed != *ct || sealed_tag != *tag) return Outcome::kWrongOutput;
  }
  std::vector<uint8_t> opened = *ct;
  const bool open_ok = (*aead)->open(*iv, *aad, opened, *tag).ok();
  if (!open_ok && opened == *msg && !msg->empty()) {
    FAIL_CHECK("open failed but left plaintext behind, tcId=" << int_field(test, "tcId"));
  }
  return outcome_of(open_ok, opened == *msg);
}

TEST_CASE("wycheproof aes_gcm_test.json") {
  run_wycheproof_file(
      "aes_gcm_test.json",
      [](const crypto::Provider& p) { return p.supports(AeadAlg::kAes128Gcm) || p.supports(AeadAlg::kAes256Gcm); },
      [](const crypto::Provider& p, const Json& group, const Json& test) {
        return run_aead_vector(p, gcm_alg_for_key_bits(int_field(group, "keySize")), group, test);
      });
}

TEST_CASE("wycheproof chacha20_poly1305_test.json") {
  run_wycheproof_file(
      "chacha20_poly1305_test.json",
      [](const crypto::Provider& p) { return p.supports(AeadAlg::kChaCha20Poly1305); },
      [](const crypto::Provider& p, const Json& group, const Json& test) {
        std::optional<AeadAlg> alg;
        if (int_field(group, "keySize") == 256) alg = AeadAlg::kChaCha20Poly1305;
        return run_aead_vector(p, alg, group, test);
      });
}

}  // namespace
}  // namespace sluice::testing
