// crypto_bench: the providers side by side with OpenSSL's libcrypto, in one
// process (DESIGN.md "Performance principles": speed is shown as ratios,
// never by timing assertions in tests).
//
// Method. Every row is the median of --runs samples (at least 5). A sample
// repeats the operation until --sample-ms of *thread CPU time* has passed
// (CLOCK_THREAD_CPUTIME_ID, so other processes on this shared 2-core machine
// do not count against us) and reports operations per CPU second. Before each
// sample the upper halves of the AVX registers are cleared with vzeroupper:
// OpenSSL's AVX2 ChaCha20 returns with them dirty, and on many Intel cores
// the SSE code that runs next (AES-GCM in BearSSL, libsodium or OpenSSL
// itself) then pays a state-transition penalty of up to ~40%.
//
// Rows: a one-shot SHA-256/SHA-384 digest of a 16 KiB record (MB/s),
// seal+open of a 16 KiB record (MB/s of message, each byte sealed and
// opened once), key-share generate+agree (ops/s: one side of a TLS key
// exchange, including encoding the public value), sign and verify of a
// 100-byte message (ops/s; RSA keys are 2048-bit).
//
// Usage: bazel build -c opt //bench:crypto_bench &&
//        bazel-bin/bench/crypto_bench [--runs=N] [--sample-ms=N] [--filter=TEXT]
#include <openssl/crypto.h>
#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/openssl_reference.h"
#include "bench/sample.h"
#include "crypto/bearssl/bearssl_provider.h"
#include "crypto/ipsecmb/ipsecmb_provider.h"
#include "crypto/openssl/openssl_provider.h"
#include "crypto/provider.h"
#include "crypto/shani/shani_provider.h"
#include "crypto/sodium/sodium_provider.h"
#include "crypto/x25519/x25519_provider.h"

