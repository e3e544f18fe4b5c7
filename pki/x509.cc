#include "pki/x509.h"

#include "pki/der.h"
#include "pki/oid.h"
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

// Hash AlgorithmIdentifier inside RSASSA-PSS-params: parameters NULL or absent.
TlsResult<Bytes> hash_alg_oid(DerReader& outer) {
  DerReader alg = SLUICE_TRY(outer.sequence());
  Bytes id = SLUICE_TRY(alg.oid());
  if (!alg.empty()) SLUICE_TRY(alg.null());
  SLUICE_TRY(alg.finish("x509: hash parameters"));
  return id;
}

// RFC 4055 §3.1 with the restrictions of RFC 8446 §4.2.3's rsa_pss_rsae: the
// MGF1 hash equals the message hash and the salt is the hash length.
TlsResult<SigAlg> parse_pss_params(DerReader& params) {
  DerReader seq = SLUICE_TRY(params.sequence());
  SLUICE_TRY(params.finish("x509: PSS parameters trailing data"));
  auto hash_r = SLUICE_TRY(seq.optional_explicit(0));
  if (!hash_r) return Err(unsupported("x509: PSS with default SHA-1 hash"));
  Bytes hash = SLUICE_TRY(hash_alg_oid(*hash_r));
  SLUICE_TRY(hash_r->finish("x509: PSS hash trailing data"));
  SigAlg alg;
  uint64_t salt_len;
  if (oid::oid_is(hash, oid::kSha256)) {
    alg = SigAlg::kRsaPssSha256, salt_len = 32;
  } else if (oid::oid_is(hash, oid::kSha384)) {
    alg = SigAlg::kRsaPssSha384, salt_len = 48;
  } else if (oid::oid_is(hash, oid::kSha512)) {
    alg = SigAlg::kRsaPssSha512, salt_len = 64;
  } else {
    return Err(unsupported("x509: PSS hash not SHA-256/384/512"));
  }
  auto mgf_r = SLUICE_TRY(seq.optional_explicit(1));
  if (!mgf_r) return Err(unsupported("x509: PSS with default MGF1-SHA-1"));
  DerReader mgf = SLUICE_TRY(mgf_r->sequence());
  SLUICE_TRY(mgf_r->finish("x509: PSS MGF trailing data"));
  Bytes mgf_id = SLUICE_TRY(mgf.oid());
  if (!oid::oid_is(mgf_id, oid::kMgf1)) return Err(unsupported("x509: PSS MGF is not MGF1"));
  Bytes mgf_hash = SLUICE_TRY(hash_alg_oid(mgf));
  SLUICE_TRY(mgf.finish("x509: PSS MGF1 trailing data"));
  if (!std::ranges::equal(mgf_hash, hash)) return Err(unsupported("x509: PSS MGF1 hash differs"));
  auto salt_r = SLUICE_TRY(seq.optional_explicit(2));
  if (!salt_r) return Err(unsupported("x509: PSS with default salt length 20"));
  uint64_t salt = SLUICE_TRY(salt_r->small_uint(1024));
  SLUICE_TRY(salt_r->finish("x509: PSS salt trailing data"));
  if (salt != salt_len) return Err(unsupported("x509: PSS salt length is not the hash length"));
  auto trailer_r = SLUICE_TRY(seq.optional_explicit(3));
  if (trailer_r) {
    uint64_t trailer = SLUICE_TRY(trailer_r->small_uint(255));
    SLUICE_TRY(trailer_r->finish("x509: PSS trailer trailing data"));
    if (trailer != 1) return Err(malformed("x509: PSS trailer field is not 1"));
  }
  SLUICE_TRY(seq.finish("x509: PSS parameters trailing data"));
  return alg;
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
    SigAlg alg = SLUICE_TRY(parse_pss_params(r));
    return std::optional<SigAlg>(alg);
  }
  std::optional<SigAlg> alg;
  if (oid::oid_is(id, oid::kEcdsaSha256)) alg = SigAlg::kEcdsaSha256;
  if (oid::oid_is(id, oid::kEcdsaSha384)) alg = SigAlg::kEcdsaSha384;
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

}  // namespace

std::optional<SignatureScheme> scheme_for(SigAlg alg, KeyType signer) {
  bool rsa = signer == KeyType::kRsa;
  switch (alg) {
    case SigAlg::kRsaPkcs1Sha256: if (rsa) return SignatureScheme::kRsaPkcs1Sha256; break;
    case SigAlg::kRsaPkcs1Sha384: if (rsa) return SignatureScheme::kRsaPkcs1Sha384; break;
    case SigAlg::kRsaPkcs1Sha512: if (rsa) return SignatureScheme::kRsaPkcs1Sha512; break;
    case SigAlg::kRsaPssSha256: if (rsa) return SignatureScheme::kRsaPssRsaeSha256; break;
    case SigAlg::kRsaPssSha384: if (rsa) return SignatureScheme::kRsaPssRsaeSha384; break;
    case SigAlg::kRsaPssSha512: if (rsa) return SignatureScheme::kRsaPssRsaeSha512; break;
    case SigAlg::kEcdsaSha256:
      if (signer == KeyType::kEcdsaP256) return SignatureScheme::kEcdsaSecp256r1Sha256;
      break;
    case SigAlg::kEcdsaSha384:
      if (signer == KeyType::kEcdsaP384) return SignatureScheme::kEcdsaSecp384r1Sha384;
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
    out.type = KeyType::kRsa;
    out.rsa_n = own(n);
    out.rsa_e = own(e);
    return out;
  }
  if (oid::oid_is(id, oid::kEcPublicKey)) {
    // RFC 5480 §2.1.1: namedCurve only.
    Bytes curve = SLUICE_TRY(alg.oid());
    SLUICE_TRY(alg.finish("x509: EC key parameters"));
    size_t coord;
    if (oid::oid_is(curve, oid::kPrime256v1)) {
      out.type = KeyType::kEcdsaP256, coord = 32;
    } else if (oid::oid_is(curve, oid::kSecp384r1)) {
      out.type = KeyType::kEcdsaP384, coord = 48;
    } else {
      return Err(unsupported("x509: EC curve not P-256/P-384"));
    }
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
