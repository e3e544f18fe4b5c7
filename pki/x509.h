// X.509 v3 certificate parsing (RFC 5280) into plain structs.
//
// parse_certificate never trusts anything: it only decodes. A malformed
// certificate is an Error (Reason::kBadCertificate, a static detail naming the
// check); a well-formed certificate with an unknown critical extension parses
// but has `unknown_critical_extension` set, and validators must refuse it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/error.h"
#include "crypto/provider.h"

namespace sluice::pki {

// The signature algorithms a certificate may be signed with.
enum class SigAlg : uint8_t {
  kRsaPkcs1Sha256,
  kRsaPkcs1Sha384,
  kRsaPkcs1Sha512,
  kRsaPssSha256,  // RSASSA-PSS, MGF1 with the same hash, salt = hash length
  kRsaPssSha384,
  kRsaPssSha512,
  kEcdsaSha256,
  kEcdsaSha384,
  kEd25519,
  kEcdsaSha512,
};

// scheme_for maps a certificate signature algorithm and the signer's key type
// to the provider's SignatureScheme; nullopt for a combination the provider
// interface has no scheme for (e.g. ecdsa-with-SHA256 under a P-384 key).
// RSASSA-PSS maps to rsa_pss_rsae_* under an rsaEncryption key and to
// rsa_pss_pss_* under an id-RSASSA-PSS key; PKCS#1 v1.5 under an RSA-PSS key
// is nullopt (RFC 4055 §1.2: such a key makes PSS signatures only).
std::optional<crypto::SignatureScheme> scheme_for(SigAlg alg, crypto::KeyType signer);

// KeyUsage bits (RFC 5280 §4.2.1.3), as bit numbers of the BIT STRING.
enum class KeyUsageBit : uint8_t {
  kDigitalSignature = 0,
  kNonRepudiation = 1,
  kKeyEncipherment = 2,
  kDataEncipherment = 3,
  kKeyAgreement = 4,
  kKeyCertSign = 5,
  kCrlSign = 6,
};

// IpSubnet is a nameConstraints iPAddress entry: address and mask of equal
// length (4 or 16 bytes); the mask is a contiguous prefix. Both view the
// certificate's DER.
struct IpSubnet {
  Bytes address;
  Bytes mask;
};

// GeneralSubtrees holds the constraint forms pki/ enforces. rfc822Name and
// URI subtrees are skipped (TLS names are DNS names and IP addresses);
// directoryName and other forms set `has_unsupported`.
struct GeneralSubtrees {
  std::vector<std::string_view> dns;
  std::vector<IpSubnet> ip;
  bool has_unsupported = false;
};

struct NameConstraints {
  GeneralSubtrees permitted;
  GeneralSubtrees excluded;
};

// Certificate is one decoded certificate. It owns `der` and public_key; every
// other byte and text field is a view into `der`, so that a parse costs one
// copy instead of one allocation per field. Copying would leave the views
// pointing into the source, so Certificate is move-only (a moved std::vector
// keeps its buffer, and with it the views).
struct Certificate {
  Certificate() = default;
  Certificate(Certificate&&) noexcept = default;
  Certificate& operator=(Certificate&&) noexcept = default;
  Certificate(const Certificate&) = delete;
  Certificate& operator=(const Certificate&) = delete;

  std::vector<uint8_t> der;             // the whole certificate
  Bytes tbs;                            // TBSCertificate, as signed
  unsigned version = 1;                 // 1, 2 or 3
  Bytes serial;                         // INTEGER contents (two's complement)
  SigAlg sig_alg = SigAlg::kEd25519;
  // false: signed with an algorithm pki/ does not verify (e.g. SHA-1); the
  // certificate can then only be a trust anchor.
  bool sig_alg_supported = false;
  Bytes signature;                      // signatureValue (DER for ECDSA)
  Bytes issuer;                         // raw DER Name, compare bytewise
  Bytes subject;                        // raw DER Name
  std::string_view subject_cn;          // for diagnostics only; never matched
  int64_t not_before = 0;               // seconds since the epoch
  int64_t not_after = 0;
  Bytes spki;                           // raw SubjectPublicKeyInfo
  crypto::PublicKey public_key;
  // false: the key algorithm is not one parse_spki supports; public_key is
  // then empty and the certificate can sign nothing we check.
  bool key_supported = false;

  // basicConstraints (§4.2.1.9).
  bool has_basic_constraints = false;
  bool is_ca = false;
  std::optional<uint32_t> path_len;
  // keyUsage (§4.2.1.3): bit i of the mask is KeyUsageBit i.
  std::optional<uint16_t> key_usage;
  // extKeyUsage (§4.2.1.12).
  bool has_eku = false;
  bool eku_server_auth = false, eku_client_auth = false, eku_any = false;
  // subjectAltName (§4.2.1.6): dNSName and iPAddress entries.
  bool has_san = false;
  std::vector<std::string_view> dns_names;
  std::vector<Bytes> ip_addresses;      // 4 or 16 bytes each
  std::optional<NameConstraints> name_constraints;
  Bytes authority_key_id;               // keyIdentifier, when present
  Bytes subject_key_id;
  // A critical extension pki/ does not understand: the certificate must not
  // be used (§4.2).
  bool unknown_critical_extension = false;

  // allows reports whether keyUsage is absent or includes `bit`.
  bool allows(KeyUsageBit bit) const {
    return !key_usage || (*key_usage >> static_cast<unsigned>(bit) & 1);
  }
  bool self_issued() const { return std::ranges::equal(issuer, subject); }
};

// Limits on what a certificate may hold. Real certificates stay far below
// them; they bound the work and memory a hostile one can cause.
// kMaxCertificateSize: the TLS Certificate message carries at most 2^24-1
// bytes in all, and 64 KiB is far above any real certificate.
inline constexpr size_t kMaxCertificateSize = 64 * 1024;
// kMaxSanEntries: the largest public certificates carry a few hundred names.
inline constexpr size_t kMaxSanEntries = 1024;
// kMaxNameConstraints: subtrees per certificate (each is checked against every
// name below it, so the product must stay small).
inline constexpr size_t kMaxNameConstraints = 256;

// parse_certificate decodes one DER certificate. It keeps its own copy of
// `der` (the caller's buffer may go away); the views point into that copy.
[[nodiscard]] TlsResult<Certificate> parse_certificate(Bytes der);

// parse_spki decodes a SubjectPublicKeyInfo into a provider public key:
// rsaEncryption, id-RSASSA-PSS (parameters absent, or RSASSA-PSS-params that
// TLS can use, whose hash then restricts the key: PublicKey::pss_hash),
// id-ecPublicKey on P-256/P-384/P-521 (uncompressed points) and Ed25519.
// Anything else is Reason::kUnsupportedCertificate.
[[nodiscard]] TlsResult<crypto::PublicKey> parse_spki(Bytes spki);

}  // namespace sluice::pki
