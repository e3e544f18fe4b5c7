// What a Context keeps for its connections that is not configuration:
// the RELEASE_BUFFERS freelist, the shared peer-chain cache, and the memory
// of tickets used for 0-RTT. Engine-internal; not a public header.
#pragma once

#include <deque>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

#include "core/buffers.h"
#include "core/certificate_chain.h"
#include "core/context.h"
#include "core/tickets.h"

namespace sluice {

struct ContextInternals {
  BufferPool pool;
  ChainCache chain_cache;  // shares peer chains between this context's connections
  std::mutex replay_mu;
  std::deque<std::vector<uint8_t>> used_early_tickets;

  // claim_early_data_ticket records a ticket used for 0-RTT; false when it
  // was already used (a replay), within the bounded memory of recent uses.
  bool claim_early_data_ticket(std::span<const uint8_t> ticket);
};

// internals gives the engine the context's shared state (thread-safe parts).
ContextInternals& internals(const Context& c);

// key_log writes one NSS key-log line through the context's hook.
void key_log(const Context& c, std::string_view label, std::span<const uint8_t> client_random,
             std::span<const uint8_t> secret);

}  // namespace sluice
