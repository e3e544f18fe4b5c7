#include <doctest/doctest.h>

#include <algorithm>
#include <ctime>
#include <string>

#include "crypto/composite/composite_provider.h"
#include "pki/certgen.h"
#include "pki/keys.h"
#include "pki/pem.h"
#include "pki/webpki_verifier.h"
#include "pki/x509.h"
#include "tests/pki/test_util.h"

namespace sluice::pki {
namespace {

using testing::read_file;
using testing::scratch;
using testing::sh;
using testing::write_file;

struct KeyCase {
  const char* name;
  crypto::KeyType type;
};
constexpr KeyCase kKeys[] = {{"ed25519", crypto::KeyType::kEd25519},
                             {"p256", crypto::KeyType::kEcdsaP256},
                             {"p384", crypto::KeyType::kEcdsaP384},
                             {"rsa", crypto::KeyType::kRsa},
                             {"p521", crypto::KeyType::kEcdsaP521},
                             {"rsa-pss", crypto::KeyType::kRsaPss}};

CertSpec leaf_spec(int64_t now) {
  CertSpec s;
  s.common_name = "leaf";
  s.dns_names = {"example.com", "*.example.net"};
  s.ip_addresses = {"127.0.0.1", "::1"};
  s.not_before = now - 3600;
  s.not_after = now + 7 * 86400;
  return s;
}

TEST_CASE("certgen: chains are accepted by openssl verify and by WebPkiVerifier") {
  auto provider = crypto::default_provider();
  int64_t now = std::time(nullptr);
  for (const KeyCase& k : kKeys) {
    CAPTURE(k.name);
    auto chain = generate_chain(*provider, k.type, leaf_spec(now));
    if (!chain.ok()) FAIL(std::string(chain.error().detail));
    std::string dir = scratch(std::string("certgen_") + k.name);
    write_file(dir + "/root.pem", chain->root.cert_pem());
    write_file(dir + "/int.pem", chain->intermediate.cert_pem());
    write_file(dir + "/leaf.pem", chain->leaf.cert_pem());
    auto key_pem = chain->leaf.key_pem();
    REQUIRE(key_pem.ok());
    write_file(dir + "/leaf.key", *key_pem);
    CHECK(sh(dir, "openssl verify -x509_strict -purpose sslserver -verify_hostname example.com "
                  "-CAfile root.pem -untrusted int.pem leaf.pem") == 0);
    CHECK(sh(dir, "openssl verify -verify_ip ::1 -CAfile root.pem -untrusted int.pem leaf.pem") == 0);
    CHECK(sh(dir, "openssl verify -verify_hostname a.example.net -CAfile root.pem -untrusted int.pem "
                  "leaf.pem") == 0);
    // The test proves it can fail: a wrong name is refused by openssl too.
    CHECK(sh(dir, "openssl verify -verify_hostname example.org -CAfile root.pem -untrusted int.pem "
                  "leaf.pem") != 0);
    // The PKCS#8 key is readable by openssl and belongs to the certificate.
    CHECK(sh(dir, "openssl pkey -in leaf.key -pubout -out k.pub && openssl x509 -in leaf.pem "
                  "-pubkey -noout -out c.pub && cmp k.pub c.pub") == 0);

    std::vector<std::vector<uint8_t>> roots = {chain->root.der};
    auto v = WebPkiVerifier::from_certificates(provider, roots);
    REQUIRE(v.ok());
    CertificateRequest req;
    auto peer = chain->peer_chain();
    req.chain = peer;
    req.server_name = "example.com";
    req.now = now;
    auto r = (*v)->verify(req);
    if (!r.ok()) FAIL(std::string(r.error().detail));
    req.server_name = "a.example.net";
    CHECK((*v)->verify(req).ok());
    req.server_name = "127.0.0.1";
    CHECK((*v)->verify(req).ok());

    auto leaf = parse_certificate(chain->leaf.der);
    REQUIRE(leaf.ok());
    CHECK(leaf->public_key.type == k.type);
    CHECK_FALSE(leaf->is_ca);
    CHECK(leaf->eku_server_auth);
    CHECK_FALSE(leaf->eku_client_auth);
    auto inter = parse_certificate(chain->intermediate.der);
    REQUIRE(inter.ok());
    CHECK(inter->is_ca);
    CHECK(inter->path_len == std::optional<uint32_t>(0));
    auto root = parse_certificate(chain->root.der);
    REQUIRE(root.ok());
    CHECK(std::ranges::equal(inter->authority_key_id, root->subject_key_id));
    // The key round-trips through PEM.
    auto parsed_key = parse_private_key_pem(*key_pem);
    REQUIRE(parsed_key.ok());
    CHECK(parsed_key->type == k.type);
  }
}

TEST_CASE("certgen: a same-named root with another key is an unknown CA") {
  auto provider = crypto::default_provider();
  int64_t now = std::time(nullptr);
  auto a = generate_chain(*provider, crypto::KeyType::kEd25519, leaf_spec(now));
  auto b = generate_chain(*provider, crypto::KeyType::kEd25519, leaf_spec(now));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  auto a_root = parse_certificate(a->root.der), b_root = parse_certificate(b->root.der);
  REQUIRE(a_root.ok());
  REQUIRE(b_root.ok());
  CHECK(std::ranges::equal(a_root->subject, b_root->subject));
  std::vector<std::vector<uint8_t>> roots = {b->root.der};
  auto v = WebPkiVerifier::from_certificates(provider, roots);
  REQUIRE(v.ok());
  CertificateRequest req;
  auto peer = a->peer_chain();
  req.chain = peer;
  req.server_name = "example.com";
  req.now = now;
  auto r = (*v)->verify(req);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().reason == Reason::kUnknownCa);  // key identifiers differ: not a candidate
  // With both roots trusted, the right one is found.
  roots.push_back(a->root.der);
  auto both = WebPkiVerifier::from_certificates(provider, roots);
  REQUIRE(both.ok());
  CHECK((*both)->verify(req).ok());
}

// deep_chain issues root -> `depth` intermediates -> leaf with Ed25519 keys.
std::vector<std::vector<uint8_t>> deep_chain(const crypto::Provider& p, size_t depth, int64_t now,
                                             std::vector<uint8_t>& root_der) {
  CertSpec ca;
  ca.is_ca = true;
  ca.not_before = now - 60;
  ca.not_after = now + 86400;
  ca.common_name = "ca0";
  auto issuer = generate_self_signed(p, crypto::KeyType::kEd25519, ca);
  REQUIRE(issuer.ok());
  root_der = issuer->der;
  std::vector<std::vector<uint8_t>> peer;
  GeneratedCert current = std::move(issuer).value();
  for (size_t i = 1; i <= depth; ++i) {
    ca.common_name = "ca" + std::to_string(i);
    auto next = issue_certificate(p, *generate_key(p, crypto::KeyType::kEd25519), ca, &current);
    REQUIRE(next.ok());
    peer.insert(peer.begin(), next->der);
    current = std::move(next).value();
  }
  auto leaf = issue_certificate(p, *generate_key(p, crypto::KeyType::kEd25519), leaf_spec(now), &current);
  REQUIRE(leaf.ok());
  peer.insert(peer.begin(), leaf->der);
  return peer;
}

TEST_CASE("certgen: paths longer than kMaxIntermediates are not built") {
  auto provider = crypto::default_provider();
  int64_t now = std::time(nullptr);
  for (size_t depth : {kMaxIntermediates, kMaxIntermediates + 1}) {
    CAPTURE(depth);
    std::vector<uint8_t> root;
    auto peer = deep_chain(*provider, depth, now, root);
    std::vector<std::vector<uint8_t>> roots = {root};
    auto v = WebPkiVerifier::from_certificates(provider, roots);
    REQUIRE(v.ok());
    CertificateRequest req;
    req.chain = peer;
    req.server_name = "example.com";
    req.now = now;
    auto r = (*v)->verify(req);
    if (depth <= kMaxIntermediates) {
      CHECK(r.ok());
    } else {
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().reason == Reason::kUnknownCa);
      CHECK(std::string(r.error().detail) == "webpki: no anchor within the path length limit");
    }
  }
}

