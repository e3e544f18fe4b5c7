// The libsodium provider: a crypto::Provider over libsodium 1.0.18.
//
// libsodium offers, of what the interface covers: SHA-256 and SHA-512 (and
// HMAC over them), ChaCha20-Poly1305 (IETF), AES-256-GCM on CPUs with AES-NI
// and PCLMUL, X25519 and Ed25519. Everything else (SHA-384, AES-128-GCM, the
// NIST curves, ECDSA, RSA) answers supports() == false and kUnsupported; put
// this provider in a composite (crypto/composite) to fill those gaps.
#pragma once

#include <memory>

#include "crypto/provider.h"

namespace sluice::crypto {

// make_sodium_provider returns a thread-safe provider backed by libsodium. It
// initialises libsodium (sodium_init, once per process) and returns nullptr
// only if that initialisation fails.
std::unique_ptr<Provider> make_sodium_provider();

}  // namespace sluice::crypto
