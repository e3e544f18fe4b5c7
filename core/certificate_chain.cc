#include "core/certificate_chain.h"

#include <algorithm>

namespace sluice {

bool operator==(const CertificateChain& a, const CertificateChain& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

namespace {

// FNV-1a over the certificates' bytes and lengths: spreads chains over the
// slots; equality is always checked on the bytes themselves.
size_t slot_of(const std::vector<CertificateChain::Der>& certs, size_t slots) {
  uint64_t h = 0xcbf29ce484222325u;
  auto mix = [&h](uint8_t b) { h = (h ^ b) * 0x100000001b3u; };
  for (const auto& c : certs) {
    for (size_t n = c.size(); n != 0; n >>= 8) mix(static_cast<uint8_t>(n));
    for (uint8_t b : c) mix(b);
  }
  return static_cast<size_t>(h % slots);
}

}  // namespace

CertificateChain ChainCache::intern(std::vector<CertificateChain::Der>&& certs) {
  const size_t slot = slot_of(certs, kSlots);
  std::lock_guard<std::mutex> lock(mu_);
  if (auto held = slots_[slot].lock(); held && *held == certs) return CertificateChain(std::move(held));
  auto fresh = std::make_shared<const std::vector<CertificateChain::Der>>(std::move(certs));
  slots_[slot] = fresh;
  return CertificateChain(std::move(fresh));
}

}  // namespace sluice
