#include "core/context.h"

#include <algorithm>
#include <chrono>

#include "base/hex.h"
#include "core/context_internals.h"
#include "crypto/hpke.h"

namespace sluice {

Context::Context(Role role, std::shared_ptr<const crypto::Provider> provider)
    : role_(role), provider_(std::move(provider)), internals_(std::make_unique<ContextInternals>()) {
  using C = wire::CipherSuite;
  policy_.cipher_suites = {C::kAes128GcmSha256,           C::kAes256GcmSha384,
                           C::kChaCha20Poly1305Sha256,    C::kEcdheEcdsaAes128GcmSha256,
                           C::kEcdheRsaAes128GcmSha256,   C::kEcdheEcdsaAes256GcmSha384,
                           C::kEcdheRsaAes256GcmSha384,   C::kEcdheEcdsaChaCha20Poly1305Sha256,
                           C::kEcdheRsaChaCha20Poly1305Sha256};
  policy_.groups = {crypto::Group::kX25519, crypto::Group::kSecp256r1, crypto::Group::kSecp384r1,
                    crypto::Group::kSecp521r1};
  using S = crypto::SignatureScheme;
  // RSA PKCS#1 v1.5 last: TLS 1.2 servers without RSA-PSS (mbedTLS 2.28)
  // sign their ServerKeyExchange with it; TLS 1.3 takes it for certificate
  // signatures only (tls13_signature_scheme).
  policy_.signature_schemes = {S::kEd25519,          S::kEcdsaSecp256r1Sha256, S::kEcdsaSecp384r1Sha384,
                               S::kEcdsaSecp521r1Sha512, S::kRsaPssRsaeSha256, S::kRsaPssRsaeSha384,
                               S::kRsaPssRsaeSha512, S::kRsaPssPssSha256,  S::kRsaPssPssSha384,
                               S::kRsaPssPssSha512,  S::kRsaPkcs1Sha256,   S::kRsaPkcs1Sha384,
                               S::kRsaPkcs1Sha512};
}

Context::~Context() = default;

const CertifiedKey& Context::certificate() const {
  static const CertifiedKey kNone;
  return credentials_.certificates.empty() ? kNone : credentials_.certificates.front();
}

int64_t Context::now_ms() const {
  if (hooks_.clock_ms) return hooks_.clock_ms();
  if (hooks_.clock) return hooks_.clock() * 1000;
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void Context::set_freelist_max_len(size_t n) { internals_->pool.set_max_len(n); }
size_t Context::freelist_max_len() const { return internals_->pool.max_len(); }
size_t Context::freelist_size() const { return internals_->pool.size(); }

ContextInternals& internals(const Context& c) { return *c.internals_; }

bool ContextInternals::claim_early_data_ticket(std::span<const uint8_t> ticket) {
  // Single use within the memory below: a ticket seen before is a replay.
  // Older uses fall out of memory; the ticket age window (checked by the
  // server) bounds how late a replay could still be accepted.
  static constexpr size_t kRememberedEarlyDataTickets = 4096;
  std::lock_guard<std::mutex> lock(replay_mu);
  for (const auto& t : used_early_tickets) {
    if (std::equal(t.begin(), t.end(), ticket.begin(), ticket.end())) return false;
  }
  used_early_tickets.emplace_back(ticket.begin(), ticket.end());
  if (used_early_tickets.size() > kRememberedEarlyDataTickets) used_early_tickets.pop_front();
  return true;
}

void key_log(const Context& c, std::string_view label, std::span<const uint8_t> client_random,
             std::span<const uint8_t> secret) {
  if (!c.hooks().key_log) return;
  std::string line(label);
  line += ' ';
  line += to_hex(client_random);
  line += ' ';
  line += to_hex(secret);
  c.hooks().key_log(line);
}

Result<void, Error> Context::add_ech_key(std::span<const uint8_t> ech_config, std::span<const uint8_t> private_key,
                                         bool retry) {
  ByteReader r(ech_config);
  auto parsed = wire::parse_ech_config(r);
  if (!parsed.ok() || !r.empty()) return Err(Error::api(Reason::kConfiguration, "ECHConfig does not parse"));
  if (!*parsed) return Err(Error::api(Reason::kConfiguration, "ECHConfig of a version other than 0xfe0d"));
  wire::EchConfig& config = **parsed;
  auto public_key = crypto::hpke_public_key(*provider_, config.kem_id, private_key);
  if (!public_key.ok()) return Err(Error::api(Reason::kConfiguration, "ECH KEM unsupported, or the key is malformed"));
  if (*public_key != config.public_key) {
    return Err(Error::api(Reason::kConfiguration, "ECH private key does not match the ECHConfig's public key"));
  }
  credentials_.ech_keys.push_back(EchKey{std::move(config), SecretBytes(private_key), retry});
  return {};
}

}  // namespace sluice
