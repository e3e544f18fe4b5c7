#include "bench/tls_report.h"

#include <ctime>

namespace sluice::bench {
namespace {

std::string number(double v) {
  char b[32];
  std::snprintf(b, sizeof b, v >= 100 ? "%.0f" : "%.1f", v);
  return b;
}

std::string cell_text(const Cell& c) { return c.value ? number(*c.value) : c.note; }

std::string ratio_text(const Cell& num, const Cell& den) {
  if (!num.value || !den.value || *den.value <= 0) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.2f×", *num.value / *den.value);
  return b;
}

// A rate table: label | OpenSSL | engine 1 | ratio | engine 2 | ratio ...
void rate_table(const Report& r, const char* first_column, const std::vector<RateRow>& rows, FILE* out) {
  std::fprintf(out, "| %s | %s |", first_column, r.engines[0].c_str());
  for (size_t i = 1; i < r.engines.size(); ++i) std::fprintf(out, " %s | ratio |", r.engines[i].c_str());
  std::fprintf(out, "\n|---|---:|");
  for (size_t i = 1; i < r.engines.size(); ++i) std::fprintf(out, "---:|---:|");
  std::fprintf(out, "\n");
  for (const RateRow& row : rows) {
    std::fprintf(out, "| %s | %s |", row.label.c_str(), cell_text(row.cells[0]).c_str());
    for (size_t i = 1; i < row.cells.size(); ++i) {
      std::fprintf(out, " %s | %s |", cell_text(row.cells[i]).c_str(), ratio_text(row.cells[i], row.cells[0]).c_str());
    }
    std::fprintf(out, "\n");
  }
}

std::string kib(int64_t bytes) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f KB", static_cast<double>(bytes) / 1000.0);
  return b;
}

void memory_table(const Report& r, FILE* out) {
  std::fprintf(out, "| heap (per side: client / server) |");
  for (const auto& e : r.engines) std::fprintf(out, " %s |", e.c_str());
  std::fprintf(out, "\n|---|");
  for (size_t i = 0; i < r.engines.size(); ++i) std::fprintf(out, "---:|");
  std::fprintf(out, "\n");
  auto line = [&](const MemoryRow& m, const char* label, auto&& text) {
    std::fprintf(out, "| %s%s |", label, m.release_buffers ? ", RELEASE_BUFFERS" : "");
    for (const auto& res : m.results) std::fprintf(out, " %s |", res ? text(*res).c_str() : "error");
    std::fprintf(out, "\n");
  };
  for (const MemoryRow& m : r.memory) {
    line(m, "idle connection", [](const MemoryResult& x) { return kib(x.idle_client) + " / " + kib(x.idle_server); });
    line(m, "peak during full handshake",
         [](const MemoryResult& x) { return kib(x.peak_client) + " / " + kib(x.peak_server); });
    line(m, "heap calls per full handshake", [](const MemoryResult& x) {
      return std::to_string(x.handshake_allocs_client) + " / " + std::to_string(x.handshake_allocs_server);
    });
    line(m, "heap calls per 16 KiB record (write / read)", [](const MemoryResult& x) {
      char b[64];
      std::snprintf(b, sizeof b, "%.2f / %.2f", x.allocs_per_write, x.allocs_per_read);
      return std::string(b);
    });
  }
}

void json_cells(FILE* f, const std::vector<Cell>& cells, const std::vector<std::string>& engines) {
  std::fprintf(f, "{");
  for (size_t i = 0; i < cells.size(); ++i) {
    if (cells[i].value) {
      std::fprintf(f, "%s\"%s\": %.3f", i ? ", " : "", engines[i].c_str(), *cells[i].value);
    } else {
      std::fprintf(f, "%s\"%s\": null", i ? ", " : "", engines[i].c_str());
    }
  }
  std::fprintf(f, "}");
}

void json_rows(FILE* f, const char* name, const std::vector<RateRow>& rows, const std::vector<std::string>& engines,
               bool last = false) {
  std::fprintf(f, "  \"%s\": [\n", name);
  for (size_t i = 0; i < rows.size(); ++i) {
    std::fprintf(f, "    {\"label\": \"%s\", \"write_size\": %zu, \"rates\": ", rows[i].label.c_str(),
                 rows[i].write_size);
    json_cells(f, rows[i].cells, engines);
    std::fprintf(f, "}%s\n", i + 1 < rows.size() ? "," : "");
  }
  std::fprintf(f, "  ]%s\n", last ? "" : ",");
}

}  // namespace

