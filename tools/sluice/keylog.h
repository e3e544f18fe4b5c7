// Key logging to the file named by SSLKEYLOGFILE (NSS key log format), so
// Wireshark can decrypt what the tools send.
#pragma once

#include "core/context.h"

namespace sluice::tool {

// install_key_log appends the context's key-log lines to $SSLKEYLOGFILE when
// it is set. Returns false (with a message on stderr) if the file cannot be
// opened; an unset variable is not an error.
[[nodiscard]] bool install_key_log(Context& ctx);

}  // namespace sluice::tool
