#include "pki/x509.h"

#include "pki/der.h"
#include "pki/oid.h"
#include "pki/pss_params.h"
#include "pki/x509_internal.h"

namespace sluice::pki {
namespace {

using internal::malformed;
using internal::unsupported;
using crypto::KeyType;
using crypto::SignatureScheme;

// RSA moduli outside these bounds are refused at parse time. 1024 bits is
// the smallest still met in test vectors (RFC 8448); above 8192 bits a single
// signature check becomes a denial-of-service lever.
constexpr size_t kMinRsaModulusBytes = 1024 / 8;
constexpr size_t kMaxRsaModulusBytes = 8192 / 8;
// Public exponents longer than 32 bits have no use and some engines refuse them.
constexpr size_t kMaxRsaExponentBytes = 4;
// RFC 5280 §4.1.2.2 allows 20 octets; one more tolerates a sign byte.
constexpr size_t kMaxSerialBytes = 21;

std::vector<uint8_t> own(Bytes b) { return std::vector<uint8_t>(b.begin(), b.end()); }

// sig_alg_for_pss maps RSASSA-PSS signature parameters onto SigAlg; only
// RFC 8446 §4.2.3's shape (MGF1 of the same hash, salt = hash length) is
// one pki/ checks.
TlsResult<SigAlg> sig_alg_for_pss(DerReader& params) {
  PssParams p = SLUICE_TRY(parse_pss_params(params));
  if (!fits_tls_signature(p)) return Err(unsupported("x509: PSS salt length is not the hash length"));
  switch (p.hash) {
    case crypto::HashAlg::kSha256: return SigAlg::kRsaPssSha256;
    case crypto::HashAlg::kSha384: return SigAlg::kRsaPssSha384;
    case crypto::HashAlg::kSha512: return SigAlg::kRsaPssSha512;
  }
  return Err(unsupported("x509: PSS hash"));
}

// parse_sig_alg reads a signature AlgorithmIdentifier. Unknown algorithms
// yield nullopt (the certificate may still serve as a trust anchor, whose own
// signature is never checked).
TlsResult<std::optional<SigAlg>> parse_sig_alg(Bytes algid_value) {
  DerReader r(algid_value);
  Bytes id = SLUICE_TRY(r.oid());
  struct Pkcs1 {
    std::span<const uint8_t> oid;
    SigAlg alg;
  };
  static constexpr Pkcs1 kPkcs1[] = {{oid::kSha256WithRsa, SigAlg::kRsaPkcs1Sha256},
                                     {oid::kSha384WithRsa, SigAlg::kRsaPkcs1Sha384},
                                     {oid::kSha512WithRsa, SigAlg::kRsaPkcs1Sha512}};
  for (const Pkcs1& p : kPkcs1) {
    if (!oid::oid_is(id, p.oid)) continue;
    // RFC 4055 §5: the parameters MUST be NULL; absent is tolerated.
    if (!r.empty()) SLUICE_TRY(r.null());
    SLUICE_TRY(r.finish("x509: RSA signature parameters"));
    return std::optional<SigAlg>(p.alg);
  }
  if (oid::oid_is(id, oid::kRsaPss)) {
    SigAlg alg = SLUICE_TRY(sig_alg_for_pss(r));
    return std::optional<SigAlg>(alg);
  }
  std::optional<SigAlg> alg;
  if (oid::oid_is(id, oid::kEcdsaSha256)) alg = SigAlg::kEcdsaSha256;
  if (oid::oid_is(id, oid::kEcdsaSha384)) alg = SigAlg::kEcdsaSha384;
  if (oid::oid_is(id, oid::kEcdsaSha512)) alg = SigAlg::kEcdsaSha512;
  if (oid::oid_is(id, oid::kEd25519)) alg = SigAlg::kEd25519;
  // RFC 5758 §3.2 and RFC 8410 §3: the parameters MUST be absent.
  if (alg) SLUICE_TRY(r.finish("x509: signature parameters must be absent"));
  return alg;
}

TlsResult<Bytes> rsa_component(DerReader& r, size_t max_len) {
  Bytes v = SLUICE_TRY(r.unsigned_integer());
  if (v.size() > max_len) return Err(unsupported("x509: RSA key too large"));
  return v;
}

// rsa_public_key decodes an RSAPublicKey (RFC 8017 §A.1.1) BIT STRING body
// into out.rsa_n / out.rsa_e, within the size limits above.
TlsResult<void> rsa_public_key(Bytes key, crypto::PublicKey& out) {
  DerReader kr(key);
  DerReader rsa = SLUICE_TRY(kr.sequence());
  SLUICE_TRY(kr.finish("x509: RSAPublicKey trailing data"));
  Bytes n = SLUICE_TRY(rsa_component(rsa, kMaxRsaModulusBytes));
  Bytes e = SLUICE_TRY(rsa_component(rsa, kMaxRsaExponentBytes));
  SLUICE_TRY(rsa.finish("x509: RSAPublicKey trailing data"));
  if (n.size() < kMinRsaModulusBytes) return Err(unsupported("x509: RSA key too small"));
  uint8_t e_last = 0;
  ByteReader er(e);
  if (!er.skip(e.size() - 1) || !er.u8(e_last) || !(e_last & 1) || (e.size() == 1 && e_last < 3))
    return Err(malformed("x509: RSA exponent must be odd and at least 3"));
  out.rsa_n = own(n);
  out.rsa_e = own(e);
  return {};
}

}  // namespace

std::optional<SignatureScheme> scheme_for(SigAlg alg, KeyType signer) {
  const bool rsa = signer == KeyType::kRsa;
  const bool pss_key = signer == KeyType::kRsaPss;
  switch (alg) {
    case SigAlg::kRsaPkcs1Sha256: if (rsa) return SignatureScheme::kRsaPkcs1Sha256; break;
    case SigAlg::kRsaPkcs1Sha384: if (rsa) return SignatureScheme::kRsaPkcs1Sha384; break;
    case SigAlg::kRsaPkcs1Sha512: if (rsa) return SignatureScheme::kRsaPkcs1Sha512; break;
    case SigAlg::kRsaPssSha256:
      if (rsa) return SignatureScheme::kRsaPssRsaeSha256;
      if (pss_key) return SignatureScheme::kRsaPssPssSha256;
      break;
    case SigAlg::kRsaPssSha384:
      if (rsa) return SignatureScheme::kRsaPssRsaeSha384;
      if (pss_key) return SignatureScheme::kRsaPssPssSha384;
      break;
    case SigAlg::kRsaPssSha512:
      if (rsa) return SignatureScheme::kRsaPssRsaeSha512;
      if (pss_key) return SignatureScheme::kRsaPssPssSha512;
      break;
    case SigAlg::kEcdsaSha256:
      if (signer == KeyType::kEcdsaP256) return SignatureScheme::kEcdsaSecp256r1Sha256;
      break;
    case SigAlg::kEcdsaSha384:
      if (signer == KeyType::kEcdsaP384) return SignatureScheme::kEcdsaSecp384r1Sha384;
      break;
    case SigAlg::kEcdsaSha512:
      if (signer == KeyType::kEcdsaP521) return SignatureScheme::kEcdsaSecp521r1Sha512;
      break;
    case SigAlg::kEd25519:
      if (signer == KeyType::kEd25519) return SignatureScheme::kEd25519;
      break;
  }
  return std::nullopt;
}

TlsResult<crypto::PublicKey> parse_spki(Bytes spki) {
  DerReader outer(spki);
  DerReader info = SLUICE_TRY(outer.sequence());
  SLUICE_TRY(outer.finish("x509: SubjectPublicKeyInfo trailing data"));
  DerReader alg = SLUICE_TRY(info.sequence());
  Bytes key = SLUICE_TRY(info.bit_string_bytes());
  SLUICE_TRY(info.finish("x509: SubjectPublicKeyInfo trailing data"));
  Bytes id = SLUICE_TRY(alg.oid());
  crypto::PublicKey out;
  if (oid::oid_is(id, oid::kRsaEncryption)) {
    // RFC 3279 §2.3.1: parameters NULL (absent tolerated).
    if (!alg.empty()) SLUICE_TRY(alg.null());
    SLUICE_TRY(alg.finish("x509: RSA key parameters"));
    SLUICE_TRY(rsa_public_key(key, out));
    out.type = KeyType::kRsa;
    return out;
  }
  if (oid::oid_is(id, oid::kRsaPss)) {
    // RFC 4055 §3.1: parameters absent (any PSS use) or RSASSA-PSS-params,
    // which fix the hash and give a minimum salt length.
    if (!alg.empty()) {
      PssParams p = SLUICE_TRY(parse_pss_params(alg));
      if (!fits_tls_key(p)) return Err(unsupported("x509: RSA-PSS key salt longer than its hash"));
      out.pss_hash = p.hash;
    }
    // The key itself is an RSAPublicKey, as for rsaEncryption (RFC 4055 §1.2).
    SLUICE_TRY(rsa_public_key(key, out));
    out.type = KeyType::kRsaPss;
    return out;
  }
  if (oid::oid_is(id, oid::kEcPublicKey)) {
    // RFC 5480 §2.1.1: namedCurve only.
    Bytes curve = SLUICE_TRY(alg.oid());
    SLUICE_TRY(alg.finish("x509: EC key parameters"));
    if (oid::oid_is(curve, oid::kPrime256v1)) {
      out.type = KeyType::kEcdsaP256;
    } else if (oid::oid_is(curve, oid::kSecp384r1)) {
      out.type = KeyType::kEcdsaP384;
    } else if (oid::oid_is(curve, oid::kSecp521r1)) {
      out.type = KeyType::kEcdsaP521;
    } else {
      return Err(unsupported("x509: EC curve not P-256/P-384/P-521"));
    }
    const size_t coord = crypto::ec_scalar_len(out.type);
    ByteReader pr(key);
    uint8_t form;
    if (!pr.u8(form) || form != 0x04) return Err(unsupported("x509: EC point not uncompressed"));
    if (pr.remaining() != 2 * coord) return Err(malformed("x509: EC point has wrong length"));
    out.point = own(key);
    return out;
  }
  if (oid::oid_is(id, oid::kEd25519)) {
    SLUICE_TRY(alg.finish("x509: Ed25519 parameters must be absent"));
    if (key.size() != 32) return Err(malformed("x509: Ed25519 key is not 32 bytes"));
    out.type = KeyType::kEd25519;
    out.point = own(key);
    return out;
  }
  return Err(unsupported("x509: unsupported public key algorithm"));
}

namespace internal {

TlsResult<std::string_view> parse_name(Bytes name_value) {
  DerReader rdns(name_value);
  std::string_view cn;
  while (!rdns.empty()) {
    DerReader set = SLUICE_TRY(rdns.constructed(tag::kSet));
    if (set.empty()) return Err(malformed("x509: empty RelativeDistinguishedName"));
    while (!set.empty()) {
      DerReader atv = SLUICE_TRY(set.sequence());
      Bytes type = SLUICE_TRY(atv.oid());
      Tlv value = SLUICE_TRY(atv.any());
      SLUICE_TRY(atv.finish("x509: AttributeTypeAndValue trailing data"));
      if (cn.empty() && oid::oid_is(type, oid::kCommonName)) cn = as_text(value.value);
    }
  }
  return cn;
}

}  // namespace internal

TlsResult<Certificate> parse_certificate(Bytes der) {
  if (der.size() > kMaxCertificateSize) return Err(malformed("x509: certificate too large"));
  Certificate cert;
  // The one copy: every view below points into it.
  cert.der = own(der);
  DerReader top(cert.der);
  DerReader c = SLUICE_TRY(top.sequence());
  SLUICE_TRY(top.finish("x509: data after the certificate"));
  Tlv tbs_tlv = SLUICE_TRY(c.expect(tag::kSequence));
  Tlv outer_alg = SLUICE_TRY(c.expect(tag::kSequence));
  Bytes sig = SLUICE_TRY(c.bit_string_bytes());
  SLUICE_TRY(c.finish("x509: Certificate trailing data"));
  cert.tbs = tbs_tlv.raw;
  cert.signature = sig;

  DerReader tbs(tbs_tlv.value);
  auto version = SLUICE_TRY(tbs.optional_explicit(0));
  if (version) {
    cert.version = static_cast<unsigned>(SLUICE_TRY(version->small_uint(2))) + 1;
    SLUICE_TRY(version->finish("x509: version trailing data"));
  }
  Bytes serial = SLUICE_TRY(tbs.integer());
  if (serial.size() > kMaxSerialBytes) return Err(malformed("x509: serial number too long"));
  cert.serial = serial;
  Tlv inner_alg = SLUICE_TRY(tbs.expect(tag::kSequence));
  // RFC 5280 §4.1.1.2: both algorithm fields MUST be identical.
  if (!std::ranges::equal(inner_alg.raw, outer_alg.raw))
    return Err(malformed("x509: signature algorithm fields differ"));
  // An algorithm we cannot check leaves sig_alg_supported false rather than
  // failing: such a certificate can still be a trust anchor.
  std::optional<SigAlg> sig_alg;
  auto sig_alg_r = parse_sig_alg(inner_alg.value);
  if (sig_alg_r) {
    sig_alg = *sig_alg_r;
  } else if (sig_alg_r.error().reason != Reason::kUnsupportedCertificate) {
    return Err(sig_alg_r.error());
  }
  Tlv issuer = SLUICE_TRY(tbs.expect(tag::kSequence));
  SLUICE_TRY(internal::parse_name(issuer.value));
  cert.issuer = issuer.raw;
  DerReader validity = SLUICE_TRY(tbs.sequence());
  cert.not_before = SLUICE_TRY(validity.time());
  cert.not_after = SLUICE_TRY(validity.time());
  SLUICE_TRY(validity.finish("x509: Validity trailing data"));
  Tlv subject = SLUICE_TRY(tbs.expect(tag::kSequence));
  cert.subject_cn = SLUICE_TRY(internal::parse_name(subject.value));
  cert.subject = subject.raw;
  Tlv spki = SLUICE_TRY(tbs.expect(tag::kSequence));
  cert.spki = spki.raw;
  auto key = parse_spki(spki.raw);
  if (key) {
    cert.public_key = std::move(key).value();
    cert.key_supported = true;
  } else if (key.error().reason != Reason::kUnsupportedCertificate) {
    return Err(key.error());
  }
  // issuerUniqueID [1] and subjectUniqueID [2] (v2 and v3 only) are skipped.
  for (unsigned n = 1; n <= 2; ++n) {
    auto uid = SLUICE_TRY(tbs.optional(tag::context_primitive(n)));
    if (uid && cert.version < 2) return Err(malformed("x509: unique ID in a v1 certificate"));
  }
  auto exts = SLUICE_TRY(tbs.optional_explicit(3));
  if (exts) {
    if (cert.version != 3) return Err(malformed("x509: extensions in a pre-v3 certificate"));
    DerReader list = SLUICE_TRY(exts->sequence());
    SLUICE_TRY(exts->finish("x509: extensions trailing data"));
    SLUICE_TRY(internal::parse_extensions(list, cert));
  }
  SLUICE_TRY(tbs.finish("x509: TBSCertificate trailing data"));
  if (sig_alg) {
    cert.sig_alg = *sig_alg;
    cert.sig_alg_supported = true;
  }
  return cert;
}

}  // namespace sluice::pki
