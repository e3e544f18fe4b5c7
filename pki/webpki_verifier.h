// WebPkiVerifier: certificate path validation in the manner of webpki
// (RFC 5280 §6 as profiled for the Web PKI).
//
// Trust anchors are subjects and keys (with any name constraints) taken from
// certificates; an anchor's own validity and signature are not checked. A
// path is built from the peer's end-entity certificate through the other
// certificates it sent (in any order; extras are ignored) to an anchor,
// trying alternatives when one fails, within fixed bounds. Signatures are
// checked by the injected provider; time comes from CertificateRequest::now.
//
// Failures carry the Reason (and so the alert) of the first problem found:
//   kUnknownCa               no path to an anchor
//   kCertificateExpired / kCertificateNotYetValid
//   kCertificateNameMismatch the server name matches no SAN
//   kBadCertificate          malformed, bad signature, CA:FALSE or no
//                            keyCertSign on an issuer, path length exceeded,
//                            name constraint violated, search budget spent
//   kUnsupportedCertificate  unknown critical extension, unsupported algorithm
//                            or key, wrong extended key usage
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/verifier.h"
#include "crypto/provider.h"
#include "pki/signature_cache.h"
#include "pki/x509.h"

namespace sluice::pki {

// Where Debian's ca-certificates package puts the system bundle.
inline constexpr const char* kSystemBundlePath = "/etc/ssl/certs/ca-certificates.crt";

// A path holds at most this many intermediates: real Web PKI paths have one
// or two, and the bound keeps path building polynomial.
inline constexpr size_t kMaxIntermediates = 6;
// Path building stops after this many signature checks in one verify():
// with duplicate names and cross-signs, alternative paths multiply, and each
// RSA check costs real time (webpki uses the same bound).
inline constexpr size_t kMaxSignatureChecks = 100;
// The most certificates looked at from the peer's chain.
inline constexpr size_t kMaxChainLength = 16;
// RSA keys below 2048 bits are refused in verified paths (CA/B Forum BR §6.1.5).
inline constexpr size_t kMinRsaModulusBits = 2048;

// TrustAnchor is what path validation uses of a root certificate. Its name
// constraints view `der`, so it is move-only, like Certificate.
struct TrustAnchor {
  TrustAnchor() = default;
  TrustAnchor(TrustAnchor&&) noexcept = default;
  TrustAnchor& operator=(TrustAnchor&&) noexcept = default;
  TrustAnchor(const TrustAnchor&) = delete;
  TrustAnchor& operator=(const TrustAnchor&) = delete;

  std::vector<uint8_t> subject;  // raw DER Name
  crypto::PublicKey key;
  std::optional<NameConstraints> name_constraints;
  // The root certificate, which name_constraints views; empty without them.
  std::vector<uint8_t> der;
  std::vector<uint8_t> key_id;  // subjectKeyIdentifier, when the root has one
  std::string cn;               // for diagnostics
};

class WebPkiVerifier final : public CertificateVerifier {
 public:
  // from_certificates takes anchors from DER certificates. Certificates that
  // do not parse or whose key is unsupported are skipped (and counted);
  // having no usable anchor at all is Reason::kConfiguration.
  [[nodiscard]] static TlsResult<std::unique_ptr<WebPkiVerifier>> from_certificates(
      std::shared_ptr<const crypto::Provider> provider, std::span<const std::vector<uint8_t>> roots);
  // from_pem takes anchors from the CERTIFICATE blocks of a PEM bundle.
  [[nodiscard]] static TlsResult<std::unique_ptr<WebPkiVerifier>> from_pem(
      std::shared_ptr<const crypto::Provider> provider, std::string_view pem);
  // from_file reads a PEM bundle, by default the system one.
  [[nodiscard]] static TlsResult<std::unique_ptr<WebPkiVerifier>> from_file(
      std::shared_ptr<const crypto::Provider> provider, const std::string& path = kSystemBundlePath);

  // verify validates req.chain for req.now. When req.peer_is_server the
  // leaf must allow serverAuth and match req.server_name (which must then be
  // set); otherwise it must allow clientAuth and no name is checked. The
  // token carries the leaf's public key.
  TlsResult<CertVerified> verify(const CertificateRequest& req) const override;

  // set_max_intermediates bounds the intermediates a path may hold, as
  // openssl's verify depth does: 0 lets only an anchor sign the leaf. A
  // longer path fails with kUnknownCa, like openssl's "certificate chain too
  // long" (unknown_ca). Values above kMaxIntermediates (the default) are
  // capped to it. Set before first use.
  void set_max_intermediates(size_t n) { max_intermediates_ = std::min(n, kMaxIntermediates); }

  // Verified certificate signatures are remembered (see SignatureCache);
  // off, every signature is checked every time. Set before first use.
  void set_signature_cache(bool on) { cache_signatures_ = on; }

  size_t anchor_count() const { return anchors_.size(); }
  // skipped_count is the number of bundle certificates that were not usable.
  size_t skipped_count() const { return skipped_; }
  const std::vector<TrustAnchor>& anchors() const { return anchors_; }

 private:
  explicit WebPkiVerifier(std::shared_ptr<const crypto::Provider> p) : provider_(std::move(p)) {}
  std::shared_ptr<const crypto::Provider> provider_;
  std::vector<TrustAnchor> anchors_;
  size_t skipped_ = 0;
  bool cache_signatures_ = true;
  size_t max_intermediates_ = kMaxIntermediates;
  mutable SignatureCache signature_cache_;
};

}  // namespace sluice::pki
