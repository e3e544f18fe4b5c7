#include "bench/side_heap.h"

#include <openssl/crypto.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

namespace sluice::bench {
namespace {

struct Counters {
  std::atomic<int64_t> live{0};
  std::atomic<int64_t> peak{0};
  std::atomic<uint64_t> count{0};
};
Counters g_sides[3];
thread_local Side t_side = Side::kOther;

// Each block starts with a header: the requested size and the side charged.
struct Header {
  uint64_t size;
  uint64_t side;
};
constexpr size_t kHeader = 16;  // keeps max_align_t (16) alignment
static_assert(sizeof(Header) <= kHeader);

// Loads and stores, not read-modify-writes: the benchmark allocates from one
// thread, and a locked add on every heap call would tax the library that
// allocates most (OpenSSL: thousands per handshake) in the timed rows too.
void charge(Side s, int64_t delta, bool is_alloc) {
  Counters& c = g_sides[static_cast<size_t>(s)];
  const int64_t now = c.live.load(std::memory_order_relaxed) + delta;
  c.live.store(now, std::memory_order_relaxed);
  if (is_alloc) {
    c.count.store(c.count.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    if (now > c.peak.load(std::memory_order_relaxed)) c.peak.store(now, std::memory_order_relaxed);
  }
}

void* stamp(void* raw, size_t header_len, size_t n) {
  if (!raw) return nullptr;
  auto* user = static_cast<unsigned char*>(raw) + header_len;
  auto* h = reinterpret_cast<Header*>(user - kHeader);
  h->size = n;
  h->side = static_cast<uint64_t>(t_side);
  charge(t_side, static_cast<int64_t>(n), true);
  return user;
}

// unstamp uncharges a block and returns the start of its raw allocation.
void* unstamp(void* user, size_t header_len) {
  auto* u = static_cast<unsigned char*>(user);
  const auto* h = reinterpret_cast<const Header*>(u - kHeader);
  charge(static_cast<Side>(h->side), -static_cast<int64_t>(h->size), false);
  return u - header_len;
}

void* counted_malloc(size_t n) { return stamp(std::malloc(n + kHeader), kHeader, n); }

void counted_free(void* p) {
  if (p) std::free(unstamp(p, kHeader));
}

void* counted_realloc(void* p, size_t n) {
  if (!p) return counted_malloc(n);
  if (n == 0) {
    counted_free(p);
    return nullptr;
  }
  // A realloc is a new allocation as far as the counts go (it is a heap
  // call that may move the block), charged to the current side.
  void* raw = std::realloc(unstamp(p, kHeader), n + kHeader);
  return stamp(raw, kHeader, n);
}

// Over-aligned blocks: the header sits in the `align`-sized prefix.
void* counted_aligned(size_t n, std::align_val_t al) {
  const size_t a = std::max(static_cast<size_t>(al), kHeader);
  const size_t total = (n + a + a - 1) / a * a;
  return stamp(std::aligned_alloc(a, total), a, n);
}
void counted_aligned_free(void* p, std::align_val_t al) {
  if (p) std::free(unstamp(p, std::max(static_cast<size_t>(al), kHeader)));
}

void* ossl_malloc(size_t n, const char*, int) { return counted_malloc(n); }
void* ossl_realloc(void* p, size_t n, const char*, int) { return counted_realloc(p, n); }
void ossl_free(void* p, const char*, int) { counted_free(p); }

}  // namespace

SideStats side_stats(Side s) {
  const Counters& c = g_sides[static_cast<size_t>(s)];
  return {c.live.load(), c.peak.load(), c.count.load()};
}

void reset_peak(Side s) {
  Counters& c = g_sides[static_cast<size_t>(s)];
  c.peak.store(c.live.load());
}

SideScope::SideScope(Side s) : previous_(t_side) { t_side = s; }
SideScope::~SideScope() { t_side = previous_; }

bool install_openssl_counting() { return CRYPTO_set_mem_functions(ossl_malloc, ossl_realloc, ossl_free) == 1; }

}  // namespace sluice::bench

using sluice::bench::counted_aligned;
using sluice::bench::counted_aligned_free;
using sluice::bench::counted_free;
using sluice::bench::counted_malloc;

void* operator new(size_t n) {
  void* p = counted_malloc(n);
  if (!p) std::abort();  // no exceptions in this code base: out of memory ends the benchmark
  return p;
}
void* operator new[](size_t n) { return operator new(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept { return counted_malloc(n); }
void* operator new[](size_t n, const std::nothrow_t&) noexcept { return counted_malloc(n); }
void operator delete(void* p) noexcept { counted_free(p); }
void operator delete[](void* p) noexcept { counted_free(p); }
void operator delete(void* p, size_t) noexcept { counted_free(p); }
void operator delete[](void* p, size_t) noexcept { counted_free(p); }
void* operator new(size_t n, std::align_val_t a) {
  void* p = counted_aligned(n, a);
  if (!p) std::abort();
  return p;
}
void* operator new[](size_t n, std::align_val_t a) { return operator new(n, a); }
void operator delete(void* p, std::align_val_t a) noexcept { counted_aligned_free(p, a); }
void operator delete[](void* p, std::align_val_t a) noexcept { counted_aligned_free(p, a); }
void operator delete(void* p, size_t, std::align_val_t a) noexcept { counted_aligned_free(p, a); }
void operator delete[](void* p, size_t, std::align_val_t a) noexcept { counted_aligned_free(p, a); }
