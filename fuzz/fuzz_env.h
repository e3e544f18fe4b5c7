// Shared setup for the engine fuzz targets and the corpus generator: the
// fuzzing provider, contexts, and a verifier that accepts any certificate.
// Everything here is for fuzzing only.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/connection.h"
#include "crypto/fuzzing/danger_fuzzing_provider.h"

namespace sluice::fuzz {

// fresh_provider returns a new DangerFuzzingProvider (hashes from the default
// provider). One per input keeps every run reproducible from its bytes alone.
std::shared_ptr<crypto::DangerFuzzingProvider> fresh_provider();

// A fixed clock (2026-01-01) so certificate validity never depends on the
// day a corpus is replayed.
inline constexpr int64_t kFuzzNow = 1767225600;

// client_context: DangerAcceptAnyCertificateVerifier, ALPN h2/http1.1.
std::shared_ptr<Context> client_context(std::shared_ptr<const crypto::Provider> p);
// server_context: an Ed25519 "certificate" of `chain` (any bytes; the
// default is the certificate the generator records) with a fixed signer.
std::shared_ptr<Context> server_context(std::shared_ptr<const crypto::Provider> p,
                                        std::vector<std::vector<uint8_t>> chain = {});

// apply_server_config applies the server fuzzer's settings byte: 0x01 no
// ALPN, 0x02 TLS 1.2 as the highest version (and a client without the
// extended master secret taken), 0x04 only the SHA-384 suite,
// 0x08 0-RTT accepted, 0x10 client certificate requested, 0x20 required,
// 0x40 P-256 only (a HelloRetryRequest for the usual client), 0x80
// middlebox compatibility mode.
void apply_server_config(Context& ctx, uint8_t bits);

// drain discards everything `c` has to send.
void drain(Connection& c);
// transfer moves at most `max` bytes from `from` to `to`; returns the count.
size_t transfer(Connection& from, Connection& to, size_t max = SIZE_MAX);
// handshake runs both sides to completion in memory; false if they fail or
// stall.
bool handshake(Connection& client, Connection& server);

// feed_stream runs one side of a conversation: `input` is everything the
// peer sends, fed as the connection takes it, with handshake(), read(),
// an answering write(), key_update() and shutdown() in between, until the
// input is used up or the connection fails.
void feed_stream(Connection& c, std::span<const uint8_t> input);

}  // namespace sluice::fuzz
