// tls_bench: sluice and OpenSSL 3's libssl side by side, in one process and
// one run, interleaved (issue #7; DESIGN.md "Performance principles").
//
// Engines: sluice with the default provider (libsodium + BearSSL), sluice
// with the libcrypto provider (the same primitives OpenSSL's TLS uses), and
// OpenSSL's libssl over a BIO pair. Every row is measured on each engine in
// turn, sample by sample (engine A, B, C, A, B, C, ...), so drift on this
// shared machine hits all of them alike; the median of --runs samples (at
// least 5) is reported with same-run ratios.
//
// Method. A sample repeats the operation until --sample-ms of *thread CPU
// time* (CLOCK_THREAD_CPUTIME_ID) has passed; rates are per thread CPU
// second. Client and server run in this one thread, so a handshake costs
// both sides' work and bulk bytes are each sealed and opened once. Before
// each sample the upper halves of the AVX registers are cleared
// (vzeroupper): OpenSSL's AVX2 ChaCha20 returns with them dirty, and the
// SSE AES-GCM code of libsodium and BearSSL then runs ~40% slower until
// something clears them.
//
// Verification. sluice's verifier remembers certificate signatures it has
// checked (pki/signature_cache.h), so its rows verify the chain's two
// signatures once and reuse them; the "no signature cache" rows check every
// signature every time, as OpenSSL does.
//
// Memory. Heap is counted per side by bench/side_heap (C++ new for sluice,
// CRYPTO_set_mem_functions for OpenSSL, both through the same counters).
//
// Usage: bazel build --config=opt //bench:tls_bench &&
//        bazel-bin/bench/tls_bench [--runs=N] [--sample-ms=N] [--filter=TEXT]
//                                  [--json=FILE] [--quick] [--engines=NAME,...] [--check]
// --check runs each op once and times nothing: a smoke test that every row
// works on every engine (//bench:tls_bench_check_test).
// --engines keeps only the named sluice engines beside the OpenSSL reference
// (e.g. --engines=sluice, so a profiler sees one provider's handshakes).
#include <openssl/crypto.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/sample.h"
#include "bench/side_heap.h"
#include "bench/tls_engine.h"
#include "bench/tls_report.h"
#include "crypto/composite/composite_provider.h"
#include "crypto/openssl/openssl_provider.h"

namespace sluice::bench {
namespace {

using crypto::AeadAlg;
using crypto::KeyType;

// measure_interleaved runs one sample of each op in turn, --runs times, and
// returns each op's median. A null or failing op yields a Cell with `note`.
std::vector<Cell> measure_interleaved(const std::vector<Op>& ops, const std::vector<std::string>& why_not,
                                      double units_per_op, const Options& opt) {
  std::vector<Cell> cells(ops.size());
  std::vector<std::vector<double>> rates(ops.size());
  std::vector<bool> live(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    live[i] = ops[i] && ops[i]();  // warm-up, and a correctness gate
    if (!live[i]) cells[i].note = !why_not[i].empty() ? why_not[i] : "error";
  }
  if (opt.check) {
    for (size_t i = 0; i < ops.size(); ++i) {
      if (live[i]) cells[i].value = 0;
    }
    return cells;
  }
  for (int run = 0; run < opt.runs; ++run) {
    for (size_t i = 0; i < ops.size(); ++i) {
      if (!live[i]) continue;
      const auto r = sample_rate(ops[i], units_per_op, opt.sample_ms);
      if (!r) {
        live[i] = false;
        cells[i].note = "error";
        continue;
      }
      rates[i].push_back(*r);
    }
  }
  for (size_t i = 0; i < ops.size(); ++i) {
    if (!live[i] || rates[i].empty()) continue;
    std::sort(rates[i].begin(), rates[i].end());
    cells[i].value = rates[i][rates[i].size() / 2];
  }
  return cells;
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
    } else if (arg.rfind("--json=", 0) == 0) {
      opt.json_path = arg.substr(7);
    } else if (arg == "--quick") {
      opt.sample_ms = 50;
    } else if (arg == "--check") {
      opt.check = true;
    } else if (arg.rfind("--engines=", 0) == 0) {
      opt.engines = arg.substr(10);
    } else {
      std::fprintf(stderr,
                   "usage: tls_bench [--runs=N>=5] [--sample-ms=N] [--filter=TEXT] [--json=FILE] [--quick]\n"
                   "                 [--engines=NAME,...] [--check]\n");
      std::exit(2);
    }
  }
  return opt;
}

