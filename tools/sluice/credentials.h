// Credentials for the tools: the server's certificate and key, and the
// client's verifier, from PEM files.
#pragma once

#include <memory>
#include <string>

#include "core/context.h"
#include "crypto/provider.h"
#include "pki/webpki_verifier.h"

namespace sluice::tool {

// load_certified_key reads a PEM chain and a PEM private key.
[[nodiscard]] bool load_certified_key(const crypto::Provider& provider, const std::string& cert_path,
                                      const std::string& key_path, CertifiedKey& out, std::string& out_error);

// generate_self_signed makes a fresh P-256 certificate for localhost and
// 127.0.0.1 and writes cert.pem / key.pem into a new temporary directory
// (returned in out_dir so a client can pin the certificate).
//
// pki/certgen does not exist yet, so this runs the `openssl` command line
// (only the CLI: the tool never links libssl). Switch to pki/certgen once
// it builds.
[[nodiscard]] bool generate_self_signed(std::string& out_dir, std::string& out_error);

// make_verifier builds the client's verifier: the WebPKI verifier over the
// CA bundle at `ca_file`, or a pin of the first certificate in `pin_file`.
// `max_intermediates` bounds the WebPKI paths (openssl's verify depth).
[[nodiscard]] std::shared_ptr<const CertificateVerifier> make_verifier(
    std::shared_ptr<const crypto::Provider> provider, const std::string& ca_file, const std::string& pin_file,
    std::string& out_error, size_t max_intermediates = pki::kMaxIntermediates);

// ca_names reads the subjects (DER Names) of the certificates in the PEM
// file `ca_file`: the CAs a server names in its CertificateRequest, as
// openssl s_server does with its -CAfile.
[[nodiscard]] bool ca_names(const std::string& ca_file, std::vector<std::vector<uint8_t>>& out,
                            std::string& out_error);

// verify_as checks chains with `inner` against `name` where the name is
// `sni`, the name sent as SNI (s_client -verify_hostname, or
// -noservername); any other name (an ECH config's public name) as it is.
[[nodiscard]] std::shared_ptr<const CertificateVerifier> verify_as(std::shared_ptr<const CertificateVerifier> inner,
                                                                   std::string sni, std::string name);

}  // namespace sluice::tool
