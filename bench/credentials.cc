// The certificate chains both engines serve, made once per key type.
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>

#include "bench/tls_engine.h"
#include "crypto/composite/composite_provider.h"
#include "pki/certgen.h"

namespace sluice::bench {

const Credentials& credentials(crypto::KeyType type) {
  static std::map<crypto::KeyType, Credentials> made;
  auto it = made.find(type);
  if (it != made.end()) return it->second;
  pki::CertSpec spec;
  spec.common_name = kHostName;
  spec.dns_names = {kHostName};
  spec.not_before = std::time(nullptr) - 3600;
  spec.not_after = spec.not_before + 7 * 86400;
  auto chain = pki::generate_chain(*crypto::default_provider(), type, spec, 2048);
  if (!chain) {
    std::fprintf(stderr, "tls_bench: certificate generation failed for %s\n",
                 std::string(crypto::name(type)).c_str());
    std::exit(1);
  }
  auto pem = chain->leaf.key_pem();
  if (!pem) {
    std::fprintf(stderr, "tls_bench: cannot encode the leaf key\n");
    std::exit(1);
  }
  Credentials c{type, chain->root.der, chain->peer_chain(), chain->leaf.key.copy(), *pem};
  return made.emplace(type, std::move(c)).first->second;
}

}  // namespace sluice::bench
