// Wycheproof signature verification (Ed25519, ECDSA with DER signatures as
// TLS carries them, RSA-PSS, RSA PKCS#1 v1.5) against every provider under
// test. Valid signatures must verify; invalid ones must be refused. The
// RSA-PSS files run twice: as rsa_pss_rsae_* with an rsaEncryption key and
// as rsa_pss_pss_* with the same modulus as an id-RSASSA-PSS key (the
// signature bytes are the same; only the key's type differs).
#include <doctest/doctest.h>

#include <cstdio>
#include <optional>
#include <string>

#include "tests/crypto/vector_file.h"

namespace sluice::testing {
namespace {

using crypto::KeyType;
using crypto::PublicKey;
using crypto::SignatureScheme;

std::vector<uint8_t> strip_leading_zeros(std::vector<uint8_t> v) {
  size_t first = 0;
  while (first + 1 < v.size() && v[first] == 0) ++first;
  v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(first));
  return v;
}

Outcome verify_vector(const crypto::Provider& p, SignatureScheme scheme, const PublicKey& key,
                      const Json& test) {
  if (!p.supports_verify(scheme)) return Outcome::kUnclaimed;
  auto msg = hex_field(test, "msg"), sig = hex_field(test, "sig");
  REQUIRE((msg && sig));
  return p.verify(scheme, key, *msg, *sig).ok() ? Outcome::kAccepted : Outcome::kRejected;
}

// A file whose groups all use one scheme.
void run_signature_file(const char* file, SignatureScheme scheme,
                        std::function<std::optional<PublicKey>(const Json& group)> group_key) {
  run_wycheproof_file(
      file, [scheme](const crypto::Provider& p) { return p.supports_verify(scheme); },
      [scheme, group_key](const crypto::Provider& p, const Json& group, const Json& test) {
        auto key = group_key(group);
        if (!key) return Outcome::kNotApplicable;
        return verify_vector(p, scheme, *key, test);
      });
}

std::optional<PublicKey> ed25519_key(const Json& group) {
  auto pk = hex_field(group.value("publicKey", Json()), "pk");
  REQUIRE(pk);
  return PublicKey{KeyType::kEd25519, *pk, {}, {}, {}};
}

// ECDSA groups carry the uncompressed point; `sha` must be the scheme's hash.
std::function<std::optional<PublicKey>(const Json&)> ecdsa_key(KeyType type, const char* sha) {
  return [type, sha](const Json& group) -> std::optional<PublicKey> {
    if (string_field(group, "sha") != sha) return std::nullopt;
    auto point = hex_field(group.value("publicKey", Json()), "uncompressed");
    REQUIRE(point);
    return PublicKey{type, *point, {}, {}, {}};
  };
}

// RSA groups: TLS's rsa_pss_rsae_* fix MGF1 over the same hash and a salt as
// long as the hash (RFC 8446 §4.2.3); other parameter sets do not apply.
std::function<std::optional<PublicKey>(const Json&)> rsa_key(KeyType type, const char* sha, bool pss,
                                                             int64_t salt_len) {
  return [=](const Json& group) -> std::optional<PublicKey> {
    if (string_field(group, "sha") != sha) return std::nullopt;
    if (pss && (string_field(group, "mgf") != "MGF1" || string_field(group, "mgfSha") != sha ||
                int_field(group, "sLen") != salt_len)) {
      return std::nullopt;
    }
    const Json key = group.value("publicKey", Json());
    auto n = hex_field(key, "modulus"), e = hex_field(key, "publicExponent");
    REQUIRE((n && e));
    PublicKey pk{type, {}, strip_leading_zeros(*n), strip_leading_zeros(*e), {}};
    return pk;
  };
}

TEST_CASE("wycheproof ed25519_test.json") {
  run_signature_file("ed25519_test.json", SignatureScheme::kEd25519, ed25519_key);
}

TEST_CASE("wycheproof ecdsa_secp256r1_sha256_test.json") {
  run_signature_file("ecdsa_secp256r1_sha256_test.json", SignatureScheme::kEcdsaSecp256r1Sha256,
                     ecdsa_key(KeyType::kEcdsaP256, "SHA-256"));
}

TEST_CASE("wycheproof ecdsa_secp384r1_sha384_test.json") {
  run_signature_file("ecdsa_secp384r1_sha384_test.json", SignatureScheme::kEcdsaSecp384r1Sha384,
                     ecdsa_key(KeyType::kEcdsaP384, "SHA-384"));
}

TEST_CASE("wycheproof ecdsa_secp521r1_sha512_test.json") {
  run_signature_file("ecdsa_secp521r1_sha512_test.json", SignatureScheme::kEcdsaSecp521r1Sha512,
                     ecdsa_key(KeyType::kEcdsaP521, "SHA-512"));
}

struct RsaFile {
  const char* file;
  SignatureScheme scheme;
  const char* sha;
  bool pss;
  int64_t salt_len;
  KeyType key = KeyType::kRsa;
};

constexpr RsaFile kRsaFiles[] = {
    {"rsa_pss_2048_sha256_mgf1_32_test.json", SignatureScheme::kRsaPssRsaeSha256, "SHA-256", true, 32},
    {"rsa_pss_2048_sha384_mgf1_48_test.json", SignatureScheme::kRsaPssRsaeSha384, "SHA-384", true, 48},
    {"rsa_pss_3072_sha256_mgf1_32_test.json", SignatureScheme::kRsaPssRsaeSha256, "SHA-256", true, 32},
    {"rsa_pss_4096_sha256_mgf1_32_test.json", SignatureScheme::kRsaPssRsaeSha256, "SHA-256", true, 32},
    {"rsa_pss_4096_sha384_mgf1_48_test.json", SignatureScheme::kRsaPssRsaeSha384, "SHA-384", true, 48},
    {"rsa_pss_4096_sha512_mgf1_64_test.json", SignatureScheme::kRsaPssRsaeSha512, "SHA-512", true, 64},
    {"rsa_signature_2048_sha256_test.json", SignatureScheme::kRsaPkcs1Sha256, "SHA-256", false, 0},
    {"rsa_signature_2048_sha384_test.json", SignatureScheme::kRsaPkcs1Sha384, "SHA-384", false, 0},
    {"rsa_signature_2048_sha512_test.json", SignatureScheme::kRsaPkcs1Sha512, "SHA-512", false, 0},
};

// The same PSS files for rsa_pss_pss_*: MGF1 of the signature's hash and a
// salt as long as the hash are RFC 8446 §4.2.3's rule for these too.
constexpr RsaFile kRsaPssKeyFiles[] = {
    {"rsa_pss_2048_sha256_mgf1_32_test.json", SignatureScheme::kRsaPssPssSha256, "SHA-256", true, 32, KeyType::kRsaPss},
    {"rsa_pss_2048_sha384_mgf1_48_test.json", SignatureScheme::kRsaPssPssSha384, "SHA-384", true, 48, KeyType::kRsaPss},
    {"rsa_pss_3072_sha256_mgf1_32_test.json", SignatureScheme::kRsaPssPssSha256, "SHA-256", true, 32, KeyType::kRsaPss},
    {"rsa_pss_4096_sha256_mgf1_32_test.json", SignatureScheme::kRsaPssPssSha256, "SHA-256", true, 32, KeyType::kRsaPss},
    {"rsa_pss_4096_sha384_mgf1_48_test.json", SignatureScheme::kRsaPssPssSha384, "SHA-384", true, 48, KeyType::kRsaPss},
    {"rsa_pss_4096_sha512_mgf1_64_test.json", SignatureScheme::kRsaPssPssSha512, "SHA-512", true, 64, KeyType::kRsaPss},
};

TEST_CASE("wycheproof RSA files") {
  for (const RsaFile& f : kRsaFiles) {
    SUBCASE(f.file) { run_signature_file(f.file, f.scheme, rsa_key(f.key, f.sha, f.pss, f.salt_len)); }
  }
}

TEST_CASE("wycheproof RSA-PSS files with id-RSASSA-PSS keys (rsa_pss_pss_*)") {
  for (const RsaFile& f : kRsaPssKeyFiles) {
    SUBCASE(f.file) {
      // The tally lines repeat the rsae run's file names; this one marks them.
      std::printf("%s as %s with id-RSASSA-PSS keys:\n", f.file, std::string(crypto::name(f.scheme)).c_str()); run_signature_file(f.file, f.scheme, rsa_key(f.key, f.sha, f.pss, f.salt_len)); }
  }
}

}  // namespace
}  // namespace sluice::testing
