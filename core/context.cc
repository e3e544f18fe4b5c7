#include "core/context.h"

#include <ctime>

#include "base/hex.h"

namespace sluice {

Context::Context(Role role, std::shared_ptr<const crypto::Provider> provider)
    : role_(role),
      provider_(std::move(provider)),
      suites_{wire::CipherSuite::kAes128GcmSha256, wire::CipherSuite::kAes256GcmSha384,
              wire::CipherSuite::kChaCha20Poly1305Sha256},
      groups_{crypto::Group::kX25519, crypto::Group::kSecp256r1, crypto::Group::kSecp384r1},
      schemes_{crypto::SignatureScheme::kEd25519,          crypto::SignatureScheme::kEcdsaSecp256r1Sha256,
               crypto::SignatureScheme::kEcdsaSecp384r1Sha384, crypto::SignatureScheme::kRsaPssRsaeSha256,
               crypto::SignatureScheme::kRsaPssRsaeSha384, crypto::SignatureScheme::kRsaPssRsaeSha512},
      outbound_limit_(wire::kMaxRecordLen) {}

int64_t Context::now() const {
  if (clock_) return clock_();
  return static_cast<int64_t>(std::time(nullptr));
}

void Context::key_log(std::string_view label, std::span<const uint8_t> client_random,
                      std::span<const uint8_t> secret) const {
  if (!key_log_) return;
  std::string line(label);
  line += ' ';
  line += to_hex(client_random);
  line += ' ';
  line += to_hex(secret);
  key_log_(line);
}

}  // namespace sluice
