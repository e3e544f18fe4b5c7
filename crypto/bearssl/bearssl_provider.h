// The BearSSL 0.6 provider: every primitive sluice needs except Ed25519,
// which BearSSL lacks (supports() says false, requests get kUnsupported).
#pragma once

#include <memory>
#include <string>

#include "crypto/provider.h"

namespace sluice::crypto {

// make_bearssl_provider returns a thread-safe provider over the system
// BearSSL. It picks the fastest implementation BearSSL has for this CPU once,
// on first use; the provider holds no mutable state.
std::unique_ptr<Provider> make_bearssl_provider();

// describe_implementations names the BearSSL implementation selected for each
// family (AES-CTR, GHASH, ChaCha20, Poly1305, EC, RSA), for logs and reports.
std::string describe_implementations();

}  // namespace sluice::crypto
