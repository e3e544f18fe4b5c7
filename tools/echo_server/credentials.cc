#include "tools/echo_server/credentials.h"

#include <ctime>

#include "crypto/composite/composite_provider.h"
#include "pki/certgen.h"
#include "pki/keys.h"
#include "pki/pem.h"
#include "pki/pinned_verifier.h"
#include "pki/webpki_verifier.h"

namespace sluice::tools {

namespace {

TlsResult<std::shared_ptr<Context>> server_context(std::shared_ptr<const crypto::Provider> p,
                                                   std::vector<std::vector<uint8_t>> chain,
                                                   const crypto::PrivateKeyMaterial& key) {
  auto signer = p->new_signer(key);
  if (!signer) return Err(Error(signer.error()));
  auto ctx = std::make_shared<Context>(Role::kServer, p);
  ctx->set_certificate({std::move(chain), std::shared_ptr<crypto::Signer>(std::move(*signer))});
  ctx->set_alpn({"http/1.1"});
  return ctx;
}

}  // namespace

TlsResult<Credentials> make_credentials() {
  auto p = crypto::default_provider();
  pki::CertSpec spec;
  spec.common_name = "localhost";
  spec.dns_names = {"localhost"};
  spec.ip_addresses = {"127.0.0.1", "::1"};
  spec.not_before = std::time(nullptr) - 60;
  spec.not_after = spec.not_before + 7 * 86400;
  // Ed25519: with the default provider a full handshake costs about a fifth
  // of a P-256 one (docs/benchmarks.md), and curl and openssl accept it.
  auto chain = SLUICE_TRY(pki::generate_chain(*p, crypto::KeyType::kEd25519, spec));
  Credentials c;
  c.server = SLUICE_TRY(server_context(p, chain.peer_chain(), chain.leaf.key));
  std::vector<std::vector<uint8_t>> roots = {chain.root.der};
  auto verifier = SLUICE_TRY(pki::WebPkiVerifier::from_certificates(p, roots));
  c.client = std::make_shared<Context>(Role::kClient, p);
  c.client->set_verifier(std::shared_ptr<const CertificateVerifier>(std::move(verifier)));
  c.client->set_alpn({"http/1.1"});
  c.root_pem = chain.root.cert_pem();
  c.client_pinned = std::make_shared<Context>(Role::kClient, p);
  c.client_pinned->set_verifier(std::make_shared<pki::PinnedVerifier>(chain.leaf.der));
  return c;
}

TlsResult<Credentials> load_credentials(const std::string& cert_pem, const std::string& key_pem) {
  auto p = crypto::default_provider();
  const std::string certs_text = SLUICE_TRY(pki::read_text_file(cert_pem));
  const std::string key_text = SLUICE_TRY(pki::read_text_file(key_pem));
  auto certs = SLUICE_TRY(pki::pem_certificates(certs_text));
  if (certs.empty()) return Err(Error(Reason::kConfiguration, "no CERTIFICATE block in --cert"));
  auto key = SLUICE_TRY(pki::parse_private_key_pem(key_text));
  Credentials c;
  c.client = std::make_shared<Context>(Role::kClient, p);
  // The issuer of a given certificate is not known here: pin the leaf.
  c.client->set_verifier(std::make_shared<pki::PinnedVerifier>(certs.front()));
  c.client_pinned = c.client;
  c.server = SLUICE_TRY(server_context(p, std::move(certs), key));
  return c;
}

}  // namespace sluice::tools
