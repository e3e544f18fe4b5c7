// The X25519 provider: X25519 key shares (RFC 7748) on AVX-512 IFMA, and
// nothing else. default_provider() puts it ahead of libsodium when the CPU
// has the instructions; a key share then costs about half as much
// (docs/benchmarks.md).
#pragma once

#include <memory>

#include "crypto/provider.h"

namespace sluice::crypto {

// make_x25519_ifma_provider returns nullptr when the CPU lacks AVX-512 IFMA
// (x25519::ifma_available()).
std::unique_ptr<Provider> make_x25519_ifma_provider();

}  // namespace sluice::crypto
