#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "pki/keys.h"
#include "pki/pem.h"
#include "pki/x509.h"
#include "tests/pki/test_util.h"

namespace sluice::pki {
namespace {

using testing::read_bytes;
using testing::read_file;
using testing::scratch;
using testing::sh;
using V = std::vector<uint8_t>;

TEST_CASE("pem: base64 strictness") {
  CHECK(*base64_decode("") == V{});
  CHECK(*base64_decode("Zm9v") == V{'f', 'o', 'o'});
  CHECK(*base64_decode("Zm8=") == V{'f', 'o'});
  CHECK(*base64_decode("Zg==") == V{'f'});
  CHECK_FALSE(base64_decode("Zm9").ok());    // not a multiple of 4
  CHECK_FALSE(base64_decode("Zm9=").ok());   // non-zero bits under padding
  CHECK_FALSE(base64_decode("Zh==").ok());
  CHECK_FALSE(base64_decode("Z===").ok());
  CHECK_FALSE(base64_decode("Zg==Zm9v").ok());  // padding in the middle
  CHECK_FALSE(base64_decode("Zm9v!!!!").ok());
  for (size_t n = 0; n < 10; ++n) {
    V data(n, static_cast<uint8_t>(0xf0 + n));
    CHECK(*base64_decode(base64_encode(data)) == data);
  }
}

TEST_CASE("pem: blocks, labels and errors") {
  std::string two = "# a comment\n" + pem_encode("CERTIFICATE", V{1, 2, 3}) + "junk between\r\n" +
                    pem_encode("PRIVATE KEY", V(100, 9));
  auto blocks = parse_pem(two);
  REQUIRE(blocks.ok());
  REQUIRE(blocks->size() == 2);
  CHECK((*blocks)[0].label == "CERTIFICATE");
  CHECK((*blocks)[0].der == V{1, 2, 3});
  CHECK((*blocks)[1].der == V(100, 9));
  auto certs = pem_certificates(two);
  REQUIRE(certs.ok());
  CHECK(certs->size() == 1);

  // CRLF line endings are accepted.
  std::string crlf = "-----BEGIN X-----\r\nAQID\r\n-----END X-----\r\n";
  REQUIRE(parse_pem(crlf).ok());

  const char* bad[] = {
      "-----BEGIN X-----\nAQID\n-----END Y-----\n",                    // label mismatch
      "-----BEGIN X-----\nAQID\n",                                      // no END
      "-----BEGIN X-----\nProc-Type: 4,ENCRYPTED\nAQID\n-----END X-----\n",
      "-----BEGIN X-----\nAQ ID\n-----END X-----\n",                    // space in line
      "-----BEGIN X-----\n-----END X-----\n",                           // empty
      "-----BEGIN X-----\n-----BEGIN X-----\nAQID\n-----END X-----\n",  // nested
      "-----BEGIN X\nAQID\n-----END X-----\n",                          // malformed BEGIN
  };
  for (const char* b : bad) {
    CAPTURE(b);
    auto r = parse_pem(b);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().reason == Reason::kConfiguration);
  }
  CHECK_FALSE(pem_certificates("no blocks at all").ok());
}

// key_files makes a key with openssl in several encodings and checks each
// parses to the same material; returns the PKCS#8 DER.
struct KeyCase {
  const char* name;
  const char* genpkey;  // openssl command writing k.pem (PKCS#8)
  const char* legacy;   // openssl command turning k.pem into legacy.pem, or nullptr
  crypto::KeyType type;
};

TEST_CASE("keys: openssl keys in PKCS#8, SEC1 and PKCS#1") {
  const KeyCase cases[] = {
      {"rsa", "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out k.pem",
       "openssl rsa -in k.pem -traditional -out legacy.pem", crypto::KeyType::kRsa},
      {"p256", "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out k.pem",
       "openssl ec -in k.pem -out legacy.pem", crypto::KeyType::kEcdsaP256},
      {"p384", "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out k.pem",
       "openssl ec -in k.pem -out legacy.pem", crypto::KeyType::kEcdsaP384},
      {"ed25519", "openssl genpkey -algorithm ED25519 -out k.pem", nullptr,
       crypto::KeyType::kEd25519},
      {"p521", "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out k.pem",
       "openssl ec -in k.pem -out legacy.pem", crypto::KeyType::kEcdsaP521},
      // id-RSASSA-PSS has no legacy (PKCS#1) form that keeps the OID.
      {"rsa-pss", "openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -out k.pem", nullptr,
       crypto::KeyType::kRsaPss},
      {"rsa-pss-sha384",
       "openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_pss_keygen_md:sha384 "
       "-pkeyopt rsa_pss_keygen_mgf1_md:sha384 -pkeyopt rsa_pss_keygen_saltlen:48 -out k.pem",
       nullptr, crypto::KeyType::kRsaPss},
  };
  for (const KeyCase& k : cases) {
    CAPTURE(k.name);
    std::string dir = scratch(std::string("keys_") + k.name);
    REQUIRE(sh(dir, k.genpkey) == 0);
    REQUIRE(sh(dir, "openssl pkey -in k.pem -outform DER -out k.der && "
                    "openssl pkey -in k.pem -pubout -outform DER -out pub.der") == 0);
    CAPTURE(k.genpkey);
    auto pem = parse_private_key_pem(read_file(dir + "/k.pem"));
    REQUIRE(pem.ok());
    CHECK(pem->type == k.type);
    V der_bytes = read_bytes(dir + "/k.der");
    auto der = parse_private_key_der(der_bytes);
    REQUIRE(der.ok());
    CHECK(der->type == k.type);
    CHECK(der->secret.size() == pem->secret.size());
    auto pub = parse_spki(read_bytes(dir + "/pub.der"));
    REQUIRE(pub.ok());
    switch (k.type) {
      case crypto::KeyType::kRsa:
      case crypto::KeyType::kRsaPss:
        CHECK(pub->type == k.type);
        CHECK(pem->rsa_n == pub->rsa_n);
        CHECK(pem->rsa_e == pub->rsa_e);
        CHECK(pem->rsa_p.size() == 128);
        CHECK(pem->rsa_qinv.size() <= 128);
        // The key file's restriction is the certificate key's.
        CHECK(pem->public_key.pss_hash == pub->pss_hash);
        CHECK(pub->pss_hash == (std::string(k.name) == "rsa-pss-sha384" ? std::optional(crypto::HashAlg::kSha384)
                                                                           : std::nullopt));
        break;
      case crypto::KeyType::kEcdsaP256:
      case crypto::KeyType::kEcdsaP384:
      case crypto::KeyType::kEcdsaP521:
        CHECK(pem->secret.size() == crypto::ec_scalar_len(k.type));
        CHECK(pem->public_key.point == pub->point);
        break;
      case crypto::KeyType::kEd25519:
        CHECK(pem->secret.size() == 32);
        break;
    }
    // Our PKCS#8 encoding is byte-identical to openssl's (k.pem is PKCS#8;
    // `openssl pkey -outform DER` wrote the legacy SEC1/PKCS#1 form to k.der).
    auto blocks = parse_pem(read_file(dir + "/k.pem"));
    REQUIRE(blocks.ok());
    auto enc = encode_pkcs8(*pem);
    REQUIRE(enc.ok());
    CHECK(*enc == blocks->front().der);
    if (k.legacy) {
      REQUIRE(sh(dir, k.legacy) == 0);
      std::string legacy = read_file(dir + "/legacy.pem");
      CHECK(legacy.find(k.type == crypto::KeyType::kRsa ? "RSA PRIVATE KEY" : "EC PRIVATE KEY") !=
            std::string::npos);
      auto l = parse_private_key_pem(legacy);
      REQUIRE(l.ok());
      CHECK(l->type == k.type);
      CHECK(std::ranges::equal(l->secret.span(), pem->secret.span()));
      CHECK(std::ranges::equal(l->rsa_d.span(), pem->rsa_d.span()));
      // Legacy DER is recognised without a label too.
      REQUIRE(sh(dir, std::string(k.type == crypto::KeyType::kRsa ? "openssl rsa -traditional"
                                                                 : "openssl ec") +
                          " -in k.pem -outform DER -out legacy.der") == 0);
      auto ld = parse_private_key_der(read_bytes(dir + "/legacy.der"));
      REQUIRE(ld.ok());
      CHECK(ld->type == k.type);
    }
  }
}

TEST_CASE("keys: refused inputs") {
  std::string dir = scratch("keys_bad");
  REQUIRE(sh(dir, "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out k.pem && "
                  "openssl pkcs8 -topk8 -in k.pem -passout pass:x -out enc.pem && "
                  "openssl genpkey -algorithm X25519 -out x.pem && "
                  "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1 -out k1.pem && "
                  "openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 "
                  "-pkeyopt rsa_pss_keygen_md:sha256 -out pss_mgf_sha1.pem") == 0);
  auto enc = parse_private_key_pem(read_file(dir + "/enc.pem"));
  REQUIRE_FALSE(enc.ok());
  CHECK(std::string(enc.error().detail) == "keys: encrypted private keys are not supported");
  auto x = parse_private_key_pem(read_file(dir + "/x.pem"));
  REQUIRE_FALSE(x.ok());
  CHECK(std::string(x.error().detail) == "keys: unsupported private key algorithm");
  auto k1 = parse_private_key_pem(read_file(dir + "/k1.pem"));
  REQUIRE_FALSE(k1.ok());
  CHECK(k1.error().reason == Reason::kConfiguration);
  // RSASSA-PSS parameters that leave MGF1 at its SHA-1 default fit no TLS
  // scheme (openssl writes them when given only rsa_pss_keygen_md).
  auto pss_sha1 = parse_private_key_pem(read_file(dir + "/pss_mgf_sha1.pem"));
  REQUIRE_FALSE(pss_sha1.ok());
  CHECK(pss_sha1.error().reason == Reason::kConfiguration);
  CHECK(std::string(pss_sha1.error().detail) == "pss: default MGF1-SHA-1");
  CHECK_FALSE(parse_private_key_pem(pem_encode("CERTIFICATE", V{1})).ok());
  // Every truncation of a valid key fails cleanly.
  auto blocks = parse_pem(read_file(dir + "/k.pem"));
  REQUIRE(blocks.ok());
  const V& der = blocks->front().der;
  for (size_t n = 0; n < der.size(); ++n) CHECK_FALSE(parse_private_key_der(Bytes(der).first(n)).ok());
}

TEST_CASE("keys: the RFC 8448 server key parses") {
  std::string path;
  for (const char* p : {"external/shared_vectors/rfc8448/server_key.pem",
                        "../shared_vectors/rfc8448/server_key.pem"})
    if (testing::file_exists(p)) path = p;
  if (path.empty()) {
    MESSAGE("RFC 8448 vectors absent: skipped");
    return;
  }
  auto k = parse_private_key_pem(read_file(path));
  if (!k.ok()) FAIL(std::string(k.error().detail));
  CHECK(k->type == crypto::KeyType::kRsa);
  CHECK(k->rsa_n.size() == 128);
  CHECK(k->rsa_p.size() == 64);
}

}  // namespace
}  // namespace sluice::pki
