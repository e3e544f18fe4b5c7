// Certificates for interop tests, made at test time by the openssl command
// line: one P-256 CA, and per key type a leaf it signed for localhost and
// 127.0.0.1 (serverAuth, CA:FALSE), so every peer can verify the chain the
// ordinary way (-CAfile / --x509cafile / --cacert).
#pragma once

#include <memory>
#include <string>

#include "core/context.h"
#include "crypto/algorithms.h"

namespace sluice::interop {

struct LeafFiles {
  crypto::KeyType type;
  std::string cert_pem;  // path of the leaf certificate
  std::string key_pem;   // path of its private key
  std::string ca_pem;    // path of the CA certificate at the top of its chain
  // path of the intermediates between the leaf and that CA, nearest the
  // leaf first; empty when the CA signed the leaf
  std::string intermediates_pem;
};

// leaf_for makes (once per process) a leaf of `type`; aborts the test
// binary with a message when openssl is missing or fails.
const LeafFiles& leaf_for(crypto::KeyType type);
// client_leaf_for is the same for a client certificate (clientAuth, CN
// "sluice interop client"), signed by the same CA.
const LeafFiles& client_leaf_for(crypto::KeyType type);

// client_leaf_behind is a P-256 client certificate (CN "sluice interop
// deep client") issued through `intermediates` CAs below the same CA.
const LeafFiles& client_leaf_behind(size_t intermediates);

// ocsp_response_for makes (once per leaf) a DER OCSP response about `leaf`
// signed by its CA (`openssl ocsp` over an empty index: status "unknown",
// which is all a staple test needs) and returns its path.
const std::string& ocsp_response_for(const LeafFiles& leaf);

// short_name is "ed25519", "p256", "p384" or "rsa".
std::string short_name(crypto::KeyType type);

// server_context serves `leaf` with sluice's default provider.
std::shared_ptr<Context> server_context(const LeafFiles& leaf);
// client_context verifies servers against `ca_pem` with the WebPKI verifier.
std::shared_ptr<Context> client_context(const std::string& ca_pem);

}  // namespace sluice::interop
