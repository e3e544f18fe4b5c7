// A counting global allocator: live heap bytes and the number of
// allocations, for the memory and allocations-per-record measurements of
// tests, benchmarks and the demo. Linking //base:heap_counter replaces
// operator new/delete in the whole binary: never link it into a library.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sluice {

struct HeapStats {
  int64_t live_bytes;
  uint64_t allocations;
  // The largest single allocation since reset_largest_allocation() (or
  // the start): a test's proof that a size the peer declared was never
  // allocated.
  uint64_t largest_allocation;
};
HeapStats heap_stats();
void reset_largest_allocation();

}  // namespace sluice
