// default_provider(): the composite of the providers this build links.
#include "crypto/bearssl/bearssl_provider.h"
#include "crypto/composite/composite_provider.h"
#include "crypto/shani/shani_provider.h"
#include "crypto/sodium/sodium_provider.h"

namespace sluice::crypto {

std::shared_ptr<const Provider> default_provider() {
  // Built once; function-local statics initialise thread-safely.
  static const std::shared_ptr<const Provider> provider = [] {
    std::vector<std::shared_ptr<const Provider>> members;
    // First, when the CPU has the SHA extensions: SHA-256, its HMAC and
    // HKDF (the key schedule and transcript) then run there.
    if (auto shani = make_shani_provider()) members.push_back(std::move(shani));
    members.push_back(make_sodium_provider());
    members.push_back(make_bearssl_provider());
    return std::shared_ptr<const Provider>(make_composite_provider(std::move(members)));
  }();
  return provider;
}

}  // namespace sluice::crypto
