// The parameter matrix shared by the interop tests, with each peer's
// spelling of a group.
#pragma once

#include <string>
#include <vector>

#include "crypto/algorithms.h"

namespace sluice::interop {

inline const std::vector<crypto::Group> kGroups = {crypto::Group::kX25519, crypto::Group::kSecp256r1,
                                                   crypto::Group::kSecp384r1};
inline const std::vector<crypto::KeyType> kKeyTypes = {crypto::KeyType::kEd25519, crypto::KeyType::kEcdsaP256,
                                                       crypto::KeyType::kEcdsaP384, crypto::KeyType::kRsa};

// openssl -groups / curl --curves names.
inline std::string openssl_group(crypto::Group g) {
  switch (g) {
    case crypto::Group::kX25519: return "X25519";
    case crypto::Group::kSecp256r1: return "P-256";
    case crypto::Group::kSecp384r1: return "P-384";
    case crypto::Group::kSecp521r1: return "P-521";
  }
  return "?";
}

// How openssl s_client reports the server's key share ("Server Temp Key: ...").
inline std::string openssl_temp_key(crypto::Group g) {
  switch (g) {
    case crypto::Group::kX25519: return "Server Temp Key: X25519";
    case crypto::Group::kSecp256r1: return "Server Temp Key: ECDH, prime256v1";
    case crypto::Group::kSecp384r1: return "Server Temp Key: ECDH, secp384r1";
    case crypto::Group::kSecp521r1: return "Server Temp Key: ECDH, secp521r1";
  }
  return "?";
}

// GnuTLS priority-string names.
inline std::string gnutls_group(crypto::Group g) {
  switch (g) {
    case crypto::Group::kX25519: return "GROUP-X25519";
    case crypto::Group::kSecp256r1: return "GROUP-SECP256R1";
    case crypto::Group::kSecp384r1: return "GROUP-SECP384R1";
    case crypto::Group::kSecp521r1: return "GROUP-SECP521R1";
  }
  return "?";
}

// A GnuTLS priority string for TLS 1.3 only, with exactly one group.
inline std::string gnutls_priority(crypto::Group g) {
  return "NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+" + gnutls_group(g);
}

inline const std::vector<std::pair<uint16_t, std::string>> kSuites = {
    {0x1301, "TLS_AES_128_GCM_SHA256"},
    {0x1302, "TLS_AES_256_GCM_SHA384"},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
};

// A payload that is not trivially symmetric, with some size to it (it spans
// several records), and no newline until the end (for line-based peers).
inline std::string payload(size_t n, const std::string& tag) {
  std::string s = "sluice-interop-" + tag + ":";
  for (size_t i = 0; s.size() < n; ++i) s += static_cast<char>('a' + (i * 7) % 26);
  s.resize(n);
  return s;
}

}  // namespace sluice::interop
