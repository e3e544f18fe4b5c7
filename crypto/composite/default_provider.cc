// default_provider(): the composite of the providers this build links.
#include "crypto/bearssl/bearssl_provider.h"
#include "crypto/composite/composite_provider.h"
#include "crypto/ipsecmb/ipsecmb_provider.h"
#include "crypto/shani/shani_provider.h"
#include "crypto/sodium/sodium_provider.h"
#include "crypto/x25519/x25519_provider.h"
#ifndef SLUICE_LEAN_CRYPTO
#include "crypto/openssl/openssl_provider.h"
#endif

namespace sluice::crypto {
namespace {

#ifndef SLUICE_LEAN_CRYPTO
// libcrypto's share of the default provider: the NIST curves and the
// RSA and ECDSA keys TLS uses, where its assembly beats BearSSL's portable
// m31/i62 code. Its hashes and HMAC stay out: they allocate per call, and
// the key schedule is meant to allocate nothing.
std::shared_ptr<const Provider> libcrypto_public_key_member() {
  std::shared_ptr<const Provider> libcrypto = make_openssl_provider();
  if (!libcrypto) return nullptr;
  return make_subset_provider(std::move(libcrypto),
                              {.groups = {Group::kSecp256r1, Group::kSecp384r1},
                               .key_types = {KeyType::kEcdsaP256, KeyType::kEcdsaP384, KeyType::kRsa,
                                             KeyType::kRsaPss}});
}
#endif

}  // namespace

std::shared_ptr<const Provider> default_provider() {
  // Built once; function-local statics initialise thread-safely.
  static const std::shared_ptr<const Provider> provider = [] {
    std::vector<std::shared_ptr<const Provider>> members;
    // First, when the CPU has the instructions: the AEADs (bulk data), then
    // SHA-256 with its HMAC and HKDF (the key schedule and transcript),
    // X25519 (every handshake's key exchange).
    if (auto ipsecmb = make_ipsecmb_provider()) members.push_back(std::move(ipsecmb));
    if (auto shani = make_shani_provider()) members.push_back(std::move(shani));
    if (auto x25519 = make_x25519_ifma_provider()) members.push_back(std::move(x25519));
    members.push_back(make_sodium_provider());
#ifndef SLUICE_LEAN_CRYPTO
    // Null (and skipped) if libcrypto cannot even fetch SHA-256.
    members.push_back(libcrypto_public_key_member());
#endif
    members.push_back(make_bearssl_provider());
    return std::shared_ptr<const Provider>(make_composite_provider(std::move(members)));
  }();
  return provider;
}

}  // namespace sluice::crypto
