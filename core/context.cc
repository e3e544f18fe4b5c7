#include "core/context.h"

#include <algorithm>
#include <chrono>

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

int64_t Context::now_ms() const {
  if (clock_ms_) return clock_ms_();
  if (clock_) return clock_() * 1000;
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool Context::claim_early_data_ticket(std::span<const uint8_t> ticket) const {
  // Single use within the memory below: a ticket seen before is a replay.
  // Older uses fall out of memory; the ticket age window (checked by the
  // server) bounds how late a replay could still be accepted.
  static constexpr size_t kRememberedEarlyDataTickets = 4096;
  std::lock_guard<std::mutex> lock(replay_mu_);
  for (const auto& t : used_early_tickets_) {
    if (std::equal(t.begin(), t.end(), ticket.begin(), ticket.end())) return false;
  }
  used_early_tickets_.emplace_back(ticket.begin(), ticket.end());
  if (used_early_tickets_.size() > kRememberedEarlyDataTickets) used_early_tickets_.pop_front();
  return true;
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
