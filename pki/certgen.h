// Certificate generation: self-signed certificates and CA -> intermediate ->
// leaf chains, for tests, demos and the command-line tool. Keys come from
// Provider::generate_key and signatures from Provider::new_signer, so any
// provider that can sign can issue.
//
// What is written: X.509 v3, a random positive 128-bit serial, CN-only
// names, basicConstraints (critical), keyUsage (critical; keyCertSign and
// cRLSign for CAs, digitalSignature (+ keyEncipherment for RSA) for leaves),
// extKeyUsage for leaves, subjectAltName (DNS and IP), and subject/authority
// key identifiers. RSA certificates are signed sha256WithRSAEncryption,
// RSA-PSS ones RSASSA-PSS (SHA-256 or the key's own hash, MGF1 of it, salt =
// hash length), P-256 ecdsa-with-SHA256, P-384 ecdsa-with-SHA384, P-521
// ecdsa-with-SHA512, Ed25519 Ed25519. An RSA-PSS key is written as
// id-RSASSA-PSS, with parameters only when it is restricted to one hash.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "crypto/provider.h"

namespace sluice::pki {

// CertSpec describes the certificate to issue.
struct CertSpec {
  std::string common_name = "sluice";
  std::vector<std::string> dns_names;
  // IP literals ("127.0.0.1", "::1"), written as iPAddress SANs.
  std::vector<std::string> ip_addresses;
  int64_t not_before = 0;  // seconds since the epoch
  int64_t not_after = 0;
  bool is_ca = false;
  std::optional<uint32_t> path_len;  // CAs only
  bool server_auth = true;           // leaves only: extKeyUsage purposes
  bool client_auth = false;
};

// GeneratedCert is a certificate with its private key.
struct GeneratedCert {
  std::vector<uint8_t> der;
  crypto::PrivateKeyMaterial key;

  // cert_pem is the certificate as a CERTIFICATE PEM block.
  std::string cert_pem() const;
  // key_pem is the private key as a PKCS#8 "PRIVATE KEY" PEM block.
  [[nodiscard]] TlsResult<std::string> key_pem() const;
};

// generate_key makes a new key of `type` through `provider`.
[[nodiscard]] TlsResult<crypto::PrivateKeyMaterial> generate_key(const crypto::Provider& provider,
                                                                crypto::KeyType type,
                                                                unsigned rsa_bits = 2048);

// issue_certificate issues a certificate for `subject_key`, signed by
// `issuer` (or self-signed when issuer is null).
[[nodiscard]] TlsResult<GeneratedCert> issue_certificate(const crypto::Provider& provider,
                                                        crypto::PrivateKeyMaterial subject_key,
                                                        const CertSpec& spec,
                                                        const GeneratedCert* issuer);

// generate_self_signed makes a key and a self-signed certificate.
[[nodiscard]] TlsResult<GeneratedCert> generate_self_signed(const crypto::Provider& provider,
                                                           crypto::KeyType type, const CertSpec& spec,
                                                           unsigned rsa_bits = 2048);

// GeneratedChain is a root CA, an intermediate CA and a leaf, all of one key
// type.
struct GeneratedChain {
  GeneratedCert root, intermediate, leaf;
  // peer_chain is what a TLS peer sends: leaf then intermediate.
  std::vector<std::vector<uint8_t>> peer_chain() const { return {leaf.der, intermediate.der}; }
};

// generate_chain issues root -> intermediate (pathLen 0) -> leaf for `leaf_spec`
// (its validity window is used for all three).
[[nodiscard]] TlsResult<GeneratedChain> generate_chain(const crypto::Provider& provider,
                                                      crypto::KeyType type, const CertSpec& leaf_spec,
                                                      unsigned rsa_bits = 2048);

}  // namespace sluice::pki
