// One benchmark sample: an operation repeated for a span of thread CPU time.
#pragma once

#include <optional>

#include "bench/openssl_reference.h"  // Op

namespace sluice::bench {

// sample_rate clears the upper AVX state (vzeroupper: OpenSSL's AVX2 code
// leaves it dirty, which slows the SSE AES-GCM of libsodium and BearSSL
// until cleared), then runs `op` until `sample_ms` of this thread's CPU time
// have passed, and returns units_per_op × runs per CPU second; nullopt as
// soon as `op` fails.
std::optional<double> sample_rate(const Op& op, double units_per_op, int sample_ms);

}  // namespace sluice::bench
