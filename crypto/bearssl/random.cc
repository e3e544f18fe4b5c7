// The HMAC-DRBG BearSSL's key generators draw from, seeded from the kernel.
#include "crypto/bearssl/internal.h"
#include "crypto/system_random.h"

namespace sluice::crypto::bearssl {

Drbg::~Drbg() { wipe(MutBytes(reinterpret_cast<uint8_t*>(&ctx_), sizeof(ctx_))); }

CStatus Drbg::seed() {
  // 48 bytes: the HMAC-DRBG security strength (256 bits) plus a nonce.
  uint8_t seed[48];
  SLUICE_TRY(kernel_random(seed));
  br_hmac_drbg_init(&ctx_, &br_sha256_vtable, seed, sizeof(seed));
  wipe(seed);
  return {};
}

}  // namespace sluice::crypto::bearssl
