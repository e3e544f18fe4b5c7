// The IPsec MB provider: AES-128-GCM, AES-256-GCM and ChaCha20-Poly1305 over
// Intel's Multi-Buffer Crypto for IPsec library (Debian libipsec-mb-dev),
// whose VAES/VPCLMULQDQ/AVX-512 code seals and opens a 16 KiB record several
// times faster than BearSSL, libsodium or OpenSSL 3.0 on CPUs that have
// those instructions. It offers nothing else (no hash, key exchange,
// signature or RNG): default_provider() puts it first in the composite, and
// the other members fill in the rest.
#pragma once

#include <memory>

#include "crypto/provider.h"

namespace sluice::crypto {

// make_ipsecmb_provider returns nullptr when the CPU lacks AES-NI, PCLMULQDQ
// and AVX2 (the library would then run its portable or SSE code, no faster
// than the members that follow it in the composite), or when the library's
// power-on self-test failed.
std::unique_ptr<Provider> make_ipsecmb_provider();

}  // namespace sluice::crypto
