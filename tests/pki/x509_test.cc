#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "base/heap_counter.h"
#include "pki/der.h"
#include "pki/oid.h"
#include "pki/pem.h"
#include "pki/x509.h"
#include "tests/pki/test_util.h"

namespace sluice::pki {
namespace {

using testing::read_bytes;
using testing::scratch;
using testing::sh;
using V = std::vector<uint8_t>;

// make_cert runs `openssl req -x509` with `args` and returns the DER.
V make_cert(const std::string& dir, const std::string& args) {
  int rc = sh(dir, "openssl req -x509 -nodes -keyout key.pem -out cert.pem -days 30 " + args +
                       " && openssl x509 -in cert.pem -outform DER -out cert.der");
  REQUIRE(rc == 0);
  return read_bytes(dir + "/cert.der");
}

TEST_CASE("x509: openssl EC P-256 CA certificate with every extension") {
  std::string dir = scratch("x509_ec");
  V der = make_cert(dir,
                    "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 -subj '/O=Test/CN=Test CA' "
                    "-addext 'subjectAltName=DNS:a.example.com,DNS:*.b.example,IP:10.0.0.1,IP:::1' "
                    "-addext 'basicConstraints=critical,CA:TRUE,pathlen:2' "
                    "-addext 'keyUsage=critical,keyCertSign,digitalSignature' "
                    "-addext 'extendedKeyUsage=serverAuth,clientAuth' "
                    "-addext 'nameConstraints=critical,permitted;DNS:example.com,"
                    "excluded;IP:10.1.0.0/255.255.0.0,excluded;email:x@y.z'");
  auto c = parse_certificate(der);
  REQUIRE(c.ok());
  CHECK(c->version == 3);
  CHECK(c->sig_alg_supported);
  CHECK(c->sig_alg == SigAlg::kEcdsaSha256);
  CHECK(c->key_supported);
  CHECK(c->public_key.type == crypto::KeyType::kEcdsaP256);
  CHECK(c->public_key.point.size() == 65);
  CHECK(c->subject_cn == "Test CA");
  CHECK(c->self_issued());
  CHECK(c->not_after - c->not_before == 30 * 86400);
  CHECK(c->is_ca);
  REQUIRE(c->path_len.has_value());
  CHECK(*c->path_len == 2);
  CHECK(c->allows(KeyUsageBit::kKeyCertSign));
  CHECK(c->allows(KeyUsageBit::kDigitalSignature));
  CHECK_FALSE(c->allows(KeyUsageBit::kCrlSign));
  CHECK(c->has_eku);
  CHECK(c->eku_server_auth);
  CHECK(c->eku_client_auth);
  CHECK_FALSE(c->eku_any);
  CHECK(c->dns_names == std::vector<std::string_view>{"a.example.com", "*.b.example"});
  REQUIRE(c->ip_addresses.size() == 2);
  CHECK(std::ranges::equal(c->ip_addresses[0], V{10, 0, 0, 1}));
  CHECK(c->ip_addresses[1].size() == 16);
  REQUIRE(c->name_constraints.has_value());
  CHECK(c->name_constraints->permitted.dns == std::vector<std::string_view>{"example.com"});
  REQUIRE(c->name_constraints->excluded.ip.size() == 1);
  CHECK(std::ranges::equal(c->name_constraints->excluded.ip[0].address, V{10, 1, 0, 0}));
  CHECK(std::ranges::equal(c->name_constraints->excluded.ip[0].mask, V{255, 255, 0, 0}));
  CHECK_FALSE(c->name_constraints->excluded.has_unsupported);  // email is skipped
  CHECK_FALSE(c->subject_key_id.empty());
  CHECK(std::ranges::equal(c->authority_key_id, c->subject_key_id));
  CHECK_FALSE(c->unknown_critical_extension);
  // The TBS is a prefix-free element inside the certificate.
  CHECK(c->tbs.size() < der.size());
}

TEST_CASE("x509: parsing allocates only the DER copy, the key and the SAN list") {
  std::string dir = scratch("x509_heap");
  V der = make_cert(dir, "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 -subj '/O=Test/CN=heap' "
                         "-addext 'subjectAltName=DNS:a.example.com,DNS:b.example.com,DNS:c.example.com' "
                         "-addext 'basicConstraints=critical,CA:FALSE' "
                         "-addext 'extendedKeyUsage=serverAuth'");
  const uint64_t before = heap_stats().allocations;
  auto c = parse_certificate(der);
  const uint64_t calls = heap_stats().allocations - before;
  REQUIRE(c.ok());
  MESSAGE("parse_certificate: ", calls, " heap calls");
  CHECK(calls <= 3);
  CHECK(c->dns_names.size() == 3);

  // The views point into `der`, whose buffer a move keeps: certificates
  // moved around by a growing vector still read correctly. A copy would not.
  static_assert(!std::is_copy_constructible_v<Certificate>);
  static_assert(std::is_nothrow_move_constructible_v<Certificate>);
  std::vector<Certificate> certs;
  for (int i = 0; i < 20; ++i) {
    auto p = parse_certificate(der);
    REQUIRE(p.ok());
    certs.push_back(std::move(p).value());
  }
  certs.push_back(std::move(c).value());
  // parse_certificate keeps its own copy: the input may be a temporary.
  auto from_temporary = parse_certificate(V(der));
  REQUIRE(from_temporary.ok());
  certs.push_back(std::move(from_temporary).value());
  auto fresh = parse_certificate(der);
  REQUIRE(fresh.ok());
  for (const Certificate& m : certs) {
    CHECK(std::ranges::equal(m.subject, fresh->subject));
    CHECK(std::ranges::equal(m.tbs, fresh->tbs));
    CHECK(m.subject_cn == "heap");
    REQUIRE(m.dns_names.size() == 3);
    CHECK(m.dns_names[2] == "c.example.com");
    CHECK(m.self_issued());
  }
}

TEST_CASE("x509: signature algorithms and key types") {
  struct Case {
    const char* args;
    SigAlg alg;
    crypto::KeyType key;
  };
  const Case cases[] = {
      {"-newkey rsa:2048 -sha256", SigAlg::kRsaPkcs1Sha256, crypto::KeyType::kRsa},
      {"-newkey rsa:2048 -sha384", SigAlg::kRsaPkcs1Sha384, crypto::KeyType::kRsa},
      {"-newkey rsa:2048 -sha512", SigAlg::kRsaPkcs1Sha512, crypto::KeyType::kRsa},
      {"-newkey rsa:2048 -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest",
       SigAlg::kRsaPssSha256, crypto::KeyType::kRsa},
      {"-newkey rsa:2048 -sha512 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest",
       SigAlg::kRsaPssSha512, crypto::KeyType::kRsa},
      {"-newkey ec -pkeyopt ec_paramgen_curve:P-384 -sha384", SigAlg::kEcdsaSha384,
       crypto::KeyType::kEcdsaP384},
      {"-newkey ed25519", SigAlg::kEd25519, crypto::KeyType::kEd25519},
      {"-newkey ec -pkeyopt ec_paramgen_curve:P-521 -sha512", SigAlg::kEcdsaSha512, crypto::KeyType::kEcdsaP521},
      // id-RSASSA-PSS keys, without and with parameters, sign RSASSA-PSS.
      {"-newkey rsa-pss -pkeyopt rsa_keygen_bits:2048 -sha256 -sigopt rsa_pss_saltlen:digest",
       SigAlg::kRsaPssSha256, crypto::KeyType::kRsaPss},
      {"-newkey rsa-pss -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_pss_keygen_md:sha384 "
       "-pkeyopt rsa_pss_keygen_mgf1_md:sha384 -pkeyopt rsa_pss_keygen_saltlen:48 -sha384 "
       "-sigopt rsa_pss_saltlen:digest",
       SigAlg::kRsaPssSha384, crypto::KeyType::kRsaPss},
  };
  std::string dir = scratch("x509_algs");
  for (const Case& k : cases) {
    CAPTURE(k.args);
    V der = make_cert(dir, std::string(k.args) + " -subj /CN=x");
    auto c = parse_certificate(der);
    REQUIRE(c.ok());
    CHECK(c->sig_alg_supported);
    CHECK(c->sig_alg == k.alg);
    CHECK(c->public_key.type == k.key);
    CHECK(scheme_for(c->sig_alg, c->public_key.type).has_value());
  }
  // PSS with a salt that is not the hash length is not supported, but the
  // certificate still parses (it may serve as an anchor).
  V odd_salt = make_cert(dir, "-newkey rsa:2048 -sha256 -sigopt rsa_padding_mode:pss "
                              "-sigopt rsa_pss_saltlen:20 -subj /CN=x");
  auto c = parse_certificate(odd_salt);
  REQUIRE(c.ok());
  CHECK_FALSE(c->sig_alg_supported);
  // SHA-1 likewise.
  V sha1 = make_cert(dir, "-newkey rsa:2048 -sha1 -subj /CN=x");
  auto c1 = parse_certificate(sha1);
  REQUIRE(c1.ok());
  CHECK_FALSE(c1->sig_alg_supported);
  // A secp256k1 key is not supported, still parses.
  V k1 = make_cert(dir, "-newkey ec -pkeyopt ec_paramgen_curve:secp256k1 -sha256 -subj /CN=x");
  auto c2 = parse_certificate(k1);
  REQUIRE(c2.ok());
  CHECK_FALSE(c2->key_supported);
  CHECK(scheme_for(SigAlg::kEcdsaSha256, crypto::KeyType::kEcdsaP384) == std::nullopt);
  CHECK(scheme_for(SigAlg::kEcdsaSha512, crypto::KeyType::kEcdsaP384) == std::nullopt);
  CHECK(scheme_for(SigAlg::kEcdsaSha512, crypto::KeyType::kEcdsaP521) ==
        crypto::SignatureScheme::kEcdsaSecp521r1Sha512);
  // RSASSA-PSS names rsae under rsaEncryption and pss under id-RSASSA-PSS;
  // an RSA-PSS key never makes PKCS#1 v1.5 signatures (RFC 4055 §1.2).
  CHECK(scheme_for(SigAlg::kRsaPssSha384, crypto::KeyType::kRsa) == crypto::SignatureScheme::kRsaPssRsaeSha384);
  CHECK(scheme_for(SigAlg::kRsaPssSha384, crypto::KeyType::kRsaPss) == crypto::SignatureScheme::kRsaPssPssSha384);
  CHECK(scheme_for(SigAlg::kRsaPkcs1Sha256, crypto::KeyType::kRsaPss) == std::nullopt);
}

TEST_CASE("x509: id-RSASSA-PSS and P-521 subject public keys") {
  std::string dir = scratch("x509_pss_spki");
  // Without parameters: any hash; with them: their hash only.
  V plain = make_cert(dir, "-newkey rsa-pss -pkeyopt rsa_keygen_bits:2048 -sha256 "
                           "-sigopt rsa_pss_saltlen:digest -subj /CN=x");
  auto c = parse_certificate(plain);
  REQUIRE(c.ok());
  REQUIRE(c->key_supported);
  CHECK(c->public_key.type == crypto::KeyType::kRsaPss);
  CHECK(c->public_key.rsa_n.size() == 256);
  CHECK_FALSE(c->public_key.pss_hash.has_value());
  V restricted = make_cert(dir, "-newkey rsa-pss -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_pss_keygen_md:sha512 "
                                "-pkeyopt rsa_pss_keygen_mgf1_md:sha512 -pkeyopt rsa_pss_keygen_saltlen:64 "
                                "-sha512 -sigopt rsa_pss_saltlen:digest -subj /CN=x");
  auto r = parse_certificate(restricted);
  REQUIRE(r.ok());
  REQUIRE(r->key_supported);
  CHECK(r->public_key.type == crypto::KeyType::kRsaPss);
  CHECK(r->public_key.pss_hash == crypto::HashAlg::kSha512);
  // openssl's rsa_pss_keygen_md alone leaves MGF1 at its SHA-1 default: a
  // key TLS cannot use, refused as unsupported (the certificate still parses).
  V sha1_mgf = make_cert(dir, "-newkey rsa-pss -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_pss_keygen_md:sha256 "
                              "-sha256 -sigopt rsa_pss_saltlen:digest -subj /CN=x");
  auto m = parse_certificate(sha1_mgf);
  REQUIRE(m.ok());
  CHECK_FALSE(m->key_supported);
  // A minimum salt above the hash length cannot make TLS signatures.
  V long_salt = make_cert(dir, "-newkey rsa-pss -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_pss_keygen_md:sha256 "
                               "-pkeyopt rsa_pss_keygen_mgf1_md:sha256 -pkeyopt rsa_pss_keygen_saltlen:40 "
                               "-sha256 -sigopt rsa_pss_saltlen:40 -subj /CN=x");
  auto ls = parse_certificate(long_salt);
  REQUIRE(ls.ok());
  CHECK_FALSE(ls->key_supported);
  CHECK_FALSE(ls->sig_alg_supported);
  // P-521: a 133-byte uncompressed point.
  V p521 = make_cert(dir, "-newkey ec -pkeyopt ec_paramgen_curve:P-521 -sha512 -subj /CN=x");
  auto p = parse_certificate(p521);
  REQUIRE(p.ok());
  REQUIRE(p->key_supported);
  CHECK(p->public_key.type == crypto::KeyType::kEcdsaP521);
  CHECK(p->public_key.point.size() == 133);
  CHECK(p->public_key.point[0] == 0x04);
  // Every truncation of the parameterised SPKI fails cleanly.
  for (size_t n = 0; n < r->spki.size(); ++n) CHECK_FALSE(parse_spki(r->spki.first(n)).ok());
}

TEST_CASE("x509: unknown critical extension is flagged, non-critical ignored") {
  std::string dir = scratch("x509_crit");
  V crit = make_cert(dir, "-newkey ed25519 -subj /CN=x -addext '1.2.3.4=critical,ASN1:UTF8String:hi'");
  auto c = parse_certificate(crit);
  REQUIRE(c.ok());
  CHECK(c->unknown_critical_extension);
  V noncrit = make_cert(dir, "-newkey ed25519 -subj /CN=x -addext '1.2.3.4=ASN1:UTF8String:hi'");
  auto n = parse_certificate(noncrit);
  REQUIRE(n.ok());
  CHECK_FALSE(n->unknown_critical_extension);
}

// A hand-built certificate around the given extensions (signature not valid).
V build_cert(std::vector<Der> exts, unsigned version = 3) {
  Der name = sequence({tlv(tag::kSet, sequence({object_id(oid::kCommonName), utf8_string("t")}))});
  Der alg = sequence({object_id(oid::kEd25519)});
  Der spki = sequence({alg, bit_string(V(32, 7))});
  Der ext_body;
  for (const Der& e : exts) ext_body.insert(ext_body.end(), e.begin(), e.end());
  Der ext_field = exts.empty() ? Der() : explicit_tag(3, tlv(tag::kSequence, ext_body));
  Der tbs = sequence({explicit_tag(0, small_integer(version - 1)), small_integer(9), alg, name,
                      sequence({time(0), time(86400)}), name, spki, ext_field});
  return sequence({tbs, alg, bit_string(V(64, 1))});
}

Der ext(Bytes id, bool critical, Bytes value) {
  if (critical) return sequence({object_id(id), boolean(true), octet_string(value)});
  return sequence({object_id(id), octet_string(value)});
}

TEST_CASE("x509: hand-built certificates") {
  Der bc = sequence({boolean(true)});
  auto ok = parse_certificate(build_cert({ext(oid::kBasicConstraints, true, bc)}));
  REQUIRE(ok.ok());
  CHECK(ok->is_ca);
  CHECK_FALSE(ok->path_len.has_value());
  CHECK(ok->subject_cn == "t");

  auto dup = parse_certificate(build_cert(
      {ext(oid::kBasicConstraints, true, bc), ext(oid::kBasicConstraints, false, bc)}));
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().reason == Reason::kBadCertificate);
  CHECK(std::string(dup.error().detail) == "x509: duplicate extension");

