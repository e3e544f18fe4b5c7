#include "pki/pss_params.h"

#include <algorithm>
#include <optional>

#include "pki/oid.h"

namespace sluice::pki {
namespace {

using crypto::HashAlg;

Error unsupported(const char* d) { return Error(Reason::kUnsupportedCertificate, d); }
Error malformed(const char* d) { return Error(Reason::kBadCertificate, d); }

// RFC 4055 §3.1: the default trailer; any other value is not defined.
constexpr uint64_t kTrailerFieldBc = 1;
// RFC 4055 §3.1: saltLength DEFAULT 20 (the SHA-1 digest length).
constexpr uint64_t kDefaultSaltLen = 20;
// A salt longer than any modulus we accept (8192 bits) is nonsense; the
// bound keeps small_uint's range honest.
constexpr uint64_t kMaxSaltLen = 1024;

std::optional<HashAlg> hash_for(Bytes oid_bytes) {
  if (oid::oid_is(oid_bytes, oid::kSha256)) return HashAlg::kSha256;
  if (oid::oid_is(oid_bytes, oid::kSha384)) return HashAlg::kSha384;
  if (oid::oid_is(oid_bytes, oid::kSha512)) return HashAlg::kSha512;
  return std::nullopt;
}

Bytes hash_oid(HashAlg h) {
  switch (h) {
    case HashAlg::kSha256: return oid::kSha256;
    case HashAlg::kSha384: return oid::kSha384;
    case HashAlg::kSha512: return oid::kSha512;
  }
  return oid::kSha256;
}

// A hash AlgorithmIdentifier: parameters NULL or absent (RFC 4055 §2.1
// allows both and recommends accepting both).
TlsResult<Bytes> hash_alg_oid(DerReader& outer) {
  DerReader alg = SLUICE_TRY(outer.sequence());
  Bytes id = SLUICE_TRY(alg.oid());
  if (!alg.empty()) SLUICE_TRY(alg.null());
  SLUICE_TRY(alg.finish("pss: hash parameters"));
  return id;
}

}  // namespace

TlsResult<PssParams> parse_pss_params(DerReader& params) {
  DerReader seq = SLUICE_TRY(params.sequence());
  SLUICE_TRY(params.finish("pss: parameters trailing data"));
  PssParams out;
  // [0] hashAlgorithm DEFAULT sha1.
  auto hash_r = SLUICE_TRY(seq.optional_explicit(0));
  if (!hash_r) return Err(unsupported("pss: default SHA-1 hash"));
  Bytes hash = SLUICE_TRY(hash_alg_oid(*hash_r));
  SLUICE_TRY(hash_r->finish("pss: hash trailing data"));
  auto h = hash_for(hash);
  if (!h) return Err(unsupported("pss: hash not SHA-256/384/512"));
  out.hash = *h;
  // [1] maskGenAlgorithm DEFAULT mgf1SHA1, which never matches a SHA-2 hash.
  auto mgf_r = SLUICE_TRY(seq.optional_explicit(1));
  if (!mgf_r) return Err(unsupported("pss: default MGF1-SHA-1"));
  DerReader mgf = SLUICE_TRY(mgf_r->sequence());
  SLUICE_TRY(mgf_r->finish("pss: MGF trailing data"));
  Bytes mgf_id = SLUICE_TRY(mgf.oid());
  if (!oid::oid_is(mgf_id, oid::kMgf1)) return Err(unsupported("pss: MGF is not MGF1"));
  Bytes mgf_hash = SLUICE_TRY(hash_alg_oid(mgf));
  SLUICE_TRY(mgf.finish("pss: MGF1 trailing data"));
  if (!std::ranges::equal(mgf_hash, hash)) return Err(unsupported("pss: MGF1 hash differs"));
  // [2] saltLength DEFAULT 20.
  out.salt_len = kDefaultSaltLen;
  auto salt_r = SLUICE_TRY(seq.optional_explicit(2));
  if (salt_r) {
    out.salt_len = SLUICE_TRY(salt_r->small_uint(kMaxSaltLen));
    SLUICE_TRY(salt_r->finish("pss: salt trailing data"));
  }
  // [3] trailerField DEFAULT trailerFieldBC.
  auto trailer_r = SLUICE_TRY(seq.optional_explicit(3));
  if (trailer_r) {
    uint64_t trailer = SLUICE_TRY(trailer_r->small_uint(255));
    SLUICE_TRY(trailer_r->finish("pss: trailer trailing data"));
    if (trailer != kTrailerFieldBc) return Err(malformed("pss: trailer field is not 1"));
  }
  SLUICE_TRY(seq.finish("pss: parameters trailing data"));
  return out;
}

Der pss_params_der(HashAlg hash) {
  // The hash AlgorithmIdentifiers carry NULL parameters, as OpenSSL writes
  // them (RFC 4055 §2.1 lets either form be sent).
  Der hash_alg = sequence({object_id(hash_oid(hash)), null()});
  Der mgf = sequence({object_id(oid::kMgf1), hash_alg});
  return sequence({explicit_tag(0, hash_alg), explicit_tag(1, mgf),
                   explicit_tag(2, small_integer(crypto::hash_len(hash)))});
}

}  // namespace sluice::pki
