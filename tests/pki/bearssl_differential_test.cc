// Differential test: the verdicts of WebPkiVerifier and BearSSL's
// br_x509_minimal on the same openssl-made RSA and ECDSA chains must agree.
// Only checks both engines implement are compared (br_x509_minimal has no
// path building, name constraints or EKU policy, so chains are in order and
// those cases are left out).
#include <doctest/doctest.h>

#include <bearssl.h>

#include <ctime>

#include "crypto/composite/composite_provider.h"
#include "pki/webpki_verifier.h"
#include "pki/x509.h"
#include "tests/pki/chain_util.h"

namespace sluice::pki {
namespace {

using testing::Chain;
using testing::ChainSpec;
using testing::make_chain;
using testing::scratch;
using V = std::vector<uint8_t>;

// Days from 0000-01-01 (BearSSL's origin) to 1970-01-01.
constexpr uint32_t kBearSslEpochDays = 719528;

// bearssl_accepts runs br_x509_minimal with `root` as the only anchor.
bool bearssl_accepts(const V& root_der, const std::vector<V>& chain, const char* name, int64_t now,
                     unsigned& err) {
  auto root = parse_certificate(root_der);
  REQUIRE(root.ok());
  br_x509_trust_anchor ta{};
  // BearSSL wants a mutable name; give it a copy that lives as long as `ta`.
  V dn(root->subject.begin(), root->subject.end());
  ta.dn.data = dn.data();
  ta.dn.len = dn.size();
  ta.flags = BR_X509_TA_CA;
  crypto::PublicKey& k = root->public_key;
  if (k.type == crypto::KeyType::kRsa) {
    ta.pkey.key_type = BR_KEYTYPE_RSA;
    ta.pkey.key.rsa = {k.rsa_n.data(), k.rsa_n.size(), k.rsa_e.data(), k.rsa_e.size()};
  } else {
    ta.pkey.key_type = BR_KEYTYPE_EC;
    int curve = k.type == crypto::KeyType::kEcdsaP256 ? BR_EC_secp256r1 : BR_EC_secp384r1;
    ta.pkey.key.ec = {curve, k.point.data(), k.point.size()};
  }
  br_x509_minimal_context ctx;
  br_x509_minimal_init(&ctx, &br_sha256_vtable, &ta, 1);
  br_x509_minimal_set_hash(&ctx, br_sha256_ID, &br_sha256_vtable);
  br_x509_minimal_set_hash(&ctx, br_sha384_ID, &br_sha384_vtable);
  br_x509_minimal_set_hash(&ctx, br_sha512_ID, &br_sha512_vtable);
  br_x509_minimal_set_rsa(&ctx, br_rsa_pkcs1_vrfy_get_default());
  br_x509_minimal_set_ecdsa(&ctx, br_ec_get_default(), br_ecdsa_vrfy_asn1_get_default());
  br_x509_minimal_set_time(&ctx, static_cast<uint32_t>(now / 86400) + kBearSslEpochDays,
                           static_cast<uint32_t>(now % 86400));
  const br_x509_class** vt = &ctx.vtable;
  (*vt)->start_chain(vt, name);
  for (const V& c : chain) {
    (*vt)->start_cert(vt, static_cast<uint32_t>(c.size()));
    (*vt)->append(vt, c.data(), c.size());
    (*vt)->end_cert(vt);
  }
  err = (*vt)->end_chain(vt);
  return err == BR_ERR_OK;
}

struct Case {
  std::string label;
  Chain chain;
  std::vector<V> peer;
  std::string name = "example.com";
  int64_t offset = 3600;
  bool expect;  // the verdict both must give
};

TEST_CASE("differential: WebPkiVerifier and br_x509_minimal agree") {
  auto provider = crypto::default_provider();
  int64_t now = std::time(nullptr);
  size_t compared = 0;
  for (const char* key : {testing::kRsaKey, testing::kEcKey, testing::kEc384Key}) {
    std::string kname = key == testing::kRsaKey ? "rsa" : key == testing::kEcKey ? "p256" : "p384";
    ChainSpec base;
    base.key = key;
    base.digest = key == testing::kEc384Key ? "-sha384" : "-sha256";
    auto dir = [&](const char* n) { return scratch("diff_" + kname + "_" + n); };
    std::vector<Case> cases;
    Chain good = make_chain(dir("good"), base);
    cases.push_back({"valid", good, good.peer(), "example.com", 3600, true});
    cases.push_back({"valid upper-case name", good, good.peer(), "WWW.EXAMPLE.COM", 3600, true});
    cases.push_back({"expired", good, good.peer(), "example.com", 31 * 86400, false});
    cases.push_back({"not yet valid", good, good.peer(), "example.com", -86400, false});
    cases.push_back({"wrong host", good, good.peer(), "example.org", 3600, false});
    cases.push_back({"missing intermediate", good, {good.leaf}, "example.com", 3600, false});
    std::vector<V> bad_sig = good.peer();
    bad_sig[0][bad_sig[0].size() - 8] ^= 0x40;
    cases.push_back({"bad leaf signature", good, bad_sig, "example.com", 3600, false});
    std::vector<V> bad_int = good.peer();
    bad_int[1][bad_int[1].size() - 8] ^= 0x40;
    cases.push_back({"bad intermediate signature", good, bad_int, "example.com", 3600, false});

    ChainSpec s = base;
    s.leaf_ext = "subjectAltName=DNS:*.example.com\n";
    Chain wild = make_chain(dir("wild"), s);
    cases.push_back({"wildcard match", wild, wild.peer(), "a.example.com", 3600, true});
    cases.push_back({"wildcard vs apex", wild, wild.peer(), "example.com", 3600, false});
    cases.push_back({"wildcard vs two labels", wild, wild.peer(), "a.b.example.com", 3600, false});

    s = base;
    s.int1_ext = "basicConstraints=critical,CA:FALSE\n";
    Chain not_ca = make_chain(dir("notca"), s);
    cases.push_back({"CA:FALSE intermediate", not_ca, not_ca.peer(), "example.com", 3600, false});

    s = base;
    s.int1_ext = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature\n";
    Chain ku = make_chain(dir("ku"), s);
    cases.push_back({"intermediate without keyCertSign", ku, ku.peer(), "example.com", 3600, false});

    s = base;
    s.leaf_ext = std::string(testing::kLeafExt) + "1.2.3.4=critical,ASN1:NULL\n";
    Chain crit = make_chain(dir("crit"), s);
    cases.push_back({"unknown critical extension", crit, crit.peer(), "example.com", 3600, false});

    s = base;
    s.int1_ext = "";  // the root signs the leaf directly
    Chain direct = make_chain(dir("direct"), s);
    cases.push_back({"root signs leaf", direct, direct.peer(), "example.com", 3600, true});

    Chain other = make_chain(dir("other"), testing::spec_with(key, base.digest, "Other"));
    for (Case& c : cases) {
      CAPTURE(kname);
      CAPTURE(c.label);
      const V& root = c.chain.root;
      std::vector<V> roots = {root};
      auto v = WebPkiVerifier::from_certificates(provider, roots);
      REQUIRE(v.ok());
      CertificateRequest req;
      req.chain = c.peer;
      req.server_name = c.name;
      req.now = now + c.offset;
      auto ours = (*v)->verify(req);
      unsigned br_err = 0;
      bool theirs = bearssl_accepts(root, c.peer, c.name.c_str(), now + c.offset, br_err);
      CAPTURE(br_err);
      CHECK(ours.ok() == theirs);
      CHECK(ours.ok() == c.expect);
      ++compared;
    }
    // Unknown root: both refuse.
    std::vector<V> roots = {other.root};
    auto v = WebPkiVerifier::from_certificates(provider, roots);
    REQUIRE(v.ok());
    CertificateRequest req;
    auto peer = good.peer();
    req.chain = peer;
    req.server_name = "example.com";
    req.now = now;
    unsigned br_err = 0;
    CHECK_FALSE((*v)->verify(req).ok());
    CHECK_FALSE(bearssl_accepts(other.root, peer, "example.com", now, br_err));
    ++compared;
  }
  MESSAGE("differential: " << compared << " verdicts compared");
  CHECK(compared == 3 * 16);
}

}  // namespace
}  // namespace sluice::pki
