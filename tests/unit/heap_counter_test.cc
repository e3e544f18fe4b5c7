// //base:heap_counter counts every operator new the program makes, the
// over-aligned ones included: the idle-connection figures of the demo and
// of modes_test rest on it.
#include "base/heap_counter.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <memory>

namespace sluice {
namespace {

struct alignas(64) CacheLineBlock {
  unsigned char bytes[192];
};

struct PlainBlock {
  unsigned char bytes[100];
};

template <typename T>
void check_counted() {
  const HeapStats before = heap_stats();
  auto one = std::make_unique<T>();
  auto many = std::make_unique<T[]>(3);
  const HeapStats held = heap_stats();
  CHECK(held.live_bytes - before.live_bytes >= static_cast<int64_t>(4 * sizeof(T)));
  CHECK(held.allocations - before.allocations == 2);
  CHECK(reinterpret_cast<uintptr_t>(one.get()) % alignof(T) == 0);
  CHECK(reinterpret_cast<uintptr_t>(many.get()) % alignof(T) == 0);
  one.reset();
  many.reset();
  CHECK(heap_stats().live_bytes == before.live_bytes);
}

TEST_CASE("heap_counter: ordinary allocations are counted and given back") { check_counted<PlainBlock>(); }

TEST_CASE("heap_counter: over-aligned allocations are counted, aligned, and given back") {
  check_counted<CacheLineBlock>();
}

TEST_CASE("heap_counter: the largest allocation since a reset is kept") {
  reset_largest_allocation();
  auto big = std::make_unique<unsigned char[]>(5000);
  auto small = std::make_unique<unsigned char[]>(10);
  CHECK(heap_stats().largest_allocation == 5000);
  big.reset();
  CHECK(heap_stats().largest_allocation == 5000);  // freeing does not lower it
  reset_largest_allocation();
  auto next = std::make_unique<unsigned char[]>(300);
  CHECK(heap_stats().largest_allocation == 300);
}

}  // namespace
}  // namespace sluice
