// The libcrypto provider: every primitive sluice needs, over OpenSSL 3's EVP
// interfaces (AEADs, X25519/P-256/P-384, ECDSA, Ed25519, RSA-PSS and
// PKCS#1 v1.5, SHA-2, HMAC/HKDF).
//
// It is for users who already ship libcrypto or need its FIPS module, and
// for benchmarks that compare sluice with OpenSSL's TLS on the very same
// primitives. default_provider() takes only its public-key part (the NIST
// curves, ECDSA, RSA) through a subset member, unless built lean.
#pragma once

#include <memory>
#include <string>

#include "crypto/provider.h"

namespace sluice::crypto {

struct OpenSslOptions {
  // properties is the OpenSSL property query used for every algorithm
  // fetch, e.g. "fips=yes" to take only FIPS-approved implementations (the
  // FIPS provider must then be loaded, e.g. through openssl.cnf). Empty:
  // whatever the default library context offers.
  std::string properties;
};

// make_openssl_provider returns a thread-safe provider over libcrypto, or
// nullptr when not even SHA-256 can be fetched with these properties.
// Algorithms the loaded OpenSSL providers lack answer kUnsupported.
std::unique_ptr<Provider> make_openssl_provider(const OpenSslOptions& options = {});

}  // namespace sluice::crypto
