// Shared fixtures for engine tests: certificates made at test time, the two
// provider orders, contexts, and an in-memory transport between two
// connections.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/connection.h"
#include "crypto/provider.h"

namespace sluice::test {

// A certificate and its key, made by the openssl command line in
// $TEST_TMPDIR (self-signed, SAN DNS:localhost and IP:127.0.0.1).
struct TestCert {
  crypto::KeyType type;
  std::vector<uint8_t> der;
  std::string key_pem;
};
const TestCert& test_cert(crypto::KeyType type);

std::shared_ptr<const crypto::Provider> sodium_first();
std::shared_ptr<const crypto::Provider> bearssl_first();

// signer_for makes `cert`'s private key into a signer of `provider`
// (aborts if the test key does not load).
std::shared_ptr<crypto::Signer> signer_for(const crypto::Provider& provider, const TestCert& cert);
// server_context serves `cert` using `provider` for its signer.
std::shared_ptr<Context> server_context(std::shared_ptr<const crypto::Provider> provider, const TestCert& cert);
// client_context pins `cert` as the only acceptable server certificate.
std::shared_ptr<Context> client_context(std::shared_ptr<const crypto::Provider> provider, const TestCert& cert);

// transfer moves everything `from` has to send into `to`, `max_chunk`
// bytes per feed call. Returns the bytes moved.
size_t transfer(Connection& from, Connection& to, size_t max_chunk = SIZE_MAX);

// handshake runs both sides until both finish or one fails. Returns true
// when both completed.
bool handshake(Connection& client, Connection& server, size_t max_chunk = SIZE_MAX);

std::string describe(const Connection& c);

// drain takes everything the connection has to send.
std::vector<uint8_t> drain(Connection& c);
// feed_all gives the connection all of `bytes` (as far as it takes them).
void feed_all(Connection& c, std::span<const uint8_t> bytes);
// read_available reads everything `c` can return now (calling again while
// records are buffered, as a caller without AUTO_RETRY must).
std::vector<uint8_t> read_available(Connection& c);
// pattern is n reproducible pseudo-random bytes.
std::vector<uint8_t> pattern(size_t n, uint32_t seed);

}  // namespace sluice::test
