// sign_or_wait: one signature by a signer that may be asynchronous. The
// caller keeps `pending` across calls (in its handshake state) and calls
// again with the same content until a signature comes back.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "core/bytes.h"
#include "core/error.h"
#include "crypto/provider.h"

namespace sluice {

// Returns the signature, or nullopt while it is pending (wait for
// pending->completion_fd(), or let the engine wait). An empty signature
// from a signer is an error, never sent.
TlsResult<std::optional<std::vector<uint8_t>>> sign_or_wait(crypto::Signer& signer, crypto::SignatureScheme scheme,
                                                           Bytes content,
                                                           std::unique_ptr<crypto::PendingSignature>& pending);

}  // namespace sluice
