// The async offload provider: wraps any provider and runs private-key
// signatures on a pool of worker threads. A signer's start_sign() answers
// at once with a PendingSignature: one per operation, owned by the
// connection that asked, with its own eventfd that becomes readable when the
// signature is ready and an optional completion callback. Any number may be
// in flight per signer; an abandoned one (its connection destroyed) is
// skipped or its result dropped. This is the provider side of the ASYNC
// mode: with kModeAsync the engine reports kWantAsync, without it the engine
// waits for the operation itself.
#pragma once

#include <memory>

#include "crypto/provider.h"

namespace sluice::crypto {

// make_async_provider: `workers` threads sign for every signer the
// provider makes (they stop when the provider and its signers are gone).
std::unique_ptr<Provider> make_async_provider(std::shared_ptr<const Provider> base, unsigned workers = 2);

}  // namespace sluice::crypto
