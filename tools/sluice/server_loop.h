// s_server -loop epoll|uring: many connections at once on one of the
// event-loop adapters, each echoing (or, with -www, answering one request).
// No stdin commands here: they would need to name a connection.
#pragma once

#include <memory>
#include <string>

#include "adapters/net/fd.h"
#include "core/context.h"

namespace sluice::tool {

// serve_on_loop serves `listener` until `naccept` connections have closed
// (forever when negative). Returns the exit status: 1 if the loop failed or
// any connection ended in a TLS or transport error.
int serve_on_loop(const std::string& kind, net::Fd listener, std::shared_ptr<const Context> ctx, long naccept,
                  bool www, bool quiet);

}  // namespace sluice::tool