namespace sluice::bench {
namespace {

using namespace crypto;

struct Options {
  int runs = 5;
  int sample_ms = 200;
  std::string filter;
};

// measure returns the median rate in `units_per_op` units per CPU second,
// or nullopt if the operation failed.
std::optional<double> measure(const Op& op, double units_per_op, const Options& opt) {
  if (!op || !op()) return std::nullopt;  // warm-up, and a correctness gate
  std::vector<double> rates;
  for (int run = 0; run < opt.runs; ++run) {
    const auto rate = sample_rate(op, units_per_op, opt.sample_ms);
    if (!rate) return std::nullopt;
    rates.push_back(*rate);
  }
  std::sort(rates.begin(), rates.end());
  return rates[rates.size() / 2];
}

struct Row {
  std::string implementation;
  std::optional<double> rate;
};

struct Section {
  std::string operation;
  const char* unit;
  std::vector<Row> rows;  // rows[0] is OpenSSL
};

constexpr size_t kRecordLen = 16384;

Op provider_aead_seal_open(const Provider& p, AeadAlg alg) {
  auto key = p.new_aead(alg, std::vector<uint8_t>(aead_key_len(alg), 0x11));
  if (!key.ok()) return nullptr;
  std::shared_ptr<AeadKey> k(std::move(*key));
  auto buf = std::make_shared<std::vector<uint8_t>>(kRecordLen, 0x5a);
  auto nonce = std::make_shared<std::vector<uint8_t>>(kAeadNonceLen, 0);
  return [k, buf, nonce]() {
    static const uint8_t aad[13] = {};
    uint8_t tag[kAeadTagLen];
    ++(*nonce)[11];
    return k->seal(*nonce, aad, *buf, tag).ok() && k->open(*nonce, aad, *buf, tag).ok();
  };
}

Op provider_hash(const Provider& p, HashAlg alg) {
  auto buf = std::make_shared<std::vector<uint8_t>>(kRecordLen, 0x5a);
  return [&p, alg, buf]() {
    uint8_t digest[64];
    const Bytes part = *buf;
    return p.hash_parts(alg, std::span(&part, 1), digest).ok();
  };
}

Op provider_key_share(const Provider& p, Group g) {
  auto peer = p.new_key_share(g);
  if (!peer.ok()) return nullptr;
  auto peer_public = std::make_shared<std::vector<uint8_t>>((*peer)->public_key().begin(), (*peer)->public_key().end());
  return [&p, g, peer_public]() {
    auto mine = p.new_key_share(g);
    return mine.ok() && !(*mine)->public_key().empty() && (*mine)->agree(*peer_public).ok();
  };
}

const std::vector<uint8_t>& bench_message() {
  static const std::vector<uint8_t> m(100, 0x42);
  return m;
}

// A key per (provider, key type), generated once: RSA generation is slow.
const PrivateKeyMaterial* key_for(const Provider& p, KeyType type) {
  static std::map<std::pair<const Provider*, KeyType>, PrivateKeyMaterial> keys;
  auto it = keys.find({&p, type});
  if (it != keys.end()) return &it->second;
  if (!p.supports_signing(type)) return nullptr;
  auto key = p.generate_key(type, 2048);
  if (!key.ok()) return nullptr;
  return &keys.emplace(std::make_pair(&p, type), std::move(*key)).first->second;
}

Op provider_sign(const Provider& p, SignatureScheme scheme) {
  const PrivateKeyMaterial* key = key_for(p, scheme_key_type(scheme));
  if (!key) return nullptr;
  auto signer = p.new_signer(*key);
  if (!signer.ok()) return nullptr;
  std::shared_ptr<Signer> s(std::move(*signer));
  auto sig = std::make_shared<std::vector<uint8_t>>();
  return [s, scheme, sig]() {
    auto r = s->sign(scheme, bench_message(), *sig);
    return r.ok() && *r == SignOutcome::kDone;
  };
}

// provider_verify verifies a signature made by `signer_provider`'s key.
Op provider_verify(const Provider& p, const Provider& signer_provider, SignatureScheme scheme) {
  const PrivateKeyMaterial* key = key_for(signer_provider, scheme_key_type(scheme));
  if (!key) return nullptr;
  auto signer = signer_provider.new_signer(*key);
  if (!signer.ok()) return nullptr;
  auto sig = std::make_shared<std::vector<uint8_t>>();
  if (!(*signer)->sign(scheme, bench_message(), *sig).ok()) return nullptr;
  auto pub = std::make_shared<PublicKey>((*signer)->public_key());
  return [&p, scheme, pub, sig]() { return p.verify(scheme, *pub, bench_message(), *sig).ok(); };
}

void print_sections(const std::vector<Section>& sections) {
  std::printf("\n%-40s %-10s %14s %-6s %10s\n", "operation", "impl", "median rate", "", "vs OpenSSL");
  std::printf("%s\n", std::string(84, '-').c_str());
  for (const Section& s : sections) {
    const std::optional<double> reference = s.rows.empty() ? std::nullopt : s.rows[0].rate;
    bool first = true;
    for (const Row& r : s.rows) {
      const std::string label = first ? s.operation : "";
      first = false;
      if (!r.rate) {
        std::printf("%-40s %-10s %14s %-6s %10s\n", label.c_str(), r.implementation.c_str(), "error", "", "-");
        continue;
      }
      char ratio[32] = "-";
      if (reference && *reference > 0) std::snprintf(ratio, sizeof ratio, "%.2fx", *r.rate / *reference);
      std::printf("%-40s %-10s %14.1f %-6s %10s\n", label.c_str(), r.implementation.c_str(), *r.rate, s.unit,
                  ratio);
    }
  }
}

Options parse_options(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--runs=", 0) == 0) {
      opt.runs = std::max(5, std::atoi(arg.c_str() + 7));  // medians of at least 5 samples
    } else if (arg.rfind("--sample-ms=", 0) == 0) {
      opt.sample_ms = std::max(10, std::atoi(arg.c_str() + 12));
    } else if (arg.rfind("--filter=", 0) == 0) {
      opt.filter = arg.substr(9);
    } else {
      std::fprintf(stderr, "usage: crypto_bench [--runs=N>=5] [--sample-ms=N] [--filter=TEXT]\n");
      std::exit(2);
    }
  }
  return opt;
}

