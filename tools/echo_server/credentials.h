// Credentials for tools/echo_server and bench/server_loops: an Ed25519
// root -> intermediate -> leaf chain for localhost, 127.0.0.1 and ::1 made
// on the spot (or a --cert/--key pair from disk), with the server Context
// serving it and a client Context that validates it to the root.
#pragma once

#include <memory>
#include <string>

#include "core/context.h"

namespace sluice::tools {

struct Credentials {
  std::shared_ptr<Context> server;  // serves the chain
  std::shared_ptr<Context> client;  // trusts the root (or pins the given leaf)
  // client_pinned pins the leaf instead of validating the chain: a load
  // generator's clients then cost one signature check per handshake (the
  // CertificateVerify), so the server, not the client, is what is measured.
  std::shared_ptr<Context> client_pinned;
  std::string root_pem;             // the root, for curl --cacert / openssl -CAfile
};

// make_credentials generates a fresh chain. Fails only if the provider does.
[[nodiscard]] TlsResult<Credentials> make_credentials();
// load_credentials serves the PEM chain and key at the given paths; the
// client context then pins the leaf.
[[nodiscard]] TlsResult<Credentials> load_credentials(const std::string& cert_pem, const std::string& key_pem);

}  // namespace sluice::tools
