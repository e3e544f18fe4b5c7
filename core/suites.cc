#include "core/suites.h"

#include <array>

namespace sluice {

namespace {

using crypto::AeadAlg;
using crypto::HashAlg;

constexpr std::array<SuiteInfo, 9> kSuites = {{
    // RFC 8446 §B.4.
    {0x1301, wire::kTls13, KeyExchange::kAny, Authentication::kAny, AeadAlg::kAes128Gcm, HashAlg::kSha256,
     "TLS_AES_128_GCM_SHA256"},
    {0x1302, wire::kTls13, KeyExchange::kAny, Authentication::kAny, AeadAlg::kAes256Gcm, HashAlg::kSha384,
     "TLS_AES_256_GCM_SHA384"},
    {0x1303, wire::kTls13, KeyExchange::kAny, Authentication::kAny, AeadAlg::kChaCha20Poly1305,
     HashAlg::kSha256, "TLS_CHACHA20_POLY1305_SHA256"},
    // TLS 1.2, ECDHE with AEAD only (RFC 5289, RFC 7905): no CBC, RSA key
    // exchange, static or finite-field DH, export or NULL suites.
    {0xc02b, wire::kTls12, KeyExchange::kEcdhe, Authentication::kEcdsa, AeadAlg::kAes128Gcm, HashAlg::kSha256,
     "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
    {0xc02c, wire::kTls12, KeyExchange::kEcdhe, Authentication::kEcdsa, AeadAlg::kAes256Gcm, HashAlg::kSha384,
     "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {0xcca9, wire::kTls12, KeyExchange::kEcdhe, Authentication::kEcdsa, AeadAlg::kChaCha20Poly1305,
     HashAlg::kSha256, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xc02f, wire::kTls12, KeyExchange::kEcdhe, Authentication::kRsa, AeadAlg::kAes128Gcm, HashAlg::kSha256,
     "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0xc030, wire::kTls12, KeyExchange::kEcdhe, Authentication::kRsa, AeadAlg::kAes256Gcm, HashAlg::kSha384,
     "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0xcca8, wire::kTls12, KeyExchange::kEcdhe, Authentication::kRsa, AeadAlg::kChaCha20Poly1305,
     HashAlg::kSha256, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
}};

}  // namespace

std::span<const SuiteInfo> all_suites() { return kSuites; }

std::optional<SuiteInfo> suite_info(uint16_t code_point) {
  for (const SuiteInfo& s : kSuites) {
    if (s.id == code_point) return s;
  }
  return std::nullopt;
}

}  // namespace sluice