TEST_CASE("certgen: set_max_intermediates bounds the path like openssl's verify depth") {
  auto provider = crypto::default_provider();
  int64_t now = std::time(nullptr);
  struct Case {
    size_t intermediates, max;
    bool ok;
  };
  for (const Case& c : {Case{2, 2, true}, Case{2, 1, false}, Case{0, 0, true}, Case{1, 0, false}}) {
    CAPTURE(c.intermediates);
    CAPTURE(c.max);
    std::vector<uint8_t> root;
    auto peer = deep_chain(*provider, c.intermediates, now, root);
    std::vector<std::vector<uint8_t>> roots = {root};
    auto v = WebPkiVerifier::from_certificates(provider, roots);
    REQUIRE(v.ok());
    (*v)->set_max_intermediates(c.max);
    CertificateRequest req;
    req.chain = peer;
    req.server_name = "example.com";
    req.now = now;
    auto r = (*v)->verify(req);
    CHECK(r.ok() == c.ok);
    if (!r.ok()) CHECK(r.error().reason == Reason::kUnknownCa);
  }
}

TEST_CASE("certgen: self-signed certificates") {
  auto provider = crypto::default_provider();
  int64_t now = std::time(nullptr);
  CertSpec s = leaf_spec(now);
  s.client_auth = true;
  auto cert = generate_self_signed(*provider, crypto::KeyType::kEcdsaP256, s);
  REQUIRE(cert.ok());
  std::string dir = scratch("certgen_self");
  write_file(dir + "/self.pem", cert->cert_pem());
  CHECK(sh(dir, "openssl verify -CAfile self.pem -purpose sslclient self.pem") == 0);
  auto c = parse_certificate(cert->der);
  REQUIRE(c.ok());
  CHECK(c->self_issued());
  CHECK(c->eku_client_auth);

  CertSpec bad = s;
  bad.not_after = bad.not_before;
  CHECK_FALSE(generate_self_signed(*provider, crypto::KeyType::kEd25519, bad).ok());
  bad = s;
  bad.dns_names = {"not a name"};
  CHECK_FALSE(generate_self_signed(*provider, crypto::KeyType::kEd25519, bad).ok());
  bad = s;
  bad.ip_addresses = {"1.2.3"};
  CHECK_FALSE(generate_self_signed(*provider, crypto::KeyType::kEd25519, bad).ok());
}

