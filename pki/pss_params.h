// RSASSA-PSS-params (RFC 4055 §3.1), shared by the certificate parser (the
// signatureAlgorithm and id-RSASSA-PSS SubjectPublicKeyInfo), the key-file
// parser (PKCS#8 with id-RSASSA-PSS) and certificate generation.
//
// TLS uses RSASSA-PSS in one shape only: MGF1 over the message hash and a
// salt as long as the hash (RFC 8446 §4.2.3). The parser decodes the
// parameters with their ASN.1 defaults and leaves it to the caller to judge
// them: a signature must match that shape exactly, while a key's saltLength
// is a minimum (RFC 4055 §3.1), so a key restricted to salt <= hash length
// can still make TLS signatures.
#pragma once

#include <cstdint>

#include "core/error.h"
#include "crypto/algorithms.h"
#include "pki/der.h"

namespace sluice::pki {

// PssParams is what a decoded RSASSA-PSS-params says.
struct PssParams {
  crypto::HashAlg hash = crypto::HashAlg::kSha256;
  uint64_t salt_len = 0;
};

// parse_pss_params reads the parameters that follow the id-RSASSA-PSS OID
// in an AlgorithmIdentifier (`params` is positioned after the OID and must
// hold exactly one SEQUENCE). It fails with Reason::kUnsupportedCertificate
// when the parameters are well-formed but outside what TLS can use: a hash
// other than SHA-256/384/512 (the SHA-1 default included), a mask function
// other than MGF1, or an MGF1 hash that differs from the message hash. A
// trailerField other than 1 (RFC 4055 §3.1) and any DER error are
// Reason::kBadCertificate.
[[nodiscard]] TlsResult<PssParams> parse_pss_params(DerReader& params);

// fits_tls_signature says whether a signature's parameters are RFC 8446
// §4.2.3's: salt length equal to the hash length.
constexpr bool fits_tls_signature(const PssParams& p) { return p.salt_len == crypto::hash_len(p.hash); }

// fits_tls_key says whether a key restricted by `p` may make TLS signatures:
// its minimum salt length is at most the hash length.
constexpr bool fits_tls_key(const PssParams& p) { return p.salt_len <= crypto::hash_len(p.hash); }

// pss_params_der encodes RSASSA-PSS-params for `hash`: that hash, MGF1 with
// it, salt = hash length, default trailer (what TLS signatures use, and
// what OpenSSL writes for a key restricted the same way).
Der pss_params_der(crypto::HashAlg hash);

}  // namespace sluice::pki
