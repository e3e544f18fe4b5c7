// Certificate chains made by the openssl command line at test time:
// root -> [int1 -> [int2]] -> leaf, each with the extensions given.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/pki/test_util.h"

namespace sluice::pki::testing {

inline const char* kRsaKey = "-newkey rsa:2048";
inline const char* kEcKey = "-newkey ec -pkeyopt ec_paramgen_curve:P-256";
inline const char* kEc384Key = "-newkey ec -pkeyopt ec_paramgen_curve:P-384";
inline const char* kEdKey = "-newkey ed25519";
inline const char* kEc521Key = "-newkey ec -pkeyopt ec_paramgen_curve:P-521";
// id-RSASSA-PSS keys without parameters. openssl signs with them using PSS,
// and only a salt as long as the hash fits TLS (RFC 8446 §4.2.3), hence
// kPssDigest for the certificates they sign.
inline const char* kRsaPssKey = "-newkey rsa-pss -pkeyopt rsa_keygen_bits:2048";
inline const char* kPssDigest = "-sha256 -sigopt rsa_pss_saltlen:digest";

inline const char* kCaExt = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n";
inline const char* kLeafExt =
    "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
    "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:example.com,DNS:www.example.com,IP:127.0.0.1\n";

struct ChainSpec {
  const char* key = kRsaKey;
  const char* digest = "-sha256";
  std::string root_ext = kCaExt;
  std::string int1_ext = kCaExt;  // empty: the root signs the next one
  std::string int2_ext;           // empty: no second intermediate
  std::string leaf_ext = kLeafExt;
  int days = 30;
  std::string root_cn = "Root";
};

// spec_with returns the default spec with another key, digest and root name.
inline ChainSpec spec_with(const char* key, const char* digest = "-sha256", const char* root_cn = "Root") {
  ChainSpec s;
  s.key = key;
  s.digest = digest;
  s.root_cn = root_cn;
  return s;
}

struct Chain {
  std::string dir;
  std::vector<uint8_t> root;
  std::vector<std::vector<uint8_t>> intermediates;  // issuer of the leaf first
  std::vector<uint8_t> leaf;
  // peer is the chain as a peer sends it: leaf, then intermediates.
  std::vector<std::vector<uint8_t>> peer() const {
    std::vector<std::vector<uint8_t>> out = {leaf};
    out.insert(out.end(), intermediates.begin(), intermediates.end());
    return out;
  }
};

// make_chain runs openssl in `dir`; any failure stops the test.
inline Chain make_chain(const std::string& dir, const ChainSpec& s) {
  std::string days = " -days " + std::to_string(s.days) + " ";
  write_file(dir + "/root.ext", s.root_ext);
  write_file(dir + "/int1.ext", s.int1_ext);
  write_file(dir + "/int2.ext", s.int2_ext);
  write_file(dir + "/leaf.ext", s.leaf_ext);
  std::string key = std::string(s.key) + " -nodes ";
  // Root: a fresh config so only root.ext applies.
  std::string cmd = "printf '[req]\\ndistinguished_name=dn\\nx509_extensions=v3\\n[dn]\\n[v3]\\n' > req.cnf && "
        "cat root.ext >> req.cnf && openssl req -x509 -config req.cnf " + key + s.digest + days +
        "-keyout root.key -out root.pem -subj '/CN=" + s.root_cn + "'";
  REQUIRE(sh(dir, cmd) == 0);
  std::string issuer = "root";
  std::vector<std::string> names;
  if (!s.int1_ext.empty()) names.push_back("int1");
  if (!s.int2_ext.empty()) names.push_back("int2");
  names.push_back("leaf");
  for (const std::string& n : names) {
    std::string c = "openssl req -new -config req.cnf " + key + "-keyout " + n + ".key -out " + n +
                    ".csr -subj /CN=" + n + " && openssl x509 -req -in " + n + ".csr -CA " + issuer +
                    ".pem -CAkey " + issuer + ".key -set_serial " + std::to_string(names.size() + n.size()) +
                    " " + s.digest + days + "-extfile " + n + ".ext -out " + n + ".pem";
    REQUIRE(sh(dir, c) == 0);
    issuer = n;
  }
  Chain out;
  out.dir = dir;
  auto der = [&](const std::string& n) {
    REQUIRE(sh(dir, "openssl x509 -in " + n + ".pem -outform DER -out " + n + ".der") == 0);
    return read_bytes(dir + "/" + n + ".der");
  };
  out.root = der("root");
  for (auto it = names.rbegin() + 1; it != names.rend(); ++it) out.intermediates.push_back(der(*it));
  out.leaf = der("leaf");
  return out;
}

}  // namespace sluice::pki::testing
