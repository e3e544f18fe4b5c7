// The system trust bundle (Debian's ca-certificates). No network: the test
// checks that the bundle loads, that every root parses, and that each
// self-signed root we can check validates as a one-certificate chain
// against the whole bundle (it is its own anchor).
#include <doctest/doctest.h>

#include "crypto/composite/composite_provider.h"
#include "pki/pem.h"
#include "pki/webpki_verifier.h"
#include "pki/x509.h"
#include "tests/pki/test_util.h"

namespace sluice::pki {
namespace {

TEST_CASE("bundle: the system bundle loads and its roots validate as their own anchors") {
  if (!testing::file_exists(kSystemBundlePath)) {
    MESSAGE("no system bundle (install ca-certificates): skipped");
    return;
  }
  auto text = read_text_file(kSystemBundlePath);
  REQUIRE(text.ok());
  auto certs = pem_certificates(*text);
  REQUIRE(certs.ok());
  CHECK(certs->size() > 100);
  auto provider = crypto::default_provider();
  auto v = WebPkiVerifier::from_file(provider);
  REQUIRE(v.ok());

  size_t parsed = 0, checked = 0, validated = 0, unsupported_sig = 0, mixed_ecdsa = 0;
  for (const auto& der : *certs) {
    auto c = parse_certificate(der);
    if (!c.ok()) {
      FAIL_CHECK("root does not parse: " << std::string(c.error().detail));
      continue;
    }
    ++parsed;
    // Checkable: self-signed with an algorithm and key we verify, no unknown
    // critical extension, and usable for clientAuth (no name is checked then).
    bool rsa_small = c->public_key.type == crypto::KeyType::kRsa && c->public_key.rsa_n.size() < 256;
    // (ECDSA P-384 keys signing with SHA-256 have no provider SignatureScheme;
    // see scheme_for.)
    bool no_scheme = c->sig_alg_supported && c->key_supported &&
                     !scheme_for(c->sig_alg, c->public_key.type).has_value();
    if (no_scheme) ++mixed_ecdsa;
    if (!c->self_issued() || !c->sig_alg_supported || !c->key_supported || rsa_small || no_scheme ||
        c->unknown_critical_extension || (c->has_eku && !c->eku_client_auth && !c->eku_any)) {
      if (!c->sig_alg_supported) ++unsupported_sig;
      continue;
    }
    ++checked;
    std::vector<std::vector<uint8_t>> chain = {der};
    CertificateRequest req;
    req.chain = chain;
    req.now = c->not_before + 1;
    req.peer_is_server = false;
    auto r = (*v)->verify(req);
    if (r.ok()) {
      ++validated;
    } else {
      FAIL_CHECK(c->subject_cn << ": " << std::string(r.error().detail));
    }
    // One second after expiry the same chain is refused.
    req.now = c->not_after + 1;
    CHECK((*v)->verify(req).error().reason == Reason::kCertificateExpired);
  }
  MESSAGE("bundle: " << certs->size() << " certificates, " << parsed << " parse, "
                     << (*v)->anchor_count() << " anchors (" << (*v)->skipped_count()
                     << " skipped), " << checked << " self-signed roots checked, " << validated
                     << " validate, " << unsupported_sig << " use an unsupported signature algorithm, " << mixed_ecdsa
                     << " sign with a curve/hash pair the provider has no scheme for");
  CHECK(parsed == certs->size());
  CHECK((*v)->anchor_count() == certs->size() - (*v)->skipped_count());
  CHECK(checked > 50);
  CHECK(validated == checked);
}

}  // namespace
}  // namespace sluice::pki
