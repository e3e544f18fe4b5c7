// Randomness straight from the kernel. getrandom(2) is thread-safe and never
// returns predictable bytes after boot, so the provider keeps no RNG state.
#include <sys/random.h>

#include <cerrno>

#include "crypto/bearssl/internal.h"

namespace sluice::crypto::bearssl {

CStatus fill_random(MutBytes out) {
  size_t done = 0;
  // A bound on retries so a broken kernel interface cannot hang a handshake.
  for (int attempts = 0; done < out.size() && attempts < 1000; ++attempts) {
    ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Err(CryptoError::kRandomFailed);
    }
    done += static_cast<size_t>(n);
  }
  if (done != out.size()) return Err(CryptoError::kRandomFailed);
  return {};
}

Drbg::~Drbg() { wipe(MutBytes(reinterpret_cast<uint8_t*>(&ctx_), sizeof(ctx_))); }

CStatus Drbg::seed() {
  // 48 bytes: the HMAC-DRBG security strength (256 bits) plus a nonce.
  uint8_t seed[48];
  SLUICE_TRY(fill_random(seed));
  br_hmac_drbg_init(&ctx_, &br_sha256_vtable, seed, sizeof(seed));
  wipe(seed);
  return {};
}

}  // namespace sluice::crypto::bearssl
