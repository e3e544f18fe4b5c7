#include "base/heap_counter.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {

std::atomic<int64_t> g_live{0};
std::atomic<uint64_t> g_count{0};
// Each block starts with its size, so delete knows what it frees.
constexpr size_t kHeader = alignof(std::max_align_t);

void* counted_alloc(size_t n) {
  auto* p = static_cast<unsigned char*>(std::malloc(n + kHeader));
  if (!p) throw std::bad_alloc();
  *reinterpret_cast<size_t*>(p) = n;
  g_live += static_cast<int64_t>(n);
  ++g_count;
  return p + kHeader;
}

void counted_free(void* q) {
  if (!q) return;
  auto* p = static_cast<unsigned char*>(q) - kHeader;
  g_live -= static_cast<int64_t>(*reinterpret_cast<size_t*>(p));
  std::free(p);
}

}  // namespace

void* operator new(size_t n) { return counted_alloc(n); }
void* operator new[](size_t n) { return counted_alloc(n); }
void operator delete(void* p) noexcept { counted_free(p); }
void operator delete[](void* p) noexcept { counted_free(p); }
void operator delete(void* p, size_t) noexcept { counted_free(p); }
void operator delete[](void* p, size_t) noexcept { counted_free(p); }

namespace sluice {

HeapStats heap_stats() { return {g_live.load(), g_count.load()}; }

}  // namespace sluice