int run(int argc, char** argv) {
  const Options opt = parse_options(argc, argv);
  std::shared_ptr<const Provider> sodium = make_sodium_provider();
  std::shared_ptr<const Provider> bearssl = make_bearssl_provider();
  if (!sodium || !bearssl) {
    std::fprintf(stderr, "crypto_bench: a provider failed to initialise\n");
    return 1;
  }
  std::vector<std::shared_ptr<const Provider>> providers = {sodium, bearssl};
  // The accelerated members of default_provider(), where this CPU has them.
  if (std::shared_ptr<const Provider> shani = make_shani_provider()) providers.push_back(shani);
  if (std::shared_ptr<const Provider> ipsecmb = make_ipsecmb_provider()) providers.push_back(ipsecmb);
  if (std::shared_ptr<const Provider> x25519 = make_x25519_ifma_provider()) providers.push_back(x25519);
  // libcrypto through the provider interface: what the interface itself costs
  // beside the OpenSSL row, which calls EVP directly.
  if (std::shared_ptr<const Provider> libcrypto = make_openssl_provider()) providers.push_back(libcrypto);

  std::printf("crypto_bench: %d runs x %d ms of thread CPU time per row, median reported\n", opt.runs,
              opt.sample_ms);
  std::printf("OpenSSL: %s | libsodium: %s | BearSSL: %s\n", OpenSSL_version(OPENSSL_VERSION),
              sodium_version_string(), describe_implementations().c_str());

  std::vector<Section> sections;
  auto wanted = [&](const std::string& name) { return opt.filter.empty() || name.find(opt.filter) != std::string::npos; };
  auto add = [&](std::string operation, const char* unit, const Op& reference, double units,
                 const std::function<Op(const Provider&)>& make_op, const std::function<bool(const Provider&)>& has) {
    if (!wanted(operation)) return;
    Section s{std::move(operation), unit, {}};
    s.rows.push_back({"openssl", measure(reference, units, opt)});
    for (const auto& p : providers)
      if (has(*p)) s.rows.push_back({std::string(p->name()), measure(make_op(*p), units, opt)});
    std::fprintf(stderr, "  done: %s\n", s.operation.c_str());
    sections.push_back(std::move(s));
  };

  for (HashAlg h : {HashAlg::kSha256, HashAlg::kSha384}) {
    add("hash 16 KiB " + std::string(name(h)), "MB/s", openssl_hash(h, kRecordLen), kRecordLen / 1e6,
        [h](const Provider& p) { return provider_hash(p, h); }, [h](const Provider& p) { return p.supports(h); });
  }
  for (AeadAlg alg : {AeadAlg::kAes128Gcm, AeadAlg::kAes256Gcm, AeadAlg::kChaCha20Poly1305}) {
    add("seal+open 16 KiB " + std::string(name(alg)), "MB/s", openssl_aead_seal_open(alg, kRecordLen),
        kRecordLen / 1e6, [alg](const Provider& p) { return provider_aead_seal_open(p, alg); },
        [alg](const Provider& p) { return p.supports(alg); });
  }
  for (Group g : {Group::kX25519, Group::kSecp256r1, Group::kSecp384r1}) {
    add("key share gen+agree " + std::string(name(g)), "ops/s", openssl_key_share(g), 1,
        [g](const Provider& p) { return provider_key_share(p, g); }, [g](const Provider& p) { return p.supports(g); });
  }
  for (SignatureScheme s : {SignatureScheme::kEd25519, SignatureScheme::kEcdsaSecp256r1Sha256,
                            SignatureScheme::kEcdsaSecp384r1Sha384, SignatureScheme::kRsaPssRsaeSha256,
                            SignatureScheme::kRsaPkcs1Sha256}) {
    add("sign " + std::string(name(s)), "ops/s", openssl_sign(s), 1,
        [s](const Provider& p) { return provider_sign(p, s); },
        [s](const Provider& p) { return p.supports_signing(scheme_key_type(s)); });
    add("verify " + std::string(name(s)), "ops/s", openssl_verify(s), 1,
        [s, &providers](const Provider& p) {
          // Verify a signature from this provider's own key if it can sign,
          // else from the first provider that can.
          if (p.supports_signing(scheme_key_type(s))) return provider_verify(p, p, s);
          for (const auto& signer : providers)
            if (signer->supports_signing(scheme_key_type(s))) return provider_verify(p, *signer, s);
          return Op();
        },
        [s](const Provider& p) { return p.supports_verify(s); });
  }
  print_sections(sections);
  return 0;
}

}  // namespace
}  // namespace sluice::bench

int main(int argc, char** argv) { return sluice::bench::run(argc, argv); }
