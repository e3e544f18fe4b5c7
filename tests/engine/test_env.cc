#include "tests/engine/test_env.h"

#include <poll.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "crypto/bearssl/bearssl_provider.h"
#include "crypto/composite/composite_provider.h"
#include "crypto/sodium/sodium_provider.h"
#include "pki/keys.h"
#include "pki/pem.h"
#include "pki/pinned_verifier.h"

namespace sluice::test {

namespace {

std::string tmpdir() {
  const char* t = std::getenv("TEST_TMPDIR");
  return t ? t : "/tmp";
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void run(const std::string& cmd) {
  if (std::system((cmd + " >/dev/null 2>&1").c_str()) != 0) {
    std::fprintf(stderr, "command failed: %s\n", cmd.c_str());
    std::abort();
  }
}

TestCert make_cert(crypto::KeyType type) {
  const std::string dir = tmpdir();
  std::string name, genkey;
  switch (type) {
    case crypto::KeyType::kEd25519:
      name = "ed25519";
      genkey = "openssl genpkey -algorithm ed25519";
      break;
    case crypto::KeyType::kEcdsaP256:
      name = "p256";
      genkey = "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256";
      break;
    case crypto::KeyType::kEcdsaP384:
      name = "p384";
      genkey = "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384";
      break;
    case crypto::KeyType::kRsa:
      name = "rsa";
      genkey = "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048";
      break;
    case crypto::KeyType::kEcdsaP521:
      name = "p521";
      genkey = "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521";
      break;
    case crypto::KeyType::kRsaPss:
      name = "rsa-pss";
      genkey = "openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048";
      break;
  }
  const std::string key = dir + "/" + name + ".key", crt = dir + "/" + name + ".der";
  run(genkey + " -out " + key);
  run("openssl req -x509 -new -key " + key + " -outform DER -out " + crt +
      " -days 30 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1");
  TestCert c{type, {}, read_file(key)};
  std::string der = read_file(crt);
  c.der.assign(der.begin(), der.end());
  return c;
}

}  // namespace

const TestCert& test_cert(crypto::KeyType type) {
  static std::map<crypto::KeyType, TestCert> cache;
  auto it = cache.find(type);
  if (it == cache.end()) it = cache.emplace(type, make_cert(type)).first;
  return it->second;
}

std::shared_ptr<const crypto::Provider> sodium_first() {
  static std::shared_ptr<const crypto::Provider> p = crypto::make_composite_provider(
      {crypto::make_sodium_provider(), crypto::make_bearssl_provider()});
  return p;
}

std::shared_ptr<const crypto::Provider> bearssl_first() {
  static std::shared_ptr<const crypto::Provider> p = crypto::make_composite_provider(
      {crypto::make_bearssl_provider(), crypto::make_sodium_provider()});
  return p;
}

std::shared_ptr<crypto::Signer> signer_for(const crypto::Provider& provider, const TestCert& cert) {
  auto key = pki::parse_private_key_pem(cert.key_pem);
  if (!key) std::abort();
  auto signer = provider.new_signer(*key);
  if (!signer) std::abort();
  return std::shared_ptr<crypto::Signer>(std::move(*signer));
}

std::shared_ptr<Context> server_context(std::shared_ptr<const crypto::Provider> provider, const TestCert& cert) {
  auto ctx = std::make_shared<Context>(Role::kServer, provider);
  ctx->set_certificate({{cert.der}, signer_for(*provider, cert)});
  return ctx;
}

std::shared_ptr<Context> client_context(std::shared_ptr<const crypto::Provider> provider, const TestCert& cert) {
  auto ctx = std::make_shared<Context>(Role::kClient, provider);
  ctx->set_verifier(std::make_shared<pki::PinnedVerifier>(cert.der));
  return ctx;
}

size_t transfer(Connection& from, Connection& to, size_t max_chunk) {
  size_t moved = 0;
  while (true) {
    auto out = from.outbound();
    if (out.empty()) break;
    const size_t n = to.feed(out.first(std::min(out.size(), max_chunk)));
    if (n == 0) break;
    from.outbound_consumed(n);
    moved += n;
    if (max_chunk != SIZE_MAX) break;
  }
  return moved;
}

namespace {
// wait_async blocks (bounded) until a pending provider operation completes.
void wait_async(const Connection& c, Progress p) {
  if (p.status != Status::kWantAsync || c.async_fd() < 0) return;
  pollfd pfd{c.async_fd(), POLLIN, 0};
  (void)::poll(&pfd, 1, 5000);
}
}  // namespace

bool handshake(Connection& client, Connection& server, size_t max_chunk) {
  for (int i = 0; i < 1000000; ++i) {
    Progress c = client.handshake();
    Progress s = server.handshake();
    wait_async(client, c);
    wait_async(server, s);
    if (c.status == Status::kError || s.status == Status::kError) return false;
    const size_t moved = transfer(client, server, max_chunk) + transfer(server, client, max_chunk);
    if (c.status == Status::kOk && s.status == Status::kOk && !client.wants_write() && !server.wants_write()) {
      return true;
    }
    if (moved == 0 && c.status != Status::kOk && s.status != Status::kOk && c.status != Status::kWantAsync &&
        s.status != Status::kWantAsync) {
      return false;  // stuck
    }
  }
  return false;
}

std::string describe(const Connection& c) {
  const Error& e = c.error();
  std::string s(sluice::describe(e.reason));
  s += " / ";
  s += name(e.alert);
  s += " / ";
  s += e.detail;
  return s;
}

std::vector<uint8_t> drain(Connection& c) {
  auto out = c.outbound();
  std::vector<uint8_t> v(out.begin(), out.end());
  c.outbound_consumed(v.size());
  return v;
}

void feed_all(Connection& c, std::span<const uint8_t> bytes) {
  size_t done = 0;
  for (int i = 0; i < 1000 && done < bytes.size(); ++i) {
    const size_t n = c.feed(bytes.subspan(done));
    if (n == 0) break;
    done += n;
  }
}

std::vector<uint8_t> pattern(size_t n, uint32_t seed) {
  std::vector<uint8_t> v(n);
  std::mt19937 rng(seed);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

std::vector<uint8_t> read_available(Connection& c) {
  std::vector<uint8_t> out, buf(20000);
  for (int i = 0; i < 1000; ++i) {
    Progress r = c.read(buf);
    if (r.status == Status::kOk) {
      out.insert(out.end(), buf.begin(), buf.begin() + static_cast<ptrdiff_t>(r.bytes));
      continue;
    }
    if (r.status != Status::kWantRead || !c.has_pending()) break;
  }
  return out;
}

}  // namespace sluice::test
