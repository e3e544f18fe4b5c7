// The full server fed fuzzed client flights: the input is everything a client
// sends (ClientHello, then its second flight and application-phase records),
// as recorded by the corpus generator and mutated, including resumption
// with 0-RTT (tickets open in every fuzzing server, see fuzz_env.cc). The
// first byte picks server settings (fuzz::apply_server_config) so their
// paths are reachable too: HelloRetryRequest, client certificates, 0-RTT,
// middlebox compatibility, TLS 1.2 as the highest version.
#include <cstdint>

#include "fuzz/fuzz_env.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice;
  if (size < 1) return 0;
  auto ctx = fuzz::server_context(fuzz::fresh_provider());
  fuzz::apply_server_config(*ctx, data[0]);
  Connection server = Connection::server(ctx);
  fuzz::feed_stream(server, std::span<const uint8_t>(data + 1, size - 1));
  return 0;
}
