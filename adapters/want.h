// Want: what an event-loop handler waits for before it can go on. The epoll
// and io_uring loops call a connection's handler, which makes engine calls
// and returns the Want of the call it stopped on; the loop then moves bytes
// and calls it again when that wait is over.
#pragma once

#include <cstdint>

#include "core/connection.h"

namespace sluice::adapters {

enum class Want : uint8_t {
  kRead,   // more bytes from the peer (or the engine's buffered records)
  kWrite,  // outbound() to drain
  kAsync,  // the engine's async_fd() to become readable
  kAgain,  // call again at once: progress was made
  kClose,  // done: flush what is left, then close the transport
};

// want_for maps the Progress of an engine call to the loop's Want. A clean
// close and an error both end the connection; the handler can look at
// Connection::error() first if it cares which.
constexpr Want want_for(Progress p) {
  switch (p.status) {
    case Status::kOk: return Want::kAgain;
    case Status::kWantRead: return Want::kRead;
    case Status::kWantWrite: return Want::kWrite;
    case Status::kWantAsync: return Want::kAsync;
    case Status::kZeroReturn:
    case Status::kError: return Want::kClose;
  }
  return Want::kClose;
}

}  // namespace sluice::adapters
