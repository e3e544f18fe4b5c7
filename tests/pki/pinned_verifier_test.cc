#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "pki/pinned_verifier.h"
#include "tests/pki/test_util.h"

namespace sluice::pki {
namespace {

using testing::read_bytes;
using testing::read_file;
using testing::scratch;
using testing::sh;
using V = std::vector<uint8_t>;

TEST_CASE("pinned verifier: exact certificate only") {
  std::string dir = scratch("pinned");
  REQUIRE(sh(dir, "for n in a b; do openssl req -x509 -nodes -newkey ec -pkeyopt "
                  "ec_paramgen_curve:P-256 -keyout $n.key -out $n.pem -days 1 -subj /CN=$n && "
                  "openssl x509 -in $n.pem -outform DER -out $n.der; done") == 0);
  V a = read_bytes(dir + "/a.der"), b = read_bytes(dir + "/b.der");
  auto pinned = PinnedVerifier::from_pem(read_file(dir + "/a.pem"));
  REQUIRE(pinned.ok());
  const CertificateVerifier& v = *pinned;

  std::vector<V> good = {a, b};  // extra certificates after the pinned one are ignored
  CertificateRequest req;
  req.chain = good;
  req.server_name = "anything";
  auto accepted = v.verify(req);
  REQUIRE(accepted.ok());
  // The token carries the pinned certificate's key.
  CHECK(accepted->end_entity_key().type == crypto::KeyType::kEcdsaP256);
  CHECK(accepted->end_entity_key().point.size() == 65);

  std::vector<V> wrong = {b, a};
  req.chain = wrong;
  auto r = v.verify(req);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().reason == Reason::kBadCertificate);
  CHECK(r.error().alert == Alert::kBadCertificate);

  std::vector<V> none;
  req.chain = none;
  CHECK(v.verify(req).error().reason == Reason::kBadCertificate);

  V flipped = a;
  flipped.back() ^= 1;
  std::vector<V> tampered = {flipped};
  req.chain = tampered;
  CHECK_FALSE(v.verify(req).ok());
}

}  // namespace
}  // namespace sluice::pki
