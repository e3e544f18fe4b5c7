// -msg / -trace: the context's message callback prints one line per
// handshake message and alert in each direction (stderr), like openssl -msg.
#pragma once

#include "core/context.h"

namespace sluice::tool {

// install_trace makes the printer the message callback of `ctx`.
void install_trace(Context& ctx);

}  // namespace sluice::tool
