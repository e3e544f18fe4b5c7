#include <doctest/doctest.h>

#include <ctime>
#include <string>
#include <vector>

#include "base/heap_counter.h"
#include "crypto/composite/composite_provider.h"
#include "pki/signature_cache.h"
#include "pki/webpki_verifier.h"
#include "tests/pki/chain_util.h"
#include "tests/support/counting_provider.h"

namespace sluice::pki {
namespace {

using testing::Chain;
using testing::ChainSpec;
using testing::make_chain;
using testing::scratch;
using V = std::vector<uint8_t>;

constexpr int64_t kDay = 86400;

std::unique_ptr<WebPkiVerifier> anchors_for(const Chain& c) {
  std::vector<V> roots = {c.root};
  auto v = WebPkiVerifier::from_certificates(crypto::default_provider(), roots);
  REQUIRE(v.ok());
  return std::move(v).value();
}

// run verifies `chain` for `name` one hour after issuance unless told.
TlsResult<CertVerified> run(const WebPkiVerifier& v, const std::vector<V>& chain,
                            std::string_view name, int64_t offset = 3600, bool server = true) {
  CertificateRequest req;
  req.chain = chain;
  req.server_name = name;
  req.now = std::time(nullptr) + offset;
  req.peer_is_server = server;
  return v.verify(req);
}

Reason reason_of(const TlsResult<CertVerified>& r) { return r.ok() ? Reason::kNone : r.error().reason; }

TEST_CASE("webpki: valid chains for every key type") {
  const char* keys[] = {testing::kRsaKey, testing::kEcKey, testing::kEc384Key, testing::kEdKey};
  const char* digests[] = {"-sha256", "-sha256", "-sha384", ""};
  for (size_t i = 0; i < 4; ++i) {
    CAPTURE(keys[i]);
    ChainSpec s;
    s.key = keys[i];
    s.digest = digests[i];
    Chain c = make_chain(scratch("webpki_valid" + std::to_string(i)), s);
    auto v = anchors_for(c);
    auto r = run(*v, c.peer(), "example.com");
    if (!r.ok()) FAIL(std::string(r.error().detail));
    CHECK(run(*v, c.peer(), "WWW.Example.COM").ok());
    CHECK(run(*v, c.peer(), "127.0.0.1").ok());
    CHECK(reason_of(run(*v, c.peer(), "127.0.0.2")) == Reason::kCertificateNameMismatch);
    // The token carries the leaf's key.
    const crypto::KeyType types[] = {crypto::KeyType::kRsa, crypto::KeyType::kEcdsaP256,
                                     crypto::KeyType::kEcdsaP384, crypto::KeyType::kEd25519};
    CHECK(r->end_entity_key().type == types[i]);
  }
}

TEST_CASE("webpki: P-521 and RSA-PSS chains (certificates signed ecdsa-with-SHA512 and RSASSA-PSS)") {
  struct Case {
    const char* key;
    const char* digest;
    crypto::KeyType type;
  };
  const Case cases[] = {
      {testing::kEc521Key, "-sha512", crypto::KeyType::kEcdsaP521},
      {testing::kRsaPssKey, testing::kPssDigest, crypto::KeyType::kRsaPss},
      {testing::kRsaPssKey, "-sha512 -sigopt rsa_pss_saltlen:digest", crypto::KeyType::kRsaPss},
  };
  for (size_t i = 0; i < std::size(cases); ++i) {
    const Case& k = cases[i];
    CAPTURE(k.key);
    CAPTURE(k.digest);
    Chain c = make_chain(scratch("webpki_new_keys" + std::to_string(i)), testing::spec_with(k.key, k.digest));
    auto leaf = parse_certificate(c.leaf);
    REQUIRE(leaf.ok());
    CHECK(leaf->key_supported);
    CHECK(leaf->sig_alg_supported);
    CHECK(leaf->public_key.type == k.type);
    auto v = anchors_for(c);
    auto r = run(*v, c.peer(), "example.com");
    if (!r.ok()) FAIL(std::string(r.error().detail));
    CHECK(r->end_entity_key().type == k.type);
    CHECK(reason_of(run(*v, c.peer(), "example.org")) == Reason::kCertificateNameMismatch);
    // A flipped bit in the intermediate's signature breaks the chain.
    std::vector<V> bad = c.peer();
    bad[1][bad[1].size() - 5] ^= 1;
    CHECK(reason_of(run(*v, bad, "example.com")) == Reason::kBadCertificate);
  }
  // An RSASSA-PSS signature whose salt is not the hash length is one pki/
  // does not check: the chain is refused as unsupported, not accepted.
  Chain odd = make_chain(scratch("webpki_pss_salt20"),
                         testing::spec_with(testing::kRsaPssKey, "-sha256 -sigopt rsa_pss_saltlen:20"));
  auto v = anchors_for(odd);
  CHECK(reason_of(run(*v, odd.peer(), "example.com")) == Reason::kUnsupportedCertificate);
}

TEST_CASE("webpki: path building tolerates order, extras and a sent root") {
  ChainSpec s;
  s.key = testing::kEcKey;
  s.int2_ext = testing::kCaExt;
  Chain c = make_chain(scratch("webpki_order"), s);
  Chain other = make_chain(scratch("webpki_order_other"),
                           testing::spec_with(testing::kEcKey, "-sha256", "Other Root"));
  auto v = anchors_for(c);
  std::vector<V> shuffled = {c.leaf, other.leaf, c.intermediates[1], V{1, 2, 3}, c.root,
                             c.intermediates[0]};
  CHECK(run(*v, shuffled, "example.com").ok());
  // Missing intermediate: unknown CA.
  std::vector<V> missing = {c.leaf, c.intermediates[1]};
  auto r = run(*v, missing, "example.com");
  CHECK(reason_of(r) == Reason::kUnknownCa);
  CHECK(r.error().alert == Alert::kUnknownCa);
  // Someone else's root.
  auto v2 = anchors_for(other);
  CHECK(reason_of(run(*v2, c.peer(), "example.com")) == Reason::kUnknownCa);
  // An anchor with the right name but another key: openssl wrote key
  // identifiers, so it is not even a candidate.
  Chain same_name = make_chain(scratch("webpki_order_same"), testing::spec_with(testing::kEcKey));
  auto v3 = anchors_for(same_name);
  CHECK(reason_of(run(*v3, c.peer(), "example.com")) == Reason::kUnknownCa);
}

TEST_CASE("webpki: validity against the injected clock") {
  Chain c = make_chain(scratch("webpki_time"), testing::spec_with(testing::kEcKey));
  auto v = anchors_for(c);
  auto expired = run(*v, c.peer(), "example.com", 31 * kDay);
  CHECK(reason_of(expired) == Reason::kCertificateExpired);
  CHECK(expired.error().alert == Alert::kCertificateExpired);
  auto early = run(*v, c.peer(), "example.com", -kDay);
  CHECK(reason_of(early) == Reason::kCertificateNotYetValid);
  CHECK(early.error().alert == Alert::kCertificateExpired);
  CHECK(run(*v, c.peer(), "example.com", 29 * kDay).ok());
}

TEST_CASE("webpki: host names and wildcards") {
  ChainSpec s;
  s.key = testing::kEcKey;
  s.leaf_ext = "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:*.example.com,DNS:f*o.example.net,"
               "DNS:*.com,IP:::1\n";
  Chain c = make_chain(scratch("webpki_wild"), s);
  auto v = anchors_for(c);
  CHECK(run(*v, c.peer(), "a.example.com").ok());
  CHECK(run(*v, c.peer(), "::1").ok());
  CHECK(run(*v, c.peer(), "0:0:0:0:0:0:0:1").ok());
  for (const char* bad : {"example.com", "a.b.example.com", "foo.example.net", "fo.example.net",
                          "example.org", "com", "x.com", "127.0.0.1", "", ".example.com"}) {
    CAPTURE(bad);
    auto r = run(*v, c.peer(), bad);
    CHECK(reason_of(r) == Reason::kCertificateNameMismatch);
    CHECK(r.error().alert == Alert::kCertificateUnknown);
  }
  // No SAN at all: the CN ("leaf") is never used.
  s.leaf_ext = "extendedKeyUsage=serverAuth\n";
  Chain nosan = make_chain(scratch("webpki_nosan"), s);
  auto v2 = anchors_for(nosan);
  CHECK(reason_of(run(*v2, nosan.peer(), "leaf")) == Reason::kCertificateNameMismatch);
  // A client certificate is not matched against any name.
  CHECK(run(*v2, nosan.peer(), "", 3600, false).ok() == false);  // EKU is serverAuth only
}

TEST_CASE("webpki: CA flag, path length, keyUsage") {
  ChainSpec s;
  s.key = testing::kEcKey;
  s.int1_ext = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyCertSign\n";
  Chain not_ca = make_chain(scratch("webpki_notca"), s);
  auto r = run(*anchors_for(not_ca), not_ca.peer(), "example.com");
  CHECK(reason_of(r) == Reason::kBadCertificate);
  CHECK(std::string(r.error().detail) == "webpki: issuer is not a CA (CA:FALSE)");

  s.int1_ext = "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign\n";
  s.int2_ext = testing::kCaExt;
  Chain too_long = make_chain(scratch("webpki_pathlen"), s);
  r = run(*anchors_for(too_long), too_long.peer(), "example.com");
  CHECK(reason_of(r) == Reason::kBadCertificate);
  CHECK(std::string(r.error().detail) == "webpki: path length constraint exceeded");

  s.int2_ext = "";  // pathlen:0 with no intermediate below: fine
  Chain ok = make_chain(scratch("webpki_pathlen_ok"), s);
  CHECK(run(*anchors_for(ok), ok.peer(), "example.com").ok());

  s.int1_ext = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature\n";
  Chain no_certsign = make_chain(scratch("webpki_ku"), s);
  r = run(*anchors_for(no_certsign), no_certsign.peer(), "example.com");
  CHECK(reason_of(r) == Reason::kBadCertificate);
  CHECK(std::string(r.error().detail) == "webpki: issuer keyUsage lacks keyCertSign");
}

TEST_CASE("webpki: extended key usage") {
  ChainSpec s;
  s.key = testing::kEcKey;
  s.leaf_ext = "extendedKeyUsage=clientAuth\nsubjectAltName=DNS:example.com\n";
  Chain c = make_chain(scratch("webpki_eku"), s);
  auto v = anchors_for(c);
  auto r = run(*v, c.peer(), "example.com");
  CHECK(reason_of(r) == Reason::kUnsupportedCertificate);
  CHECK(r.error().alert == Alert::kUnsupportedCertificate);
  CHECK(run(*v, c.peer(), "", 3600, /*server=*/false).ok());
  // An intermediate restricted to clientAuth cannot issue server certificates.
  s.int1_ext = std::string(testing::kCaExt) + "extendedKeyUsage=clientAuth\n";
  s.leaf_ext = testing::kLeafExt;
  Chain ci = make_chain(scratch("webpki_eku_int"), s);
  CHECK(reason_of(run(*anchors_for(ci), ci.peer(), "example.com")) == Reason::kUnsupportedCertificate);
}

TEST_CASE("webpki: unknown critical extension") {
  ChainSpec s;
  s.key = testing::kEcKey;
  s.leaf_ext = std::string(testing::kLeafExt) + "1.2.3.4=critical,ASN1:NULL\n";
  Chain c = make_chain(scratch("webpki_crit"), s);
  auto r = run(*anchors_for(c), c.peer(), "example.com");
  CHECK(reason_of(r) == Reason::kUnsupportedCertificate);
  s.leaf_ext = std::string(testing::kLeafExt) + "1.2.3.4=ASN1:NULL\n";
  Chain n = make_chain(scratch("webpki_noncrit"), s);
  CHECK(run(*anchors_for(n), n.peer(), "example.com").ok());
}

TEST_CASE("webpki: bad signatures") {
  for (const char* key : {testing::kRsaKey, testing::kEcKey, testing::kEdKey}) {
    CAPTURE(key);
    ChainSpec s;
    s.key = key;
    s.digest = key == testing::kEdKey ? "" : "-sha256";
    Chain c = make_chain(scratch("webpki_badsig"), s);
    auto v = anchors_for(c);
    std::vector<V> chain = c.peer();
    chain[0][chain[0].size() - 10] ^= 0x01;  // inside the signature value
    auto r = run(*v, chain, "example.com");
    CHECK(reason_of(r) == Reason::kBadCertificate);
    CHECK(std::string(r.error().detail) == "webpki: certificate signature does not verify");
    chain = c.peer();
    chain[1][chain[1].size() - 10] ^= 0x01;  // the intermediate's
    CHECK(reason_of(run(*v, chain, "example.com")) == Reason::kBadCertificate);
  }
}

TEST_CASE("webpki: name constraints") {
  ChainSpec s;
  s.key = testing::kEcKey;
  s.int1_ext = std::string(testing::kCaExt) +
               "nameConstraints=critical,permitted;DNS:example.com,excluded;DNS:bad.example.com,"
               "permitted;IP:127.0.0.0/255.0.0.0\n";
  Chain ok = make_chain(scratch("webpki_nc_ok"), s);
  CHECK(run(*anchors_for(ok), ok.peer(), "www.example.com").ok());

  s.leaf_ext = "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:example.org\n";
  Chain outside = make_chain(scratch("webpki_nc_out"), s);
  auto r = run(*anchors_for(outside), outside.peer(), "example.org");
  CHECK(reason_of(r) == Reason::kBadCertificate);
  CHECK(std::string(r.error().detail) == "name constraints: dNSName outside the permitted subtrees");

  s.leaf_ext = "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:x.bad.example.com\n";
  Chain excluded = make_chain(scratch("webpki_nc_ex"), s);
  CHECK(reason_of(run(*anchors_for(excluded), excluded.peer(), "x.bad.example.com")) ==
        Reason::kBadCertificate);

  s.leaf_ext = "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:*.example.com\n";
  Chain wild = make_chain(scratch("webpki_nc_wild"), s);  // *.example.com covers bad.example.com
  CHECK(reason_of(run(*anchors_for(wild), wild.peer(), "a.example.com")) == Reason::kBadCertificate);

  s.leaf_ext = "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:www.example.com,IP:10.0.0.1\n";
  Chain ip = make_chain(scratch("webpki_nc_ip"), s);
  r = run(*anchors_for(ip), ip.peer(), "www.example.com");
  CHECK(reason_of(r) == Reason::kBadCertificate);
  CHECK(std::string(r.error().detail) == "name constraints: iPAddress outside the permitted subtrees");
}

TEST_CASE("webpki: name constraints on a trust anchor") {
  // The anchors' constraints view their own copy of the root: build them
  // from a vector that then goes away, with duplicates so that the anchor
  // list grows (and moves its anchors) on the way.
  auto anchors_from_copies = [](const Chain& c) {
    std::vector<V> roots(4, c.root);
    auto v = WebPkiVerifier::from_certificates(crypto::default_provider(), roots);
    REQUIRE(v.ok());
    REQUIRE(v.value()->anchors().front().name_constraints.has_value());
    return std::move(v).value();
  };
  ChainSpec s;
  s.key = testing::kEcKey;
  s.root_ext = std::string(testing::kCaExt) +
               "nameConstraints=critical,permitted;DNS:example.com,permitted;IP:127.0.0.0/255.0.0.0\n";
  Chain ok = make_chain(scratch("webpki_anchor_nc_ok"), s);
  CHECK(run(*anchors_from_copies(ok), ok.peer(), "www.example.com").ok());

  s.leaf_ext = "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:example.org\n";
  Chain outside = make_chain(scratch("webpki_anchor_nc_out"), s);
  auto r = run(*anchors_from_copies(outside), outside.peer(), "example.org");
  CHECK(reason_of(r) == Reason::kBadCertificate);
  CHECK(std::string(r.error().detail) == "name constraints: dNSName outside the permitted subtrees");
}

TEST_CASE("webpki: verify allocates a handful of times") {
  // What pki/ itself allocates for a leaf and an intermediate: each parse's
  // DER copy and key, the leaf's SAN lists and the candidate pool. The
  // provider's own allocations are measured apart and not counted.
  struct Case {
    const char* key;
    const char* digest;
    uint64_t max_calls;
  };
  // RSA keys take one more per certificate: crypto::PublicKey keeps the
  // modulus and the exponent in separate vectors.
  const Case cases[] = {
      {testing::kEcKey, "-sha256", 7}, {testing::kEdKey, "", 7}, {testing::kRsaKey, "-sha256", 9}};
  for (const Case& k : cases) {
    CAPTURE(k.key);
    Chain c = make_chain(scratch("webpki_heap"), testing::spec_with(k.key, k.digest));
    auto v = anchors_for(c);
    v->set_signature_cache(false);  // every signature checked, so the provider's share is known
    std::vector<V> chain = c.peer();
    REQUIRE(run(*v, chain, "www.example.com").ok());
    const uint64_t before = heap_stats().allocations;
    auto r = run(*v, chain, "www.example.com");
    uint64_t calls = heap_stats().allocations - before;
    REQUIRE(r.ok());

    auto leaf = parse_certificate(c.leaf), inter = parse_certificate(c.intermediates[0]),
         root = parse_certificate(c.root);
    REQUIRE((leaf.ok() && inter.ok() && root.ok()));
    auto provider = crypto::default_provider();
    const uint64_t before_provider = heap_stats().allocations;
    CHECK(provider->verify(*scheme_for(leaf->sig_alg, inter->public_key.type), inter->public_key,
                           leaf->tbs, leaf->signature).ok());
    CHECK(provider->verify(*scheme_for(inter->sig_alg, root->public_key.type), root->public_key,
                           inter->tbs, inter->signature).ok());
    const uint64_t provider_calls = heap_stats().allocations - before_provider;
    REQUIRE(calls >= provider_calls);
    calls -= provider_calls;
    MESSAGE("verify: ", calls, " heap calls in pki/, ", provider_calls, " in the provider");
    CHECK(calls <= k.max_calls);
  }
}

TEST_CASE("signature cache: keys sharing a set do not evict one another until it is full") {
  SignatureCache cache;
  auto key = [](uint8_t n) {
    SignatureCache::Key k{};
    k[31] = n;  // same leading bytes: the same set
    return k;
  };
  for (uint8_t n = 0; n < 4; ++n) cache.insert(key(n));
  for (uint8_t n = 0; n < 4; ++n) CHECK(cache.contains(key(n)));
  CHECK_FALSE(cache.contains(key(9)));
  cache.insert(key(4));  // a full set replaces one entry
  CHECK(cache.contains(key(4)));
  int kept = 0;
  for (uint8_t n = 0; n < 4; ++n) kept += cache.contains(key(n));
  CHECK(kept == 3);
}

TEST_CASE("webpki: verified signatures are remembered, everything else is checked again") {
  Chain c = make_chain(scratch("webpki_cache"), testing::spec_with(testing::kEdKey, ""));
  auto counting = std::make_shared<sluice::testing::CountingProvider>(crypto::default_provider());
  std::vector<V> roots = {c.root};
  auto made = WebPkiVerifier::from_certificates(counting, roots);
  REQUIRE(made.ok());
  auto& v = **made;
  const std::vector<V> chain = c.peer();

  REQUIRE(run(v, chain, "example.com").ok());
  CHECK(counting->verifies == 2);  // leaf by intermediate, intermediate by root
  REQUIRE(run(v, chain, "example.com").ok());
  CHECK(counting->verifies == 2);  // both remembered

  // What is not a signature is checked every time.
  CHECK(reason_of(run(v, chain, "other.example")) == Reason::kCertificateNameMismatch);
  CHECK(reason_of(run(v, chain, "example.com", 4000 * kDay)) == Reason::kCertificateExpired);
  CHECK(reason_of(run(v, chain, "", 3600, false)) == Reason::kUnsupportedCertificate);  // no clientAuth EKU

  // A changed signature is a different check: it goes to the provider and fails.
  std::vector<V> tampered = chain;
  tampered[0][tampered[0].size() - 10] ^= 0x01;
  const int before = counting->verifies;
  CHECK(reason_of(run(v, tampered, "example.com")) == Reason::kBadCertificate);
  CHECK(counting->verifies == before + 1);
  // Failures are not remembered as successes.
  CHECK(reason_of(run(v, tampered, "example.com")) == Reason::kBadCertificate);

  // Off, the provider sees every check.
  auto uncached = WebPkiVerifier::from_certificates(counting, roots);
  REQUIRE(uncached.ok());
  (*uncached)->set_signature_cache(false);
  const int start = counting->verifies;
  REQUIRE(run(**uncached, chain, "example.com").ok());
  REQUIRE(run(**uncached, chain, "example.com").ok());
  CHECK(counting->verifies == start + 4);
}

TEST_CASE("webpki: configuration errors") {
  auto none = WebPkiVerifier::from_pem(crypto::default_provider(), "no certificates here");
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().reason == Reason::kConfiguration);
  Chain c = make_chain(scratch("webpki_cfg"), testing::spec_with(testing::kEcKey));
  auto v = anchors_for(c);
  CHECK(reason_of(run(*v, {}, "example.com")) == Reason::kBadCertificate);
  // A client must say which name it expects.
  CHECK(reason_of(run(*v, c.peer(), "")) == Reason::kCertificateNameMismatch);
  std::vector<V> garbage = {V{0x30, 0x03, 0x02, 0x01}};
  CHECK(reason_of(run(*v, garbage, "example.com")) == Reason::kBadCertificate);
}

}  // namespace
}  // namespace sluice::pki
