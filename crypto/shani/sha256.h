// SHA-256 (FIPS 180-4) on the x86 SHA extensions. libsodium 1.0.18 and
// BearSSL 0.6 have only portable SHA-256, about 4× slower on CPUs that have
// the extensions; the key schedule's HMACs and the transcript hash are a
// fifth of a resumed handshake. Use only when sha_extensions_available().
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace sluice::crypto::shani {

// sha_extensions_available: the CPU has SHA-NI and the SSE levels it needs.
bool sha_extensions_available();

class Sha256 {
 public:
  static constexpr size_t kDigestLen = 32;
  static constexpr size_t kBlockLen = 64;

  Sha256() { reset(); }
  ~Sha256() { wipe(); }
  Sha256(const Sha256&) = default;
  Sha256& operator=(const Sha256&) = default;

  void reset();
  void update(std::span<const uint8_t> data);
  // finish writes the digest and wipes the state (reset() before reuse).
  void finish(std::span<uint8_t, kDigestLen> out);

 private:
  void wipe();
  std::array<uint32_t, 8> state_;
  std::array<uint8_t, kBlockLen> pending_;
  size_t pending_len_ = 0;
  uint64_t total_len_ = 0;
};

}  // namespace sluice::crypto::shani
