// SignatureCache remembers certificate signatures that verified, so a
// verifier meeting the same chain again (one server, many connections)
// skips their public-key operations, as browsers' verifiers do. A key is
// SHA-256 over everything the check read (scheme, issuer key, signed bytes,
// signature), so a hit stands for exactly the same successful check. Only
// signatures are remembered: validity dates, usages, names and the
// handshake's own CertificateVerify are checked every time.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>

#include "core/bytes.h"
#include "crypto/provider.h"

namespace sluice::pki {

class SignatureCache {
 public:
  using Key = std::array<uint8_t, 32>;

  // key_for digests one signature check; nullopt when the provider has no
  // SHA-256 (the check then simply is not cached).
  static std::optional<Key> key_for(const crypto::Provider& p, crypto::SignatureScheme scheme,
                                    const crypto::PublicKey& key, Bytes signed_data, Bytes signature);
  bool contains(const Key& k) const;
  void insert(const Key& k);

 private:
  // Four-way set-associative: bounded and allocation-free, and keys that
  // land in the same set (a chain's few signatures, say) do not evict one
  // another; a full set replaces its entries in turn.
  static constexpr size_t kWays = 4;
  static constexpr size_t kSets = 64;
  static size_t set_of(const Key& k) { return (size_t{k[0]} | size_t{k[1]} << 8) % kSets; }

  mutable std::mutex mu_;
  std::array<Key, kSets * kWays> keys_{};
  std::array<bool, kSets * kWays> used_{};
  std::array<uint8_t, kSets> next_victim_{};
};

}  // namespace sluice::pki
