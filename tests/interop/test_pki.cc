#include "tests/interop/test_pki.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>

#include "crypto/composite/composite_provider.h"
#include "pki/keys.h"
#include "pki/pem.h"
#include "pki/webpki_verifier.h"
#include "tests/interop/peer_process.h"

namespace sluice::interop {

namespace {

std::string tmpdir() {
  const char* t = std::getenv("TEST_TMPDIR");
  return t && *t ? t : "/tmp";
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "interop test setup failed: %s\n", what.c_str());
  std::abort();
}

void must(const std::vector<std::string>& argv) {
  if (!find_in_path(argv[0])) die(argv[0] + " is not installed (Debian package openssl); CI installs it");
  auto r = run_command(argv);
  if (r.status != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += a + " ";
    die("command failed: " + cmd + "\n" + r.output);
  }
}

const std::string& ca_dir() {
  static const std::string dir = [] {
    const std::string d = tmpdir() + "/interop-ca";
    must({"mkdir", "-p", d});
    must({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
          "-subj", "/CN=sluice interop CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
          "keyUsage=critical,keyCertSign,cRLSign", "-keyout", d + "/ca.key", "-out", d + "/ca.pem"});
    return d;
  }();
  return dir;
}

LeafFiles make_leaf(crypto::KeyType type, bool client) {
  const std::string ca = ca_dir();
  const std::string d = tmpdir() + "/interop-" + short_name(type) + (client ? "-client" : "");
  must({"mkdir", "-p", d});
  std::vector<std::string> genkey = {"openssl", "genpkey", "-out", d + "/key.pem"};
  switch (type) {
    case crypto::KeyType::kEd25519: genkey.insert(genkey.end(), {"-algorithm", "ed25519"}); break;
    case crypto::KeyType::kEcdsaP256:
      genkey.insert(genkey.end(), {"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"});
      break;
    case crypto::KeyType::kEcdsaP384:
      genkey.insert(genkey.end(), {"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"});
      break;
    case crypto::KeyType::kRsa: genkey.insert(genkey.end(), {"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"}); break;
    case crypto::KeyType::kEcdsaP521:
      genkey.insert(genkey.end(), {"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"});
      break;
    case crypto::KeyType::kRsaPss:
      genkey.insert(genkey.end(), {"-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048"});
      break;
  }
  must(genkey);
  {
    std::ofstream ext(d + "/ext.cnf");
    // NSS verifying a TLS server certificate with an RSA key wants
    // keyEncipherment beside digitalSignature (as RSA leaves in the wild
    // carry), even for ECDHE suites that never encrypt to the key. An
    // RSASSA-PSS key may not carry it (RFC 4055 §1.2).
    const bool rsa = type == crypto::KeyType::kRsa;
    ext << "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
           "basicConstraints=critical,CA:FALSE\n"
        << (rsa ? "keyUsage=critical,digitalSignature,keyEncipherment\n" : "keyUsage=critical,digitalSignature\n")
        << "extendedKeyUsage=" << (client ? "clientAuth" : "serverAuth") << "\n";
  }
  must({"openssl", "req", "-new", "-key", d + "/key.pem", "-subj", client ? "/CN=sluice interop client" : "/CN=localhost",
        "-out", d + "/leaf.csr"});
  must({"openssl", "x509", "-req", "-in", d + "/leaf.csr", "-CA", ca + "/ca.pem", "-CAkey", ca + "/ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", d + "/ext.cnf", "-out", d + "/cert.pem"});
  return LeafFiles{type, d + "/cert.pem", d + "/key.pem", ca + "/ca.pem", ""};
}

std::string slurp(const std::string& path) {
  auto t = pki::read_text_file(path);
  if (!t) die("cannot read " + path);
  return *t;
}

// issue_ec_certificate makes a P-256 key `dir`/NAME.key and a certificate
// `dir`/NAME.pem for `subject` with the extensions `ext`, signed by
// issuer_pem/issuer_key.
void issue_ec_certificate(const std::string& dir, const std::string& name, const std::string& subject,
                          const std::string& ext, const std::string& issuer_pem, const std::string& issuer_key) {
  const std::string base = dir + "/" + name;
  must({"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", base + ".key"});
  std::ofstream(base + ".cnf") << ext;
  must({"openssl", "req", "-new", "-key", base + ".key", "-subj", subject, "-out", base + ".csr"});
  must({"openssl", "x509", "-req", "-in", base + ".csr", "-CA", issuer_pem, "-CAkey", issuer_key, "-CAcreateserial",
        "-days", "2", "-extfile", base + ".cnf", "-out", base + ".pem"});
}

LeafFiles make_client_behind(size_t intermediates) {
  const std::string ca = ca_dir();
  const std::string d = tmpdir() + "/interop-deep-client-" + std::to_string(intermediates);
  must({"mkdir", "-p", d});
  std::string issuer_pem = ca + "/ca.pem", issuer_key = ca + "/ca.key";
  std::string chain;  // intermediates, nearest the leaf first
  for (size_t i = 1; i <= intermediates; ++i) {
    const std::string name = "intermediate" + std::to_string(i);
    issue_ec_certificate(d, name, "/CN=sluice interop intermediate " + std::to_string(i),
                         "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n", issuer_pem,
                         issuer_key);
    issuer_pem = d + "/" + name + ".pem";
    issuer_key = d + "/" + name + ".key";
    chain = slurp(issuer_pem) + chain;
  }
  issue_ec_certificate(d, "leaf", "/CN=sluice interop deep client",
                       "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                       "extendedKeyUsage=clientAuth\n",
                       issuer_pem, issuer_key);
  std::ofstream(d + "/intermediates.pem") << chain;
  return LeafFiles{crypto::KeyType::kEcdsaP256, d + "/leaf.pem", d + "/leaf.key", ca + "/ca.pem",
                   intermediates ? d + "/intermediates.pem" : ""};
}

}  // namespace

