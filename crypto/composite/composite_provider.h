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

// ProviderSubset names the public-key algorithms make_subset_provider lets
// through: key shares for `groups`, and signing and verification for keys of
// `key_types`. Hashes, AEADs and randomness are never let through.
struct ProviderSubset {
  std::vector<Group> groups;
  std::vector<KeyType> key_types;
};

// make_subset_provider returns a provider that offers what `member` offers
// of `subset` and answers supports() == false and kUnsupported for the rest,
// so a composite takes only those algorithms from it.
std::unique_ptr<Provider> make_subset_provider(std::shared_ptr<const Provider> member, ProviderSubset subset);

// default_provider returns the process's standard provider, built once on
// first use, the composite of, in order:
//  - IPsec MB (only on CPUs with AES-NI, PCLMULQDQ and AVX2): all three
//    AEADs, 2.6-3× OpenSSL 3.0's AES-GCM on VAES/AVX-512 CPUs;
//  - SHA-NI (only on CPUs with the SHA extensions): SHA-256, its HMAC, HKDF;
//  - libsodium: X25519, Ed25519, SHA-512, and the AEADs where IPsec MB is
//    not used. X25519 stays here by measurement (crypto_bench generate +
//    agree, docs/benchmarks.md): libsodium 1.05-1.7× OpenSSL 3.0's EVP
//    X25519, the libcrypto provider 0.96-1.06×, BearSSL 0.6's c25519_m31
//    0.27-0.29×; its key generation uses the Ed25519 fixed-base table
//    (crypto/sodium/x25519_base.h);
//  - libcrypto (OpenSSL 3), for P-256 and P-384 key shares, ECDSA P-256 and
//    P-384, RSA and RSA-PSS: its code for these is the fastest in Debian,
//    3-4× BearSSL's;
//  - BearSSL for the rest (SHA-384, P-521, and everything above on a lean
//    build).
// A lean build (bazel ... --define=sluice_crypto=lean) links no libcrypto
// and leaves the NIST curves, ECDSA and RSA to BearSSL (README.md
// "Crypto providers" says what that costs). The engine never calls this
// itself: callers pass it in explicitly (STYLE.md practice 9, no
// process-global defaults inside core/).
std::shared_ptr<const Provider> default_provider();

}  // namespace sluice::crypto
