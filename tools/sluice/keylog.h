// Key logging (NSS key log format), so Wireshark can decrypt what the tools
// send: to -keylogfile FILE, else to the file named by SSLKEYLOGFILE.
#pragma once

#include <string>

#include "core/context.h"

namespace sluice::tool {

// install_key_log appends the context's key-log lines to `path` (or, when
// empty, $SSLKEYLOGFILE when set). Returns false (with a message on stderr)
// if the file cannot be opened; no file at all is not an error.
[[nodiscard]] bool install_key_log(Context& ctx, std::string path);

}  // namespace sluice::tool