std::string short_name(crypto::KeyType type) {
  switch (type) {
    case crypto::KeyType::kEd25519: return "ed25519";
    case crypto::KeyType::kEcdsaP256: return "p256";
    case crypto::KeyType::kEcdsaP384: return "p384";
    case crypto::KeyType::kRsa: return "rsa";
    case crypto::KeyType::kEcdsaP521: return "p521";
    case crypto::KeyType::kRsaPss: return "rsa-pss";
  }
  return "?";
}

const LeafFiles& leaf_for(crypto::KeyType type) {
  static std::mutex mu;
  static std::map<crypto::KeyType, LeafFiles> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(type);
  if (it == cache.end()) it = cache.emplace(type, make_leaf(type, false)).first;
  return it->second;
}

const LeafFiles& client_leaf_for(crypto::KeyType type) {
  static std::mutex mu;
  static std::map<crypto::KeyType, LeafFiles> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(type);
  if (it == cache.end()) it = cache.emplace(type, make_leaf(type, true)).first;
  return it->second;
}

const LeafFiles& client_leaf_behind(size_t intermediates) {
  static std::mutex mu;
  static std::map<size_t, LeafFiles> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(intermediates);
  if (it == cache.end()) it = cache.emplace(intermediates, make_client_behind(intermediates)).first;
  return it->second;
}

const std::string& ocsp_response_for(const LeafFiles& leaf) {
  static std::mutex mu;
  static std::map<std::string, std::string> cache;  // by the leaf's path
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(leaf.cert_pem);
  if (it != cache.end()) return it->second;
  if (!leaf.intermediates_pem.empty()) die("ocsp_response_for: only leaves the CA signed itself");
  const std::string ca = ca_dir();
  const std::string base = leaf.cert_pem.substr(0, leaf.cert_pem.rfind('/')) + "/ocsp";
  std::ofstream(base + "-index.txt");  // no certificate listed: status unknown
  must({"openssl", "ocsp", "-issuer", ca + "/ca.pem", "-cert", leaf.cert_pem, "-no_nonce", "-reqout",
        base + "-request.der"});
  must({"openssl", "ocsp", "-index", base + "-index.txt", "-rsigner", ca + "/ca.pem", "-rkey", ca + "/ca.key", "-CA",
        ca + "/ca.pem", "-reqin", base + "-request.der", "-respout", base + "-response.der", "-ndays", "1"});
  return cache.emplace(leaf.cert_pem, base + "-response.der").first->second;
}

std::shared_ptr<Context> server_context(const LeafFiles& leaf) {
  auto provider = crypto::default_provider();
  auto ctx = std::make_shared<Context>(Role::kServer, provider);
  auto chain = pki::pem_certificates(slurp(leaf.cert_pem));
  auto key = pki::parse_private_key_pem(slurp(leaf.key_pem));
  if (!chain || !key) die("cannot parse " + leaf.cert_pem + " / " + leaf.key_pem);
  auto signer = provider->new_signer(*key);
  if (!signer) die("the default provider cannot sign with " + leaf.key_pem);
  ctx->set_certificate({std::move(*chain), std::shared_ptr<crypto::Signer>(std::move(*signer))});
  return ctx;
}

std::shared_ptr<Context> client_context(const std::string& ca_pem) {
  auto provider = crypto::default_provider();
  auto ctx = std::make_shared<Context>(Role::kClient, provider);
  auto v = pki::WebPkiVerifier::from_file(provider, ca_pem);
  if (!v) die("WebPkiVerifier cannot load " + ca_pem);
  ctx->set_verifier(std::shared_ptr<const CertificateVerifier>(std::move(*v)));
  return ctx;
}

}  // namespace sluice::interop