  auto v1_with_ext = parse_certificate(build_cert({ext(oid::kBasicConstraints, true, bc)}, 1));
  CHECK_FALSE(v1_with_ext.ok());

  // A BOOLEAN that is not 0x00/0xff inside basicConstraints.
  V bad_bool = {0x30, 0x03, 0x01, 0x01, 0x01};
  CHECK_FALSE(parse_certificate(build_cert({ext(oid::kBasicConstraints, true, bad_bool)})).ok());
  // An empty SAN is malformed (SIZE (1..MAX)).
  CHECK_FALSE(parse_certificate(build_cert({ext(oid::kSubjectAltName, false, sequence({}))})).ok());
  // A 5-byte iPAddress.
  Der san_ip = sequence({tlv(tag::context_primitive(7), V{1, 2, 3, 4, 5})});
  CHECK_FALSE(parse_certificate(build_cert({ext(oid::kSubjectAltName, false, san_ip)})).ok());
  // A name constraint with a non-prefix mask.
  Der nc = sequence({tlv(tag::context_constructed(0),
                         sequence({tlv(tag::context_primitive(7), V{10, 0, 0, 0, 255, 0, 255, 0})}))});
  CHECK_FALSE(parse_certificate(build_cert({ext(oid::kNameConstraints, true, nc)})).ok());
  // A directoryName constraint parses but is flagged unsupported.
  Der nc_dir = sequence({tlv(tag::context_constructed(1),
                             sequence({tlv(tag::context_constructed(4), sequence({}))}))});
  auto dir = parse_certificate(build_cert({ext(oid::kNameConstraints, true, nc_dir)}));
  REQUIRE(dir.ok());
  CHECK(dir->name_constraints->excluded.has_unsupported);
  // Data after the certificate.
  V trailing = build_cert({});
  trailing.push_back(0);
  CHECK_FALSE(parse_certificate(trailing).ok());
}

TEST_CASE("x509: truncations and corruptions never crash") {
  std::string dir = scratch("x509_fuzz");
  V der = make_cert(dir, "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj /CN=fuzz "
                         "-addext 'subjectAltName=DNS:a.example' -addext 'basicConstraints=CA:FALSE'");
  REQUIRE(parse_certificate(der).ok());
  for (size_t n = 0; n < der.size(); ++n) CHECK_FALSE(parse_certificate(Bytes(der).first(n)).ok());
  size_t parsed = 0;
  for (size_t i = 0; i < der.size(); ++i) {
    for (uint8_t flip : {0x01, 0x80, 0xff}) {
      V mutated = der;
      mutated[i] ^= flip;
      if (parse_certificate(mutated).ok()) ++parsed;  // must simply return
    }
  }
  // Flips inside the key, signature, serial or names still parse; flips in
  // tags and lengths never do.
  CHECK(parsed > 0);
  CHECK(parsed < der.size() * 3);
}

TEST_CASE("x509: the RFC 8448 server certificate (RSA-1024) parses") {
  std::string path;
  for (const char* p : {"external/shared_vectors/rfc8448/server_certificate.pem",
                        "../shared_vectors/rfc8448/server_certificate.pem"})
    if (testing::file_exists(p)) path = p;
  if (path.empty()) {
    MESSAGE("RFC 8448 vectors absent: skipped");
    return;
  }
  auto certs = pem_certificates(testing::read_file(path));
  REQUIRE(certs.ok());
  // The shared PEM holds the 432-byte certificate followed by two zero bytes
  // (the empty CertificateEntry extensions of RFC 8448 §3). The strict
  // parser refuses the trailing bytes; the certificate itself is the first
  // DER element.
  auto whole = parse_certificate(certs->front());
  REQUIRE_FALSE(whole.ok());
  CHECK(std::string(whole.error().detail) == "x509: data after the certificate");
  DerReader r(certs->front());
  auto first = r.any();
  REQUIRE(first.ok());
  CHECK(first->raw.size() == 432);
  auto c = parse_certificate(first->raw);
  if (!c.ok()) FAIL(std::string(c.error().detail));
  CHECK(c->subject_cn == "rsa");
  CHECK(c->public_key.type == crypto::KeyType::kRsa);
  CHECK(c->public_key.rsa_n.size() == 128);
  CHECK(c->sig_alg == SigAlg::kRsaPkcs1Sha256);
}

}  // namespace
}  // namespace sluice::pki
