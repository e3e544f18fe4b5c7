// The composite provider: one Provider assembled from several, taking each
// algorithm from the first member that supports it (DESIGN.md "Crypto
// providers").
#pragma once

#include <memory>
#include <vector>

#include "crypto/provider.h"

namespace sluice::crypto {

// make_composite_provider returns a provider that, for each request, asks
// `members` in order and uses the first that supports the algorithm:
// supports(HashAlg/AeadAlg/Group) for hashes, HMAC/HKDF, AEADs and key
// shares; supports_signing(type) for new_signer/generate_key;
// supports_verify(scheme) for verify. random() comes from the first member.
// A request no member supports answers kUnsupported. Null members are
// skipped. The composite shares ownership of its members.
std::unique_ptr<Provider> make_composite_provider(std::vector<std::shared_ptr<const Provider>> members);

// default_provider returns the process's standard provider, built once on
// first use: the composite of [SHA-NI, libsodium, BearSSL]. The SHA-NI member
// (present only on CPUs with the SHA extensions) takes SHA-256 and its HMAC;
// libsodium comes next for what it and BearSSL both offer (it is the faster
// for ChaCha20-Poly1305, X25519 and Ed25519); BearSSL fills in SHA-384,
// AES-128-GCM, the NIST curves, ECDSA and RSA. The engine never calls this itself: callers pass it in explicitly
// (STYLE.md practice 9, no process-global defaults inside core/).
std::shared_ptr<const Provider> default_provider();

}  // namespace sluice::crypto