TEST_CASE("certgen: an RSA-PSS issuer restricted to one hash signs with that hash only") {
  auto provider = crypto::default_provider();
  int64_t now = std::time(nullptr);
  auto root_key = generate_key(*provider, crypto::KeyType::kRsaPss);
  REQUIRE(root_key.ok());
  root_key->public_key.pss_hash = crypto::HashAlg::kSha256;
  CertSpec ca;
  ca.is_ca = true;
  ca.common_name = "pss root";
  ca.not_before = now - 60;
  ca.not_after = now + 86400;
  auto root = issue_certificate(*provider, root_key->copy(), ca, nullptr);
  if (!root.ok()) FAIL(std::string(root.error().detail));
  auto parsed_root = parse_certificate(root->der);
  REQUIRE(parsed_root.ok());
  CHECK(parsed_root->public_key.pss_hash == crypto::HashAlg::kSha256);
  std::vector<std::vector<uint8_t>> roots = {root->der};
  auto v = WebPkiVerifier::from_certificates(provider, roots);
  REQUIRE(v.ok());
  for (crypto::HashAlg h : {crypto::HashAlg::kSha256, crypto::HashAlg::kSha512}) {
    CAPTURE(crypto::name(h));
    // The same private key, told it may use `h`: the certificate it signs
    // carries RSASSA-PSS with `h`, which the root's SPKI allows only for
    // SHA-256 (RFC 4055 §3.1).
    GeneratedCert issuer;
    issuer.der = root->der;
    issuer.key = root_key->copy();
    issuer.key.public_key.pss_hash = h;
    auto leaf = issue_certificate(*provider, *generate_key(*provider, crypto::KeyType::kEcdsaP256),
                                  leaf_spec(now), &issuer);
    REQUIRE(leaf.ok());
    CertificateRequest req;
    std::vector<std::vector<uint8_t>> peer = {leaf->der};
    req.chain = peer;
    req.server_name = "example.com";
    req.now = now;
    auto r = (*v)->verify(req);
    if (h == crypto::HashAlg::kSha256) {
      CHECK(r.ok());
    } else {
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().reason == Reason::kBadCertificate);
    }
  }
}

