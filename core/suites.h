// Cipher suites as data (STYLE.md practice 9): one constexpr descriptor per
// suite sluice implements, with everything the engine needs to know about
// it. Adding a suite is adding a row.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "core/wire/types.h"
#include "crypto/algorithms.h"

namespace sluice {

// How a suite's handshake exchanges keys and authenticates the server.
enum class KeyExchange : uint8_t {
  kAny,    // TLS 1.3: negotiated separately (supported_groups, signature_algorithms)
  kEcdhe,  // TLS 1.2 ECDHE
};
enum class Authentication : uint8_t { kAny, kEcdsa, kRsa };

struct SuiteInfo {
  uint16_t id;
  uint16_t version;  // wire::kTls13 or wire::kTls12
  KeyExchange kx;
  Authentication auth;
  crypto::AeadAlg aead;
  crypto::HashAlg hash;  // HKDF hash (1.3) or PRF hash (1.2)
  const char* name;
};

// all_suites lists every implemented suite, TLS 1.3 first.
std::span<const SuiteInfo> all_suites();
// suite_info finds a suite by its code point; nullopt when not implemented.
std::optional<SuiteInfo> suite_info(uint16_t code_point);
inline std::optional<SuiteInfo> suite_info(wire::CipherSuite s) { return suite_info(static_cast<uint16_t>(s)); }

}  // namespace sluice
