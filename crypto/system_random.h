// Randomness for the providers: the kernel's, and a per-thread generator
// seeded from it.
//
// getrandom(2) costs a system call, about 1.2 µs on the benchmark VM, and
// a handshake asks for randomness four to seven times (randoms, key
// shares, session ids, ticket nonces). system_random draws instead from a
// ChaCha20 generator per thread with fast key erasure: each refill of the
// pool also replaces the key, and served bytes are wiped, so a later
// compromise of the state reveals nothing already handed out. It reseeds
// from the kernel after every 64 KiB and in a child, however it was made
// (fork(), _Fork(), clone() without CLONE_VM).
#pragma once

#include "crypto/provider.h"

namespace sluice::crypto {

// kernel_random fills `out` from getrandom(2), retrying short reads and
// EINTR (a bounded number of times, so a broken kernel interface cannot
// hang a handshake).
[[nodiscard]] CStatus kernel_random(MutBytes out);

// system_random fills `out` from this thread's generator. Thread-safe; fails
// only when the kernel cannot seed it (kRandomFailed).
[[nodiscard]] CStatus system_random(MutBytes out);

}  // namespace sluice::crypto
