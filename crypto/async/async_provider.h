// The async offload provider: wraps any provider and runs private-key
// signatures on a worker thread. sign() answers kPending at once; the
// signer's completion_fd() (an eventfd) becomes readable when the signature
// is ready, and the same sign() call then returns it. This is the provider
// side of the ASYNC mode: with kModeAsync the engine reports kWantAsync,
// without it the engine waits on the fd itself.
#pragma once

#include <memory>

#include "crypto/provider.h"

namespace sluice::crypto {

std::unique_ptr<Provider> make_async_provider(std::shared_ptr<const Provider> base);

}  // namespace sluice::crypto
