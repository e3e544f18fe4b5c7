#include "pki/certgen.h"

#include "pki/der.h"
#include "pki/hostname.h"
#include "pki/keys.h"
#include "pki/oid.h"
#include "pki/pem.h"
#include "pki/pss_params.h"
#include "pki/x509.h"

namespace sluice::pki {
namespace {

using crypto::KeyType;
using crypto::SignatureScheme;

// 128 random bits: RFC 5280 §4.1.2.2 allows 20 octets and the CA/B Forum
// asks for at least 64 bits of entropy.
constexpr size_t kSerialLen = 16;
// Key identifiers are 160 bits, like the SHA-1 method of RFC 5280 §4.2.1.2,
// here taken from SHA-256 of the subjectPublicKey.
constexpr size_t kKeyIdLen = 20;

Error config(const char* d) { return Error(Reason::kConfiguration, d); }

// pss_hash_of is the hash an RSA-PSS key signs certificates with: the one
// its parameters fix, else SHA-256 (as rsaEncryption keys use).
crypto::HashAlg pss_hash_of(const crypto::PublicKey& k) { return k.pss_hash.value_or(crypto::HashAlg::kSha256); }

SignatureScheme scheme_for_key(const crypto::PrivateKeyMaterial& key) {
  switch (key.type) {
    case KeyType::kEd25519: return SignatureScheme::kEd25519;
    case KeyType::kEcdsaP256: return SignatureScheme::kEcdsaSecp256r1Sha256;
    case KeyType::kEcdsaP384: return SignatureScheme::kEcdsaSecp384r1Sha384;
    case KeyType::kEcdsaP521: return SignatureScheme::kEcdsaSecp521r1Sha512;
    case KeyType::kRsa: return SignatureScheme::kRsaPkcs1Sha256;
    case KeyType::kRsaPss:
      switch (pss_hash_of(key.public_key)) {
        case crypto::HashAlg::kSha256: return SignatureScheme::kRsaPssPssSha256;
        case crypto::HashAlg::kSha384: return SignatureScheme::kRsaPssPssSha384;
        case crypto::HashAlg::kSha512: return SignatureScheme::kRsaPssPssSha512;
      }
      break;
  }
  return SignatureScheme::kRsaPkcs1Sha256;
}

// sig_alg_for_key is the signatureAlgorithm matching scheme_for_key. An
// RSA-PSS key signs RSASSA-PSS with explicit parameters (RFC 4055 §3.1:
// SHA-1 defaults would not be what was used).
Der sig_alg_for_key(const crypto::PrivateKeyMaterial& key) {
  switch (key.type) {
    case KeyType::kEd25519: return sequence({object_id(oid::kEd25519)});
    case KeyType::kEcdsaP256: return sequence({object_id(oid::kEcdsaSha256)});
    case KeyType::kEcdsaP384: return sequence({object_id(oid::kEcdsaSha384)});
    case KeyType::kEcdsaP521: return sequence({object_id(oid::kEcdsaSha512)});
    case KeyType::kRsa: return sequence({object_id(oid::kSha256WithRsa), null()});
    case KeyType::kRsaPss:
      return sequence({object_id(oid::kRsaPss), pss_params_der(pss_hash_of(key.public_key))});
  }
  return {};
}

// subject_public_key is the BIT STRING contents of the SPKI.
Der subject_public_key(const crypto::PublicKey& k) {
  if (crypto::is_rsa(k.type))
    return sequence({integer_from_unsigned(k.rsa_n), integer_from_unsigned(k.rsa_e)});
  return Der(k.point.begin(), k.point.end());
}

Der spki(const crypto::PublicKey& k) {
  Der alg;
  switch (k.type) {
    case KeyType::kEd25519: alg = sequence({object_id(oid::kEd25519)}); break;
    case KeyType::kEcdsaP256: alg = sequence({object_id(oid::kEcPublicKey), object_id(oid::kPrime256v1)}); break;
    case KeyType::kEcdsaP384: alg = sequence({object_id(oid::kEcPublicKey), object_id(oid::kSecp384r1)}); break;
    case KeyType::kEcdsaP521: alg = sequence({object_id(oid::kEcPublicKey), object_id(oid::kSecp521r1)}); break;
    case KeyType::kRsa: alg = sequence({object_id(oid::kRsaEncryption), null()}); break;
    // Parameters only when the key is restricted to one hash (RFC 4055 §3.1).
    case KeyType::kRsaPss:
      alg = k.pss_hash ? sequence({object_id(oid::kRsaPss), pss_params_der(*k.pss_hash)})
                       : sequence({object_id(oid::kRsaPss)});
      break;
  }
  return sequence({alg, bit_string(subject_public_key(k))});
}

Der name_cn(const std::string& cn) {
  return sequence({tlv(tag::kSet, sequence({object_id(oid::kCommonName), utf8_string(cn)}))});
}

Der extension(Bytes id, bool critical, Bytes value) {
  if (critical) return sequence({object_id(id), boolean(true), octet_string(value)});
  return sequence({object_id(id), octet_string(value)});
}

// key_usage encodes the named bits as a DER BIT STRING (trailing zero bits
// dropped, X.690 §11.2.2).
Der key_usage(std::initializer_list<KeyUsageBit> bits) {
  uint16_t mask = 0;
  unsigned last = 0;
  for (KeyUsageBit b : bits) {
    unsigned i = static_cast<unsigned>(b);
    mask = static_cast<uint16_t>(mask | 0x8000u >> i);
    last = std::max(last, i);
  }
  uint8_t bytes[2] = {static_cast<uint8_t>(mask >> 8), static_cast<uint8_t>(mask)};
  size_t n = last / 8 + 1;
  return bit_string(Bytes(bytes, n), static_cast<uint8_t>(7 - last % 8));
}

TlsResult<Der> key_id(const crypto::Provider& p, const crypto::PublicKey& k) {
  uint8_t digest[32];
  auto h = p.hash(crypto::HashAlg::kSha256, subject_public_key(k), digest);
  if (!h) return Err(Error(h.error()));
  return Der(digest, digest + kKeyIdLen);
}

TlsResult<Der> extensions(const crypto::Provider& p, const CertSpec& spec, const crypto::PublicKey& key,
                          const Der& ski, const Der& aki) {
  Der out;
  auto add = [&out](const Der& e) { out.insert(out.end(), e.begin(), e.end()); };
  if (spec.is_ca) {
    Der bc = spec.path_len ? sequence({boolean(true), small_integer(*spec.path_len)}) : sequence({boolean(true)});
    add(extension(oid::kBasicConstraints, true, bc));
    add(extension(oid::kKeyUsage, true, key_usage({KeyUsageBit::kKeyCertSign, KeyUsageBit::kCrlSign})));
  } else {
    add(extension(oid::kBasicConstraints, true, sequence({})));
    // keyEncipherment only for rsaEncryption: an RSA-PSS key signs and
    // nothing else (RFC 4055 §1.2).
    add(extension(oid::kKeyUsage, true,
                  key.type == KeyType::kRsa
                      ? key_usage({KeyUsageBit::kDigitalSignature, KeyUsageBit::kKeyEncipherment})
                      : key_usage({KeyUsageBit::kDigitalSignature})));
    Der ekus;
    if (spec.server_auth) ekus = concat({ekus, object_id(oid::kServerAuth)});
    if (spec.client_auth) ekus = concat({ekus, object_id(oid::kClientAuth)});
    if (ekus.empty()) return Err(config("certgen: a leaf needs serverAuth or clientAuth"));
    add(extension(oid::kExtKeyUsage, false, tlv(tag::kSequence, ekus)));
  }
  Der names;
  for (const std::string& d : spec.dns_names) {
    if (!is_dns_reference(d) && !(d.starts_with("*.") && is_dns_reference(d.substr(2))))
      return Err(config("certgen: invalid DNS name"));
    names = concat({names, tlv(tag::context_primitive(2), as_bytes(d))});
  }
  for (const std::string& ip : spec.ip_addresses) {
    auto bytes = parse_ip_literal(ip);
    if (!bytes) return Err(config("certgen: invalid IP address"));
    names = concat({names, tlv(tag::context_primitive(7), *bytes)});
  }
  if (!names.empty()) add(extension(oid::kSubjectAltName, false, tlv(tag::kSequence, names)));
  add(extension(oid::kSubjectKeyId, false, octet_string(ski)));
  if (!aki.empty())
    add(extension(oid::kAuthorityKeyId, false, sequence({tlv(tag::context_primitive(0), aki)})));
  (void)p;
  return out;
}

TlsResult<std::vector<uint8_t>> sign(const crypto::Provider& p, const crypto::PrivateKeyMaterial& key,
                                     Bytes tbs) {
  auto signer = p.new_signer(key);
  if (!signer) return Err(Error(signer.error()));
  std::vector<uint8_t> sig;
  auto r = (*signer)->sign(scheme_for_key(key), tbs, sig);
  if (!r) return Err(Error(r.error()));
  if (*r != crypto::SignOutcome::kDone) return Err(config("certgen: asynchronous signers are not supported"));
  return sig;
}

}  // namespace

std::string GeneratedCert::cert_pem() const { return pem_encode("CERTIFICATE", der); }

TlsResult<std::string> GeneratedCert::key_pem() const { return encode_pkcs8_pem(key); }

TlsResult<crypto::PrivateKeyMaterial> generate_key(const crypto::Provider& provider, KeyType type,
                                                  unsigned rsa_bits) {
  auto k = provider.generate_key(type, rsa_bits);
  if (!k) return Err(Error(k.error()));
  return std::move(k).value();
}

TlsResult<GeneratedCert> issue_certificate(const crypto::Provider& p, crypto::PrivateKeyMaterial subject_key,
                                          const CertSpec& spec, const GeneratedCert* issuer) {
  if (spec.not_after <= spec.not_before) return Err(config("certgen: empty validity window"));
  // The signer derives the public key, so parsers' key material works too.
  auto subject_signer = p.new_signer(subject_key);
  if (!subject_signer) return Err(Error(subject_signer.error()));
  crypto::PublicKey pub = (*subject_signer)->public_key();
  const crypto::PrivateKeyMaterial& signing_key = issuer ? issuer->key : subject_key;

  Der issuer_name = name_cn(spec.common_name), aki;
  Der ski = SLUICE_TRY(key_id(p, pub));
  if (issuer) {
    Certificate ic = SLUICE_TRY(parse_certificate(issuer->der));
    issuer_name.assign(ic.subject.begin(), ic.subject.end());
    aki.assign(ic.subject_key_id.begin(), ic.subject_key_id.end());
  } else {
    aki = ski;
  }
  uint8_t serial[kSerialLen];
  auto rnd = p.random(serial);
  if (!rnd) return Err(Error(rnd.error()));
  serial[0] = static_cast<uint8_t>((serial[0] & 0x7f) | 0x40);  // positive, full length

  Der alg = sig_alg_for_key(signing_key);
  Der exts = SLUICE_TRY(extensions(p, spec, pub, ski, aki));
  Der tbs = sequence({explicit_tag(0, small_integer(2)), integer_from_unsigned(serial), alg, issuer_name,
                      sequence({time(spec.not_before), time(spec.not_after)}), name_cn(spec.common_name),
                      spki(pub), explicit_tag(3, tlv(tag::kSequence, exts))});
  std::vector<uint8_t> sig = SLUICE_TRY(sign(p, signing_key, tbs));
  GeneratedCert out;
  out.der = sequence({tbs, alg, bit_string(sig)});
  out.key = std::move(subject_key);
  if (out.key.public_key.point.empty() && out.key.public_key.rsa_n.empty()) out.key.public_key = pub;
  return out;
}

TlsResult<GeneratedCert> generate_self_signed(const crypto::Provider& p, KeyType type, const CertSpec& spec,
                                             unsigned rsa_bits) {
  crypto::PrivateKeyMaterial key = SLUICE_TRY(generate_key(p, type, rsa_bits));
  return issue_certificate(p, std::move(key), spec, nullptr);
}

TlsResult<GeneratedChain> generate_chain(const crypto::Provider& p, KeyType type, const CertSpec& leaf_spec,
                                        unsigned rsa_bits) {
  CertSpec root_spec;
  root_spec.common_name = "sluice test root";
  root_spec.is_ca = true;
  root_spec.not_before = leaf_spec.not_before;
  root_spec.not_after = leaf_spec.not_after;
  CertSpec int_spec = root_spec;
  int_spec.common_name = "sluice test intermediate";
  int_spec.path_len = 0;
  GeneratedChain chain;
  chain.root = SLUICE_TRY(generate_self_signed(p, type, root_spec, rsa_bits));
  crypto::PrivateKeyMaterial int_key = SLUICE_TRY(generate_key(p, type, rsa_bits));
  chain.intermediate = SLUICE_TRY(issue_certificate(p, std::move(int_key), int_spec, &chain.root));
  crypto::PrivateKeyMaterial leaf_key = SLUICE_TRY(generate_key(p, type, rsa_bits));
  chain.leaf = SLUICE_TRY(issue_certificate(p, std::move(leaf_key), leaf_spec, &chain.intermediate));
  return chain;
}

}  // namespace sluice::pki