std::string cert_name(KeyType t) {
  switch (t) {
    case KeyType::kEd25519: return "Ed25519";
    case KeyType::kEcdsaP256: return "ECDSA P-256";
    case KeyType::kEcdsaP384: return "ECDSA P-384";
    case KeyType::kRsa: return "RSA-2048";
    case KeyType::kEcdsaP521: return "ECDSA P-521";
    case KeyType::kRsaPss: return "RSA-PSS-2048";
  }
  return "?";
}

std::string size_name(size_t n) {
  return n >= 1024 ? std::to_string(n / 1024) + " KiB" : std::to_string(n) + " B";
}

int run(int argc, char** argv) {
  // Before anything else: OpenSSL must not have allocated yet.
  if (!install_openssl_counting()) {
    std::fprintf(stderr, "tls_bench: CRYPTO_set_mem_functions refused (OpenSSL already allocated)\n");
    return 1;
  }
  const Options opt = parse_options(argc, argv);
  std::shared_ptr<const crypto::Provider> libcrypto = crypto::make_openssl_provider();
  if (!libcrypto) {
    std::fprintf(stderr, "tls_bench: the libcrypto provider failed to initialise\n");
    return 1;
  }
  std::vector<std::unique_ptr<Engine>> engines;
  engines.push_back(make_openssl_engine());  // engines[0] is the reference
  engines.push_back(make_sluice_engine("sluice", crypto::default_provider()));
  engines.push_back(make_sluice_engine("sluice+libcrypto", libcrypto));
  if (!opt.engines.empty()) {
    const std::string list = "," + opt.engines + ",";
    const Engine* reference = engines[0].get();
    std::erase_if(engines, [&](const std::unique_ptr<Engine>& e) {
      return e.get() != reference && list.find("," + e->name() + ",") == std::string::npos;
    });
  }

  Report report;
  for (const auto& e : engines) report.engines.push_back(e->name());
  report.options = opt;
  report.openssl_version = OpenSSL_version(OPENSSL_VERSION);
  auto wanted = [&](const std::string& name) { return opt.filter.empty() || name.find(opt.filter) != std::string::npos; };

  // Credentials first, so key generation is outside every measurement.
  for (KeyType t : {KeyType::kEd25519, KeyType::kEcdsaP256, KeyType::kRsa}) (void)credentials(t);

  // --- handshakes ---
  struct HsRow {
    std::string label;
    HandshakeConfig config;
  };
  std::vector<HsRow> hs_rows;
  for (bool tickets : {false, true}) {
    for (KeyType t : {KeyType::kEd25519, KeyType::kEcdsaP256, KeyType::kRsa}) {
      hs_rows.push_back({"full, X25519 + " + cert_name(t) + (tickets ? ", 2 tickets" : ", no tickets"), {t, tickets, false}});
    }
  }
  for (KeyType t : {KeyType::kEd25519, KeyType::kEcdsaP256, KeyType::kRsa}) {
    hs_rows.push_back({"full, X25519 + " + cert_name(t) + ", no tickets, no signature cache", {t, false, false, true}});
  }
  hs_rows.push_back({"resumed (psk_dhe_ke), no new ticket", {KeyType::kEd25519, false, true}});
  hs_rows.push_back({"resumed (psk_dhe_ke), new ticket", {KeyType::kEd25519, true, true}});
  for (KeyType t : {KeyType::kEcdsaP256, KeyType::kRsa}) {
    hs_rows.push_back({"TLS 1.2 full, X25519 + " + cert_name(t), {t, false, false, false, true}});
  }
  hs_rows.push_back({"TLS 1.2 resumed (ticket), X25519 + ECDSA P-256", {KeyType::kEcdsaP256, true, true, false, true}});
  for (const HsRow& row : hs_rows) {
    if (!wanted("handshake " + row.label)) continue;
    std::vector<Op> ops;
    std::vector<std::string> why(engines.size());
    for (size_t i = 0; i < engines.size(); ++i) ops.push_back(engines[i]->handshake(row.config, &why[i]));
    report.handshakes.push_back({row.label, measure_interleaved(ops, why, 1, opt)});
    std::fprintf(stderr, "  done: handshake %s\n", row.label.c_str());
  }

  // --- bulk with 16 KiB writes, and the raw AEAD under each engine ---
  constexpr size_t kBulkBytes = 256 * 1024;
  for (AeadAlg a : {AeadAlg::kAes128Gcm, AeadAlg::kAes256Gcm, AeadAlg::kChaCha20Poly1305}) {
    const std::string suite(crypto::name(a));
    if (!wanted("bulk " + suite)) continue;
    std::vector<Op> ops;
    std::vector<std::string> why(2 * engines.size());
    for (const auto& e : engines) ops.push_back(e->bulk(a, 16384, kBulkBytes));
    for (const auto& e : engines) ops.push_back(e->raw_aead(a));
    // Bulk and raw ops are interleaved together; the units differ per op.
    std::vector<Cell> bulk = measure_interleaved({ops.begin(), ops.begin() + engines.size()},
                                                 {why.begin(), why.begin() + engines.size()}, kBulkBytes / 1e6, opt);
    std::vector<Cell> raw = measure_interleaved({ops.begin() + engines.size(), ops.end()},
                                                {why.begin() + engines.size(), why.end()}, kRawAeadLen / 1e6, opt);
    report.bulk.push_back({suite, bulk});
    report.raw.push_back({suite, raw});
    std::fprintf(stderr, "  done: bulk %s\n", suite.c_str());
  }
  // TLS 1.2 bulk (ECDHE_ECDSA suites), after the TLS 1.3 rows: the raw AEAD
  // table pairs its rows with the first ones of this table.
  for (AeadAlg a : {AeadAlg::kAes128Gcm, AeadAlg::kAes256Gcm, AeadAlg::kChaCha20Poly1305}) {
    const std::string label = "TLS 1.2 " + std::string(crypto::name(a));
    if (!wanted("bulk " + label)) continue;
    std::vector<Op> ops;
    std::vector<std::string> why(engines.size());
    for (const auto& e : engines) ops.push_back(e->bulk(a, 16384, kBulkBytes, /*tls12=*/true));
    report.bulk.push_back({label, measure_interleaved(ops, why, kBulkBytes / 1e6, opt)});
    std::fprintf(stderr, "  done: bulk %s\n", label.c_str());
  }

  // --- write-size sweep (AES-128-GCM) ---
  for (size_t w = 64; w <= 65536; w *= 2) {
    const std::string label = size_name(w);
    if (!wanted("sweep " + label)) continue;
    const size_t per_op = std::max<size_t>(w, 64 * 1024);
    std::vector<Op> ops;
    std::vector<std::string> why(engines.size());
    for (const auto& e : engines) ops.push_back(e->bulk(AeadAlg::kAes128Gcm, w, per_op));
    report.sweep.push_back({label, measure_interleaved(ops, why, per_op / 1e6, opt), w});
    std::fprintf(stderr, "  done: sweep %s\n", label.c_str());
  }

  // --- small and large writes with RELEASE_BUFFERS (AES-128-GCM) ---
  for (size_t w : {size_t{64}, size_t{1024}, size_t{16384}}) {
    const std::string label = size_name(w);
    if (!wanted("release_buffers " + label)) continue;
    const size_t per_op = std::max<size_t>(w, 64 * 1024);
    std::vector<Op> ops;
    std::vector<std::string> why(engines.size());
    for (const auto& e : engines) ops.push_back(e->bulk(AeadAlg::kAes128Gcm, w, per_op, false, true));
    report.released.push_back({label, measure_interleaved(ops, why, per_op / 1e6, opt), w});
    std::fprintf(stderr, "  done: release_buffers %s\n", label.c_str());
  }

  // --- memory and heap calls (counts, not timings: one run each) ---
  if (wanted("memory")) {
    for (bool release : {true, false}) {
      std::vector<std::optional<MemoryResult>> m;
      for (const auto& e : engines) m.push_back(e->memory(release));
      report.memory.push_back({release, m});
    }
    std::fprintf(stderr, "  done: memory\n");
  }
  if (wanted("memory by certificate")) {
    for (KeyType t : {KeyType::kEd25519, KeyType::kEcdsaP256, KeyType::kRsa}) {
      HandshakeHeapRow row{cert_name(t), {}};
      for (const auto& e : engines) row.results.push_back(e->handshake_heap(t));
      report.handshake_heap.push_back(std::move(row));
    }
    std::fprintf(stderr, "  done: memory by certificate\n");
  }

  if (opt.check) {
    // A smoke test of every row on every engine: the warm-up op is each
    // row's correctness gate, and a row that cannot run is a failure.
    const std::vector<std::string> failed = failures(report);
    for (const std::string& f : failed) std::printf("FAILED %s\n", f.c_str());
    std::printf("tls_bench --check: %zu failed\n", failed.size());
    return failed.empty() ? 0 : 1;
  }
  print_markdown(report, stdout);
  if (!opt.json_path.empty() && !write_json(report, opt.json_path)) {
    std::fprintf(stderr, "tls_bench: cannot write %s\n", opt.json_path.c_str());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace sluice::bench

int main(int argc, char** argv) { return sluice::bench::run(argc, argv); }
