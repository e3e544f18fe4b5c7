#include "base/heap_counter.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>

namespace {

std::atomic<int64_t> g_live{0};
std::atomic<uint64_t> g_count{0};
std::atomic<uint64_t> g_largest{0};

void note_size(size_t n) {
  uint64_t seen = g_largest.load(std::memory_order_relaxed);
  while (n > seen && !g_largest.compare_exchange_weak(seen, n, std::memory_order_relaxed)) {
  }
}
// Each block starts with its size, so delete knows what it frees.
constexpr size_t kHeader = alignof(std::max_align_t);

void* counted_alloc(size_t n) {
  auto* p = static_cast<unsigned char*>(std::malloc(n + kHeader));
  if (!p) throw std::bad_alloc();
  *reinterpret_cast<size_t*>(p) = n;
  g_live += static_cast<int64_t>(n);
  ++g_count;
  note_size(n);
  return p + kHeader;
}

void counted_free(void* q) {
  if (!q) return;
  auto* p = static_cast<unsigned char*>(q) - kHeader;
  g_live -= static_cast<int64_t>(*reinterpret_cast<size_t*>(p));
  std::free(p);
}

// Over-aligned types (C++17 aligned new: an AES-GCM key schedule is 64-byte
// aligned) take the other operator new; without these their bytes would
// not be counted. The header takes a whole `align` so the block stays
// aligned, and its size sits in the header's last word, just before it.
void* counted_aligned_alloc(size_t n, std::align_val_t al) {
  const size_t a = std::max(static_cast<size_t>(al), kHeader);
  const size_t total = (n + a + a - 1) / a * a;  // aligned_alloc wants a multiple of the alignment
  auto* p = static_cast<unsigned char*>(std::aligned_alloc(a, total));
  if (!p) throw std::bad_alloc();
  reinterpret_cast<size_t*>(p + a)[-1] = n;
  g_live += static_cast<int64_t>(n);
  ++g_count;
  note_size(n);
  return p + a;
}

void counted_aligned_free(void* q, std::align_val_t al) {
  if (!q) return;
  const size_t a = std::max(static_cast<size_t>(al), kHeader);
  auto* block = static_cast<unsigned char*>(q);
  g_live -= static_cast<int64_t>(reinterpret_cast<size_t*>(block)[-1]);
  std::free(block - a);
}

}  // namespace

void* operator new(size_t n) { return counted_alloc(n); }
void* operator new[](size_t n) { return counted_alloc(n); }
void operator delete(void* p) noexcept { counted_free(p); }
void operator delete[](void* p) noexcept { counted_free(p); }
void operator delete(void* p, size_t) noexcept { counted_free(p); }
void operator delete[](void* p, size_t) noexcept { counted_free(p); }
void* operator new(size_t n, std::align_val_t a) { return counted_aligned_alloc(n, a); }
void* operator new[](size_t n, std::align_val_t a) { return counted_aligned_alloc(n, a); }
void operator delete(void* p, std::align_val_t a) noexcept { counted_aligned_free(p, a); }
void operator delete[](void* p, std::align_val_t a) noexcept { counted_aligned_free(p, a); }
void operator delete(void* p, size_t, std::align_val_t a) noexcept { counted_aligned_free(p, a); }
void operator delete[](void* p, size_t, std::align_val_t a) noexcept { counted_aligned_free(p, a); }

namespace sluice {

HeapStats heap_stats() { return {g_live.load(), g_count.load(), g_largest.load()}; }

void reset_largest_allocation() { g_largest.store(0); }

}  // namespace sluice