void print_markdown(const Report& r, FILE* out) {
  std::fprintf(out, "\nMedians of %d samples of %d ms thread CPU time each, engines interleaved; %s.\n",
               r.options.runs, r.options.sample_ms, r.openssl_version.c_str());
  std::fprintf(out, "Ratios are sluice / OpenSSL from the same run.\n\n");
  if (!r.handshakes.empty()) {
    std::fprintf(out, "**Handshakes per CPU second** (client and server in one thread; chain and host name verified)\n\n");
    rate_table(r, "handshake", r.handshakes, out);
  }
  if (!r.bulk.empty()) {
    std::fprintf(out, "\n**Bulk client-to-server, 16 KiB writes, MB/s of CPU time** (each byte sealed and opened)\n\n");
    rate_table(r, "suite", r.bulk, out);
    std::fprintf(out, "\n**Raw AEAD seal+open of 16 KiB, MB/s**, and TLS bulk as a fraction of it\n\n");
    std::fprintf(out, "| suite |");
    for (const auto& e : r.engines) std::fprintf(out, " %s raw | %s TLS/raw |", e.c_str(), e.c_str());
    std::fprintf(out, "\n|---|");
    for (size_t i = 0; i < r.engines.size(); ++i) std::fprintf(out, "---:|---:|");
    std::fprintf(out, "\n");
    for (size_t i = 0; i < r.raw.size() && i < r.bulk.size(); ++i) {
      std::fprintf(out, "| %s |", r.raw[i].label.c_str());
      for (size_t e = 0; e < r.engines.size(); ++e) {
        std::fprintf(out, " %s | %s |", cell_text(r.raw[i].cells[e]).c_str(),
                     ratio_text(r.bulk[i].cells[e], r.raw[i].cells[e]).c_str());
      }
      std::fprintf(out, "\n");
    }
  }
  if (!r.sweep.empty()) {
    std::fprintf(out, "\n**Bulk AES-128-GCM by write size, MB/s of CPU time**\n\n");
    rate_table(r, "write size", r.sweep, out);
  }
  if (!r.released.empty()) {
    std::fprintf(out, "\n**Bulk AES-128-GCM by write size with RELEASE_BUFFERS, MB/s of CPU time** (each write "
                      "leaves both sides idle)\n\n");
    rate_table(r, "write size", r.released, out);
  }
  if (!r.memory.empty()) {
    std::fprintf(out, "\n**Heap** (X25519 + Ed25519, AES-128-GCM; bytes requested, counted per side)\n\n");
    memory_table(r, out);
  }
  if (!r.handshake_heap.empty()) {
    std::fprintf(out, "\n**Heap per full handshake by certificate** (X25519, AES-128-GCM, RELEASE_BUFFERS; "
                      "heap calls and peak, client / server)\n\n");
    std::fprintf(out, "| certificate |");
    for (const auto& e : r.engines) std::fprintf(out, " %s calls | %s peak |", e.c_str(), e.c_str());
    std::fprintf(out, "\n|---|");
    for (size_t i = 0; i < r.engines.size(); ++i) std::fprintf(out, "---:|---:|");
    std::fprintf(out, "\n");
    for (const HandshakeHeapRow& row : r.handshake_heap) {
      std::fprintf(out, "| %s |", row.label.c_str());
      for (const auto& res : row.results) {
        if (!res) {
          std::fprintf(out, " error | error |");
          continue;
        }
        std::fprintf(out, " %llu / %llu | %s / %s |", static_cast<unsigned long long>(res->handshake_allocs_client),
                     static_cast<unsigned long long>(res->handshake_allocs_server), kib(res->peak_client).c_str(),
                     kib(res->peak_server).c_str());
      }
      std::fprintf(out, "\n");
    }
  }
}