TEST_CASE("certgen: keys made by openssl can issue") {
  auto provider = crypto::default_provider();
  struct Case {
    const char* genpkey;
    crypto::KeyType type;
  };
  const Case cases[] = {
      {"-algorithm EC -pkeyopt ec_paramgen_curve:P-384", crypto::KeyType::kEcdsaP384},
      {"-algorithm EC -pkeyopt ec_paramgen_curve:P-521", crypto::KeyType::kEcdsaP521},
      {"-algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048", crypto::KeyType::kRsaPss},
      // Restricted to SHA-512: the certificate must be signed with it, and
      // the SPKI must keep the parameters.
      {"-algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_pss_keygen_md:sha512 "
       "-pkeyopt rsa_pss_keygen_mgf1_md:sha512 -pkeyopt rsa_pss_keygen_saltlen:64",
       crypto::KeyType::kRsaPss},
  };
  for (size_t i = 0; i < std::size(cases); ++i) {
    const Case& k = cases[i];
    CAPTURE(k.genpkey);
    std::string dir = scratch("certgen_openssl_key" + std::to_string(i));
    REQUIRE(sh(dir, std::string("openssl genpkey ") + k.genpkey + " -out k.pem") == 0);
    auto key = parse_private_key_pem(read_file(dir + "/k.pem"));
    REQUIRE(key.ok());
    CHECK(key->type == k.type);
    const auto restriction = key->public_key.pss_hash;
    CertSpec s = leaf_spec(std::time(nullptr));
    auto cert = issue_certificate(*provider, std::move(key).value(), s, nullptr);
    if (!cert.ok()) FAIL(std::string(cert.error().detail));
    write_file(dir + "/c.pem", cert->cert_pem());
    CHECK(sh(dir, "openssl x509 -in c.pem -pubkey -noout -out c.pub && "
                  "openssl pkey -in k.pem -pubout -out k.pub && cmp c.pub k.pub") == 0);
    CHECK(sh(dir, "openssl verify -CAfile c.pem c.pem") == 0);
    auto parsed = parse_certificate(cert->der);
    REQUIRE(parsed.ok());
    CHECK(parsed->public_key.type == k.type);
    CHECK(parsed->public_key.pss_hash == restriction);
    if (restriction) CHECK(parsed->sig_alg == SigAlg::kRsaPssSha512);
    // The key written back is openssl's own PKCS#8, byte for byte.
    auto blocks = parse_pem(read_file(dir + "/k.pem"));
    REQUIRE(blocks.ok());
    auto again = encode_pkcs8(cert->key);
    REQUIRE(again.ok());
    CHECK(*again == blocks->front().der);
  }
}

}  // namespace
}  // namespace sluice::pki
