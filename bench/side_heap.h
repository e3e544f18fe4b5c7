// A counting global allocator that charges every heap call to a "side"
// (client, server, or other), for tls_bench's memory and allocation rows.
//
// Both libraries are measured the same way: C++ operator new/delete (sluice)
// and OpenSSL's CRYPTO_malloc family (installed with
// CRYPTO_set_mem_functions) go through the same counters. The harness sets
// the side around each call into a connection, so a client and a server
// pumped in one thread are told apart; each block remembers the side that
// allocated it, so a free is charged back to that side whoever frees it.
//
// Linking this replaces operator new/delete in the whole binary (it is why
// tls_bench does not use //base:heap_counter, which has no sides or peaks).
// The counters are relaxed atomics updated by plain load and store: the
// benchmark is single-threaded, and a locked add per heap call would slow
// the timed rows of the library that allocates most.
#pragma once

#include <cstdint>

namespace sluice::bench {

enum class Side : uint8_t { kOther = 0, kClient = 1, kServer = 2 };

struct SideStats {
  int64_t live_bytes;    // requested bytes currently allocated
  int64_t peak_bytes;    // highest live_bytes since the last reset_peak
  uint64_t allocations;  // allocation calls (malloc, new, and realloc) so far
};

SideStats side_stats(Side s);
// reset_peak sets the side's peak to its current live bytes.
void reset_peak(Side s);

// SideScope charges heap calls on this thread to `s` until it ends.
class SideScope {
 public:
  explicit SideScope(Side s);
  ~SideScope();
  SideScope(const SideScope&) = delete;
  SideScope& operator=(const SideScope&) = delete;

 private:
  Side previous_;
};

// install_openssl_counting routes libcrypto/libssl's heap calls through
// the counters. It must run before OpenSSL allocates anything (first thing
// in main); false if OpenSSL refused because it already had.
bool install_openssl_counting();

}  // namespace sluice::bench
