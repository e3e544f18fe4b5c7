// s_server -loop epoll|uring: many connections at once on one of the
// event-loop adapters, each echoing (or, with -www, answering one request).
// No stdin commands here: they would need to name a connection.
#pragma once

#include <memory>
#include <string>

#include "adapters/net/fd.h"
#include "core/context.h"
#include "tools/sluice/options.h"

namespace sluice::tool {

struct LoopSettings {
  long naccept = -1;         // connections to serve before exiting; negative: forever
  bool www = false;          // answer one GET with the status page instead of echoing
  bool quiet = false;        // no report
  bool client_auth = false;  // -verify/-Verify (or -CAfile) was given: report the client certificate
  std::optional<ExportRequest> exported;  // -keymatexport: printed after each handshake
};

// serve_on_loop serves `listener` until `settings.naccept` connections have
// closed. Returns the exit status: 1 if the loop failed or any connection
// ended in a TLS or transport error.
int serve_on_loop(const std::string& kind, net::Fd listener, std::shared_ptr<const Context> ctx,
                  const LoopSettings& settings);

}  // namespace sluice::tool
