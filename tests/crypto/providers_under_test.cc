#include "tests/crypto/providers_under_test.h"

#include <cstdio>

#include "crypto/bearssl/bearssl_provider.h"
#include "crypto/ipsecmb/ipsecmb_provider.h"
#include "crypto/openssl/openssl_provider.h"
#include "crypto/shani/shani_provider.h"
#include "crypto/sodium/sodium_provider.h"
#include "crypto/x25519/x25519_provider.h"

namespace sluice::testing {

const std::vector<ProviderUnderTest>& providers_under_test() {
  static const std::vector<ProviderUnderTest> list = [] {
    std::vector<ProviderUnderTest> v;
    v.push_back({"libsodium", crypto::make_sodium_provider()});
    v.push_back({"bearssl", crypto::make_bearssl_provider()});
    v.push_back({"libcrypto", crypto::make_openssl_provider()});
    // Only on CPUs with the SHA extensions; elsewhere the default provider
    // does not use it either.
    if (auto shani = crypto::make_shani_provider()) v.push_back({"sha-ni", std::move(shani)});
    // Only on CPUs with AES-NI, PCLMULQDQ and AVX2, like sha-ni above;
    // said aloud, since its tests then do not run.
    if (auto ipsecmb = crypto::make_ipsecmb_provider()) {
      v.push_back({"ipsec-mb", std::move(ipsecmb)});
    } else {
      std::fprintf(stderr, "NOT RUN: ipsec-mb provider (this CPU lacks AES-NI, PCLMULQDQ or AVX2)\n");
    }
    if (auto x25519 = crypto::make_x25519_ifma_provider()) {
      v.push_back({"x25519-ifma", std::move(x25519)});
    } else {
      std::fprintf(stderr, "NOT RUN: x25519-ifma provider (this CPU lacks AVX512IFMA or AVX512VL)\n");
    }
    return v;
  }();
  return list;
}

}  // namespace sluice::testing
