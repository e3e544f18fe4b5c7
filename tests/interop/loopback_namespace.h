// A network namespace of the test's own with only loopback up, for peers
// that bind every address and have no option to bind one (selfserv, botan
// tls_server): inside it every address is 127.0.0.1 or ::1. The whole test
// process enters it, so the sluice side and the peers it starts (which
// inherit it) meet on the one loopback, and nothing is reachable from
// outside.
#pragma once

#include <cstdint>
#include <string>

#include "tests/interop/peer_process.h"

namespace sluice::interop {

// enter_loopback_namespace moves the process into a new network namespace
// (as root, or inside a new user namespace mapping the caller to root when
// not) and brings `lo` up. Only the first call acts (later ones return its
// result); make it before any thread starts. Returns an empty string on
// success, otherwise why it failed.
std::string enter_loopback_namespace();

// wait_listening waits, bounded, until a TCP socket in this namespace
// listens on `port` (from /proc/self/net/tcp and tcp6), for peers that print
// nothing once they listen.
bool wait_listening(uint16_t port, std::chrono::milliseconds timeout = kPeerTimeout);

}  // namespace sluice::interop