std::vector<std::string> failures(const Report& r) {
  std::vector<std::string> out;
  auto rates = [&](const char* table, const std::vector<RateRow>& rows) {
    for (const RateRow& row : rows) {
      for (size_t i = 0; i < row.cells.size(); ++i) {
        if (!row.cells[i].value) out.push_back(std::string(table) + " " + row.label + ": " + r.engines[i] + ": " + row.cells[i].note);
      }
    }
  };
  rates("handshake", r.handshakes);
  rates("bulk", r.bulk);
  rates("raw", r.raw);
  rates("sweep", r.sweep);
  rates("release_buffers", r.released);
  for (const MemoryRow& row : r.memory) {
    for (size_t i = 0; i < row.results.size(); ++i) {
      if (!row.results[i]) out.push_back(std::string("memory") + (row.release_buffers ? ", RELEASE_BUFFERS" : "") + ": " + r.engines[i]);
    }
  }
  for (const HandshakeHeapRow& row : r.handshake_heap) {
    for (size_t i = 0; i < row.results.size(); ++i) {
      if (!row.results[i]) out.push_back("memory by certificate " + row.label + ": " + r.engines[i]);
    }
  }
  return out;
}

bool write_json(const Report& r, const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return false;
  std::fprintf(f, "{\n  \"runs\": %d, \"sample_ms\": %d, \"openssl\": \"%s\", \"generated\": %lld,\n", r.options.runs,
               r.options.sample_ms, r.openssl_version.c_str(), static_cast<long long>(std::time(nullptr)));
  std::fprintf(f, "  \"engines\": [");
  for (size_t i = 0; i < r.engines.size(); ++i) std::fprintf(f, "%s\"%s\"", i ? ", " : "", r.engines[i].c_str());
  std::fprintf(f, "],\n");
  json_rows(f, "handshakes", r.handshakes, r.engines);
  json_rows(f, "bulk", r.bulk, r.engines);
  json_rows(f, "raw", r.raw, r.engines);
  json_rows(f, "sweep", r.sweep, r.engines);
  json_rows(f, "sweep_release_buffers", r.released, r.engines);
  std::fprintf(f, "  \"memory\": [\n");
  for (size_t m = 0; m < r.memory.size(); ++m) {
    const MemoryRow& row = r.memory[m];
    std::fprintf(f, "    {\"release_buffers\": %s, \"results\": {", row.release_buffers ? "true" : "false");
    for (size_t i = 0; i < row.results.size(); ++i) {
      std::fprintf(f, "%s\"%s\": ", i ? ", " : "", r.engines[i].c_str());
      if (!row.results[i]) {
        std::fprintf(f, "null");
        continue;
      }
      const MemoryResult& x = *row.results[i];
      std::fprintf(f,
                   "{\"idle_client\": %lld, \"idle_server\": %lld, \"peak_client\": %lld, \"peak_server\": %lld, "
                   "\"handshake_allocs_client\": %llu, \"handshake_allocs_server\": %llu, "
                   "\"allocs_per_write\": %.3f, \"allocs_per_read\": %.3f}",
                   static_cast<long long>(x.idle_client), static_cast<long long>(x.idle_server),
                   static_cast<long long>(x.peak_client), static_cast<long long>(x.peak_server),
                   static_cast<unsigned long long>(x.handshake_allocs_client),
                   static_cast<unsigned long long>(x.handshake_allocs_server), x.allocs_per_write, x.allocs_per_read);
    }
    std::fprintf(f, "}}%s\n", m + 1 < r.memory.size() ? "," : "");
  }
  std::fprintf(f, "  ]\n}\n");
  return std::fclose(f) == 0;
}

}  // namespace sluice::bench
