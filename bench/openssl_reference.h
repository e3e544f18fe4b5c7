// The OpenSSL (libcrypto EVP) side of crypto_bench: the same operations the
// providers are timed on, so each row can be reported as a ratio to OpenSSL.
// OpenSSL is allowed only in bench/ and tests/ (third_party/BUILD.bazel).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "crypto/algorithms.h"

namespace sluice::bench {

// An operation to time: returns false if it failed (the row then reports an
// error instead of a rate). Holds whatever state it needs.
using Op = std::function<bool()>;

// openssl_aead_seal_open seals then opens one `message_len`-byte message in
// place with a fixed key, a fresh nonce per call and 13 bytes of AAD (the
// TLS 1.2 shape), reusing one EVP_CIPHER_CTX as a TLS stack would.
Op openssl_aead_seal_open(crypto::AeadAlg alg, size_t message_len);

// openssl_hash digests one `message_len`-byte message in one EVP_Digest call.
Op openssl_hash(crypto::HashAlg alg, size_t message_len);

// openssl_key_share generates an ephemeral key, encodes its public value and
// derives the secret with a fixed peer: one TLS key exchange for one side.
Op openssl_key_share(crypto::Group group);

// openssl_sign / openssl_verify sign or verify a 100-byte message with a key
// generated once (RSA: 2048 bits). nullptr op if OpenSSL refuses the setup.
Op openssl_sign(crypto::SignatureScheme scheme);
Op openssl_verify(crypto::SignatureScheme scheme);

}  // namespace sluice::bench
