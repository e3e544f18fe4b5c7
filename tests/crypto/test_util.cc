#include "tests/crypto/test_util.h"

#include <doctest/doctest.h>

#include <map>
#include <mutex>
#include <utility>

#include "tests/crypto/providers_under_test.h"

namespace sluice::testing {

std::vector<uint8_t> random_bytes(const crypto::Provider& p, size_t n) {
  std::vector<uint8_t> out(n);
  auto r = p.random(out);
  if (!r && r.error() == crypto::CryptoError::kUnsupported) {
    // A provider without a generator (sha-ni): test inputs from the first
    // provider that has one.
    for (const auto& other : providers_under_test()) {
      if (other.provider->random(out)) return out;
    }
  }
  REQUIRE(r.ok());
  return out;
}

const crypto::PrivateKeyMaterial* cached_signing_key(const crypto::Provider& p, crypto::KeyType type) {
  static std::mutex mu;
  static std::map<std::pair<const crypto::Provider*, crypto::KeyType>, crypto::PrivateKeyMaterial> cache;
  std::lock_guard lock(mu);
  auto it = cache.find({&p, type});
  if (it != cache.end()) return &it->second;
  if (!p.supports_signing(type)) return nullptr;
  auto key = p.generate_key(type, 2048);
  REQUIRE_MESSAGE(key.ok(), p.name() << " claims " << crypto::name(type) << " signing but generate_key failed: "
                                     << crypto::describe(key.error()));
  return &cache.emplace(std::make_pair(&p, type), std::move(*key)).first->second;
}

const crypto::PrivateKeyMaterial* any_signing_key(crypto::KeyType type) {
  for (const auto& put : providers_under_test()) {
    if (auto* key = cached_signing_key(*put.provider, type)) return key;
  }
  return nullptr;
}

}  // namespace sluice::testing
