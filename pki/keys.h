// Private key files: PKCS#8 (RFC 5208/5958) for RSA, RSA-PSS (id-RSASSA-PSS,
// RFC 4055; the hash of its parameters, if any, lands in
// public_key.pss_hash), EC P-256/P-384/P-521 and Ed25519 (RFC 8410), SEC1 "EC PRIVATE KEY" (RFC 5915) and PKCS#1
// "RSA PRIVATE KEY" (RFC 8017), as PEM or DER, into the provider's
// PrivateKeyMaterial. Encrypted keys are not supported. Errors are
// Reason::kConfiguration with a detail naming the check.
#pragma once

#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/error.h"
#include "crypto/provider.h"

namespace sluice::pki {

// parse_private_key_der accepts PKCS#8, SEC1 or PKCS#1 DER (tried in that
// order). EC scalars are left-padded to the field size.
[[nodiscard]] TlsResult<crypto::PrivateKeyMaterial> parse_private_key_der(Bytes der);

// parse_private_key_pem decodes the first "PRIVATE KEY", "EC PRIVATE KEY" or
// "RSA PRIVATE KEY" block of `text`.
[[nodiscard]] TlsResult<crypto::PrivateKeyMaterial> parse_private_key_pem(std::string_view text);

// encode_pkcs8 writes a PKCS#8 PrivateKeyInfo. EC keys include the public
// point when `key.public_key.point` is set. The returned buffer holds the
// secret: callers wipe it (sluice::wipe) when done.
[[nodiscard]] TlsResult<std::vector<uint8_t>> encode_pkcs8(const crypto::PrivateKeyMaterial& key);

// encode_pkcs8_pem is encode_pkcs8 as a "PRIVATE KEY" PEM block.
[[nodiscard]] TlsResult<std::string> encode_pkcs8_pem(const crypto::PrivateKeyMaterial& key);

}  // namespace sluice::pki
