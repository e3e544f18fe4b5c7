#include "bench/sample.h"

#include <ctime>

namespace sluice::bench {
namespace {

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Not inlined, so the compiler cannot move it into the timed loop.
[[gnu::noinline]] void clear_upper_avx_state() {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx")) asm volatile("vzeroupper" ::: "memory");
#endif
}

}  // namespace

std::optional<double> sample_rate(const Op& op, double units_per_op, int sample_ms) {
  clear_upper_avx_state();
  const double start = thread_cpu_seconds();
  double elapsed = 0;
  long ops = 0;
  do {
    if (!op()) return std::nullopt;
    ++ops;
    elapsed = thread_cpu_seconds() - start;
  } while (elapsed < sample_ms * 1e-3);
  return static_cast<double>(ops) * units_per_op / elapsed;
}

}  // namespace sluice::bench
