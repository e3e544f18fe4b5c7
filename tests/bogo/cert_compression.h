// The runner's three mock certificate compression algorithms (runner.go's
// shrinking, expanding and random ones), which the shim registers for
// -install-cert-compression-algs or -install-one-cert-compression-alg.
#pragma once

#include "core/context.h"
#include "tests/bogo/flags.h"

namespace sluice::bogo {

// install_cert_compression registers what `c` asks for on `ctx`, in
// BoringSSL's shim order (expanding, shrinking, random): a server prefers
// the first it registered.
void install_cert_compression(const Config& c, Context& ctx);

}  // namespace sluice::bogo
