// X25519 on AVX-512 IFMA against libsodium, input by input: the ladder
// (agreement) and the Edwards-table path (public values) must give
// libsodium's bytes, and the ladder must refuse exactly the inputs
// libsodium refuses (an all-zero result, RFC 8446 §7.4.2). The field code
// keeps limbs unreduced between operations, so the inputs worth finding are
// the ones whose carries land on a bound; UBSan watches the shifts.
// Input: 32 bytes of scalar, then 32 bytes of u (missing bytes are zero).
#include <sodium.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>

#include "crypto/x25519/x25519_ifma.h"

namespace x25519 = sluice::crypto::x25519;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool ifma = [] {
    if (sodium_init() < 0) __builtin_trap();
    const bool available = x25519::ifma_available();
    // Not a silent pass: a replay on a CPU without IFMA says it compared
    // nothing.
    if (!available) std::fprintf(stderr, "x25519_fuzzer: this CPU lacks AVX512IFMA/VL; nothing compared\n");
    return available;
  }();
  if (!ifma) return 0;

  std::array<uint8_t, 64> in{};
  std::memcpy(in.data(), data, size < in.size() ? size : in.size());
  const std::span<const uint8_t, 32> scalar(in.data(), 32), u(in.data() + 32, 32);

  std::array<uint8_t, 32> ours{}, theirs{};
  const bool ok = x25519::x25519_ifma(ours, scalar, u);
  const bool sodium_ok = crypto_scalarmult(theirs.data(), scalar.data(), u.data()) == 0;
  if (ok != sodium_ok) __builtin_trap();
  if (ok && ours != theirs) __builtin_trap();

  x25519::x25519_base_ifma(ours, scalar);
  if (crypto_scalarmult_base(theirs.data(), scalar.data()) != 0 || ours != theirs) __builtin_trap();
  return 0;
}
