#include "pki/signature_cache.h"

namespace sluice::pki {
namespace {

// Each field is length-prefixed, so no two different checks hash the same
// sequence of bytes.
struct LengthPrefix {
  explicit LengthPrefix(size_t n)
      : bytes{static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16), static_cast<uint8_t>(n >> 8),
              static_cast<uint8_t>(n)} {}
  Bytes view() const { return Bytes(bytes); }
  std::array<uint8_t, 4> bytes;
};

}  // namespace

std::optional<SignatureCache::Key> SignatureCache::key_for(const crypto::Provider& p, crypto::SignatureScheme scheme,
                                                           const crypto::PublicKey& key, Bytes signed_data,
                                                           Bytes signature) {
  const auto s = static_cast<uint16_t>(scheme);
  // An RSA-PSS key's hash restriction changes which checks can succeed, so
  // it is part of the key (0xff: none).
  const uint8_t restriction = key.pss_hash ? static_cast<uint8_t>(*key.pss_hash) : uint8_t{0xff};
  const uint8_t head[4] = {static_cast<uint8_t>(s >> 8), static_cast<uint8_t>(s), static_cast<uint8_t>(key.type),
                           restriction};
  const LengthPrefix point(key.point.size()), n(key.rsa_n.size()), e(key.rsa_e.size()),
      data(signed_data.size()), sig(signature.size());
  const Bytes parts[] = {head,     point.view(), key.point,   n.view(),   key.rsa_n, e.view(),
                         key.rsa_e, data.view(), signed_data, sig.view(), signature};
  Key k;
  if (!p.hash_parts(crypto::HashAlg::kSha256, parts, k)) return std::nullopt;
  return k;
}

bool SignatureCache::contains(const Key& k) const {
  std::lock_guard<std::mutex> lock(mu_);
  const size_t first = set_of(k) * kWays;
  for (size_t i = first; i < first + kWays; ++i)
    if (used_[i] && keys_[i] == k) return true;
  return false;
}

void SignatureCache::insert(const Key& k) {
  std::lock_guard<std::mutex> lock(mu_);
  const size_t set = set_of(k), first = set * kWays;
  for (size_t i = first; i < first + kWays; ++i)
    if (used_[i] && keys_[i] == k) return;
  for (size_t i = first; i < first + kWays; ++i) {
    if (!used_[i]) {
      keys_[i] = k;
      used_[i] = true;
      return;
    }
  }
  const size_t victim = first + next_victim_[set];
  next_victim_[set] = static_cast<uint8_t>((next_victim_[set] + 1) % kWays);
  keys_[victim] = k;
}

}  // namespace sluice::pki
