// tls_bench's results: the tables it prints (Markdown, pasted as-is into
// docs/benchmarks.md) and the JSON that docs/plot_benchmarks.py draws.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "bench/tls_engine.h"

namespace sluice::bench {

struct Options {
  int runs = 5;
  int sample_ms = 200;
  std::string filter;
  std::string json_path;
  std::string engines;  // comma-separated sluice engines to run; empty: all
  bool check = false;   // run each op once, time nothing, fail on any failure
};

// Cell is one engine's median for a row, or why there is none.
struct Cell {
  std::optional<double> value;
  std::string note;  // "not yet implemented", "error", ...
};

struct RateRow {
  std::string label;
  std::vector<Cell> cells;  // one per engine, engines[0] = OpenSSL
  size_t write_size = 0;    // sweep rows only
};

struct MemoryRow {
  bool release_buffers;
  std::vector<std::optional<MemoryResult>> results;  // one per engine
};

// One certificate type's full handshake, RELEASE_BUFFERS, on every engine.
struct HandshakeHeapRow {
  std::string label;
  std::vector<std::optional<MemoryResult>> results;  // one per engine
};

struct Report {
  std::vector<std::string> engines;
  Options options;
  std::string openssl_version;
  std::vector<RateRow> handshakes;  // handshakes per CPU second
  std::vector<RateRow> bulk;        // MB/s with 16 KiB writes, per suite
  std::vector<RateRow> raw;         // MB/s of raw AEAD seal+open, per suite
  std::vector<RateRow> sweep;       // MB/s AES-128-GCM by write size
  std::vector<RateRow> released;    // the same, some sizes, RELEASE_BUFFERS
  std::vector<MemoryRow> memory;
  std::vector<HandshakeHeapRow> handshake_heap;
};

void print_markdown(const Report& r, FILE* out);
// failures lists each cell that has no figure ("row: engine: why").
std::vector<std::string> failures(const Report& r);
[[nodiscard]] bool write_json(const Report& r, const std::string& path);

}  // namespace sluice::bench
