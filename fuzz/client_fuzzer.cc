// The full client fed a fuzzed server: the input is everything the server
// sends (ServerHello, the encrypted flight, then application-phase records),
// as recorded by the corpus generator and mutated. With the fuzzing provider
// every cryptographic check passes, so the fuzzer explores the state machine,
// the parsers behind it and the record layer (BoringSSL fuzz/client.cc).
#include <cstdint>

#include "fuzz/fuzz_env.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice;
  auto ctx = fuzz::client_context(fuzz::fresh_provider());
  Connection client = Connection::client(ctx, "localhost");
  (void)client.handshake();  // the ClientHello, which the recorded flight answers
  fuzz::drain(client);
  fuzz::feed_stream(client, std::span<const uint8_t>(data, size));
  return 0;
}
