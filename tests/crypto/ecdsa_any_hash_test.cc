// ECDSA verification takes the curve from the key and the hash from the
// scheme, so a P-256 key's SHA-384 or SHA-512 signature verifies under
// ecdsa_secp384r1_sha384 / ecdsa_secp521r1_sha512 (TLS 1.2, RFC 8422 §5.1.3,
// where Botan signs so; TLS 1.3's binding of curve and hash is the core's
// check, not the provider's). The signatures come from libcrypto's EVP
// directly, not from a provider under test, since no provider signer makes
// such pairs.
#include <doctest/doctest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <memory>
#include <vector>

#include "tests/crypto/providers_under_test.h"

namespace sluice::testing {
namespace {

using namespace crypto;

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

std::vector<uint8_t> sign(EVP_PKEY* key, const char* digest, const std::vector<uint8_t>& message) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  REQUIRE(EVP_DigestSignInit_ex(ctx.get(), nullptr, digest, nullptr, nullptr, key, nullptr) == 1);
  size_t len = 0;
  REQUIRE(EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()) == 1);
  std::vector<uint8_t> sig(len);
  REQUIRE(EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) == 1);
  sig.resize(len);
  return sig;
}

}  // namespace

TEST_CASE("ECDSA verifies with the key's curve and the scheme's hash, every pairing") {
  struct Curve {
    KeyType type;
    const char* openssl_name;
  };
  struct Hash {
    SignatureScheme scheme;
    const char* digest;
  };
  const std::vector<uint8_t> message = {'s', 'l', 'u', 'i', 'c', 'e', ' ', 'e', 'c', 'd', 's', 'a'};
  for (const Curve& curve : {Curve{KeyType::kEcdsaP256, "P-256"}, Curve{KeyType::kEcdsaP384, "P-384"},
                             Curve{KeyType::kEcdsaP521, "P-521"}}) {
    std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve.openssl_name));
    REQUIRE(key);
    PublicKey pub;
    pub.type = curve.type;
    size_t point_len = 0;
    REQUIRE(EVP_PKEY_get_octet_string_param(key.get(), OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0, &point_len) == 1);
    pub.point.resize(point_len);
    REQUIRE(EVP_PKEY_get_octet_string_param(key.get(), OSSL_PKEY_PARAM_PUB_KEY, pub.point.data(), point_len,
                                            &point_len) == 1);
    REQUIRE(pub.point.front() == 0x04);  // uncompressed
    for (const Hash& hash : {Hash{SignatureScheme::kEcdsaSecp256r1Sha256, "SHA256"},
                             Hash{SignatureScheme::kEcdsaSecp384r1Sha384, "SHA384"},
                             Hash{SignatureScheme::kEcdsaSecp521r1Sha512, "SHA512"}}) {
      const auto sig = sign(key.get(), hash.digest, message);
      auto altered = message;
      altered[3] ^= 1;
      int verified_by = 0;
      for (const auto& p : providers_under_test()) {
        if (!p.provider->supports_verify(hash.scheme)) continue;
        INFO(p.name << ": " << curve.openssl_name << " key, " << name(hash.scheme));
        ++verified_by;
        CHECK(p.provider->verify(hash.scheme, pub, message, sig).ok());
        CHECK_FALSE(p.provider->verify(hash.scheme, pub, altered, sig).ok());
        // The hash is the scheme's: under another one the signature fails.
        for (const Hash& other : {Hash{SignatureScheme::kEcdsaSecp256r1Sha256, ""},
                                  Hash{SignatureScheme::kEcdsaSecp384r1Sha384, ""},
                                  Hash{SignatureScheme::kEcdsaSecp521r1Sha512, ""}}) {
          if (other.scheme == hash.scheme || !p.provider->supports_verify(other.scheme)) continue;
          CHECK_FALSE(p.provider->verify(other.scheme, pub, message, sig).ok());
        }
      }
      CHECK(verified_by > 0);
    }
  }
}

}  // namespace sluice::testing
