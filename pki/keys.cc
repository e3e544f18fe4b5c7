#include "pki/keys.h"

#include "base/secret.h"
#include "pki/der.h"
#include "pki/oid.h"
#include "pki/pem.h"
#include "pki/pss_params.h"

namespace sluice::pki {
namespace {

using crypto::KeyType;
using crypto::PrivateKeyMaterial;

// RSA keys beyond 8192 bits are refused (matching the certificate parser);
// a component never exceeds the modulus length plus a byte.
constexpr size_t kMaxRsaComponentBytes = 8192 / 8 + 1;
constexpr size_t kEd25519SeedLen = 32;

Error config(const char* detail) { return Error(Reason::kConfiguration, detail); }

// Reason::kBadCertificate from the DER reader becomes kConfiguration: a key
// file is local configuration, not a peer's certificate.
Error as_config(Error e) {
  e.reason = Reason::kConfiguration;
  e.alert = alert_for(Reason::kConfiguration);
  return e;
}

size_t field_size(KeyType t) { return crypto::ec_scalar_len(t); }

TlsResult<KeyType> curve_type(Bytes curve) {
  if (oid::oid_is(curve, oid::kPrime256v1)) return KeyType::kEcdsaP256;
  if (oid::oid_is(curve, oid::kSecp384r1)) return KeyType::kEcdsaP384;
  if (oid::oid_is(curve, oid::kSecp521r1)) return KeyType::kEcdsaP521;
  return Err(config("keys: EC curve not P-256/P-384/P-521"));
}

Bytes curve_oid(KeyType t) {
  if (t == KeyType::kEcdsaP384) return oid::kSecp384r1;
  if (t == KeyType::kEcdsaP521) return oid::kSecp521r1;
  return oid::kPrime256v1;
}

TlsResult<std::vector<uint8_t>> rsa_int(DerReader& r) {
  Bytes v = SLUICE_TRY(r.unsigned_integer());
  if (v.size() > kMaxRsaComponentBytes) return Err(config("keys: RSA component too large"));
  return std::vector<uint8_t>(v.begin(), v.end());
}

// RSAPrivateKey (RFC 8017 §A.1.2), two-prime only.
TlsResult<PrivateKeyMaterial> rsa_private_key(Bytes der) {
  DerReader top(der);
  DerReader seq = SLUICE_TRY(top.sequence());
  SLUICE_TRY(top.finish("keys: RSAPrivateKey trailing data"));
  uint64_t version = SLUICE_TRY(seq.small_uint(1));
  if (version != 0) return Err(config("keys: multi-prime RSA is not supported"));
  PrivateKeyMaterial k;
  k.type = KeyType::kRsa;
  k.rsa_n = SLUICE_TRY(rsa_int(seq));
  k.rsa_e = SLUICE_TRY(rsa_int(seq));
  SecretBytes* secrets[] = {&k.rsa_d, &k.rsa_p, &k.rsa_q, &k.rsa_dp, &k.rsa_dq, &k.rsa_qinv};
  for (SecretBytes* s : secrets) {
    std::vector<uint8_t> v = SLUICE_TRY(rsa_int(seq));
    s->assign(v);
    wipe(v);
  }
  SLUICE_TRY(seq.finish("keys: RSAPrivateKey trailing data"));
  k.public_key.type = KeyType::kRsa;
  k.public_key.rsa_n = k.rsa_n;
  k.public_key.rsa_e = k.rsa_e;
  return k;
}

// ECPrivateKey (RFC 5915 §3). `curve` comes from the PKCS#8 algorithm, or is
// empty for SEC1 files, where the [0] parameters must name it.
TlsResult<PrivateKeyMaterial> ec_private_key(Bytes der, Bytes curve) {
  DerReader top(der);
  DerReader seq = SLUICE_TRY(top.sequence());
  SLUICE_TRY(top.finish("keys: ECPrivateKey trailing data"));
  uint64_t version = SLUICE_TRY(seq.small_uint(1));
  if (version != 1) return Err(config("keys: ECPrivateKey version is not 1"));
  Bytes scalar = SLUICE_TRY(seq.octet_string());
  auto params = SLUICE_TRY(seq.optional_explicit(0));
  if (params) {
    Bytes named = SLUICE_TRY(params->oid());
    SLUICE_TRY(params->finish("keys: EC parameters trailing data"));
    if (!curve.empty() && !oid::oid_is(named, curve))
      return Err(config("keys: EC parameters disagree with the algorithm"));
    curve = named;
  }
  if (curve.empty()) return Err(config("keys: EC key names no curve"));
  PrivateKeyMaterial k;
  k.type = SLUICE_TRY(curve_type(curve));
  size_t fs = field_size(k.type);
  if (scalar.empty() || scalar.size() > fs) return Err(config("keys: EC scalar has wrong length"));
  k.secret = SecretBytes(fs);
  ByteReader sr(scalar);
  if (!sr.copy(k.secret.span().last(scalar.size()))) return Err(config("keys: internal"));
  auto pub = SLUICE_TRY(seq.optional_explicit(1));
  if (pub) {
    Bytes point = SLUICE_TRY(pub->bit_string_bytes());
    SLUICE_TRY(pub->finish("keys: EC public key trailing data"));
    if (point.size() != 1 + 2 * fs) return Err(config("keys: EC public point has wrong length"));
    k.public_key.type = k.type;
    k.public_key.point.assign(point.begin(), point.end());
  }
  SLUICE_TRY(seq.finish("keys: ECPrivateKey trailing data"));
  return k;
}

// PrivateKeyInfo / OneAsymmetricKey (RFC 5958 §2).
TlsResult<PrivateKeyMaterial> pkcs8(Bytes der) {
  DerReader top(der);
  DerReader seq = SLUICE_TRY(top.sequence());
  SLUICE_TRY(top.finish("keys: PrivateKeyInfo trailing data"));
  SLUICE_TRY(seq.small_uint(1));  // v1 (0) or v2 (1, with a public key)
  DerReader alg = SLUICE_TRY(seq.sequence());
  Bytes id = SLUICE_TRY(alg.oid());
  Bytes inner = SLUICE_TRY(seq.octet_string());
  // [0] attributes and [1] publicKey are allowed and not needed.
  SLUICE_TRY(seq.optional(tag::context_constructed(0)));
  SLUICE_TRY(seq.optional(tag::context_primitive(1)));
  SLUICE_TRY(seq.finish("keys: PrivateKeyInfo trailing data"));
  if (oid::oid_is(id, oid::kRsaEncryption)) {
    if (!alg.empty()) SLUICE_TRY(alg.null());
    SLUICE_TRY(alg.finish("keys: RSA algorithm parameters"));
    return rsa_private_key(inner);
  }
  if (oid::oid_is(id, oid::kRsaPss)) {
    // RFC 8017 §A.1.2 RSAPrivateKey under id-RSASSA-PSS (RFC 4055 §1.2),
    // parameters absent or RSASSA-PSS-params restricting the hash.
    std::optional<crypto::HashAlg> pss_hash;
    if (!alg.empty()) {
      PssParams p = SLUICE_TRY(parse_pss_params(alg));
      if (!fits_tls_key(p)) return Err(config("keys: RSA-PSS key salt longer than its hash"));
      pss_hash = p.hash;
    }
    PrivateKeyMaterial k = SLUICE_TRY(rsa_private_key(inner));
    k.type = KeyType::kRsaPss;
    k.public_key.type = KeyType::kRsaPss;
    k.public_key.pss_hash = pss_hash;
    return k;
  }
  if (oid::oid_is(id, oid::kEcPublicKey)) {
    Bytes curve = SLUICE_TRY(alg.oid());
    SLUICE_TRY(alg.finish("keys: EC algorithm parameters"));
    return ec_private_key(inner, curve);
  }
  if (oid::oid_is(id, oid::kEd25519)) {
    SLUICE_TRY(alg.finish("keys: Ed25519 parameters must be absent"));
    // RFC 8410 §7: CurvePrivateKey ::= OCTET STRING, inside privateKey.
    DerReader r(inner);
    Bytes seed = SLUICE_TRY(r.octet_string());
    SLUICE_TRY(r.finish("keys: Ed25519 key trailing data"));
    if (seed.size() != kEd25519SeedLen) return Err(config("keys: Ed25519 seed is not 32 bytes"));
    PrivateKeyMaterial k;
    k.type = KeyType::kEd25519;
    k.secret = SecretBytes(seed);
    return k;
  }
  return Err(config("keys: unsupported private key algorithm"));
}

template <class F>
TlsResult<PrivateKeyMaterial> config_errors(F&& f) {
  auto r = f();
  if (!r) return Err(as_config(r.error()));
  return std::move(r).value();
}

}  // namespace

TlsResult<PrivateKeyMaterial> parse_private_key_der(Bytes der) {
  auto p8 = config_errors([&] { return pkcs8(der); });
  if (p8) return p8;
  auto sec1 = config_errors([&] { return ec_private_key(der, {}); });
  if (sec1) return sec1;
  auto rsa = config_errors([&] { return rsa_private_key(der); });
  if (rsa) return rsa;
  return p8;  // the PKCS#8 error is the most telling
}

TlsResult<PrivateKeyMaterial> parse_private_key_pem(std::string_view text) {
  std::vector<PemBlock> blocks = SLUICE_TRY(parse_pem(text));
  for (PemBlock& b : blocks) {
    TlsResult<PrivateKeyMaterial> r = Err(config("keys: internal"));
    if (b.label == "PRIVATE KEY") {
      r = config_errors([&] { return pkcs8(b.der); });
    } else if (b.label == "EC PRIVATE KEY") {
      r = config_errors([&] { return ec_private_key(b.der, {}); });
    } else if (b.label == "RSA PRIVATE KEY") {
      r = config_errors([&] { return rsa_private_key(b.der); });
    } else if (b.label == "ENCRYPTED PRIVATE KEY") {
      r = Err(config("keys: encrypted private keys are not supported"));
    } else {
      continue;
    }
    wipe(b.der);
    return r;
  }
  return Err(config("keys: no private key block"));
}

TlsResult<std::vector<uint8_t>> encode_pkcs8(const PrivateKeyMaterial& key) {
  Der version = small_integer(0);
  switch (key.type) {
    case KeyType::kEd25519: {
      if (key.secret.size() != kEd25519SeedLen) return Err(config("keys: Ed25519 seed size"));
      Der alg = sequence({object_id(oid::kEd25519)});
      Der inner = octet_string(key.secret);
      Der outer = octet_string(inner);
      Der out = sequence({version, alg, outer});
      wipe(inner);
      wipe(outer);
      return out;
    }
    case KeyType::kEcdsaP256:
    case KeyType::kEcdsaP384:
    case KeyType::kEcdsaP521: {
      if (key.secret.size() != field_size(key.type)) return Err(config("keys: EC scalar size"));
      Bytes curve = curve_oid(key.type);
      Der alg = sequence({object_id(oid::kEcPublicKey), object_id(curve)});
      Der ec_version = small_integer(1);
      Der scalar = octet_string(key.secret);
      Der pub;
      if (!key.public_key.point.empty()) pub = explicit_tag(1, bit_string(key.public_key.point));
      Der ec = sequence({ec_version, scalar, pub});
      Der outer = octet_string(ec);
      Der out = sequence({version, alg, outer});
      wipe(scalar);
      wipe(ec);
      wipe(outer);
      return out;
    }
    case KeyType::kRsa:
    case KeyType::kRsaPss: {
      if (key.rsa_n.empty() || key.rsa_d.empty() || key.rsa_p.empty())
        return Err(config("keys: RSA key lacks private components"));
      // id-RSASSA-PSS takes no NULL: its parameters are absent or
      // RSASSA-PSS-params (RFC 4055 §3.1), as OpenSSL writes them.
      Der alg = key.type == KeyType::kRsa ? sequence({object_id(oid::kRsaEncryption), null()})
                : key.public_key.pss_hash ? sequence({object_id(oid::kRsaPss), pss_params_der(*key.public_key.pss_hash)})
                                          : sequence({object_id(oid::kRsaPss)});
      Der body = concat({small_integer(0), integer_from_unsigned(key.rsa_n),
                         integer_from_unsigned(key.rsa_e)});
      for (const SecretBytes* s :
           {&key.rsa_d, &key.rsa_p, &key.rsa_q, &key.rsa_dp, &key.rsa_dq, &key.rsa_qinv}) {
        Der i = integer_from_unsigned(*s);
        body.insert(body.end(), i.begin(), i.end());
        wipe(i);
      }
      Der rsa = tlv(tag::kSequence, body);
      Der outer = octet_string(rsa);
      Der out = sequence({version, alg, outer});
      wipe(body);
      wipe(rsa);
      wipe(outer);
      return out;
    }
  }
  return Err(config("keys: unknown key type"));
}

TlsResult<std::string> encode_pkcs8_pem(const PrivateKeyMaterial& key) {
  std::vector<uint8_t> der = SLUICE_TRY(encode_pkcs8(key));
  std::string pem = pem_encode("PRIVATE KEY", der);
  wipe(der);
  return pem;
}

}  // namespace sluice::pki
