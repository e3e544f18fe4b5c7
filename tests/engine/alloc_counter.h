// A counting global allocator for tests: live heap bytes and the number of
// allocations, for memory and allocations-per-record measurements. Linking
// :alloc_counter replaces operator new/delete in the whole test binary.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sluice::test {

struct HeapStats {
  int64_t live_bytes;
  uint64_t allocations;
};
HeapStats heap_stats();

}  // namespace sluice::test
