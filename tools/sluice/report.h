// Human-readable names for what a connection negotiated.
#pragma once

#include <cstdint>
#include <string>

#include "core/connection.h"

namespace sluice::tool {

// cipher_suite_name gives the RFC 8446 name ("TLS_AES_128_GCM_SHA256").
std::string cipher_suite_name(uint16_t suite);
// describe_negotiated is one "key: value" line per negotiated parameter.
std::string describe_negotiated(const Negotiated& n);

}  // namespace sluice::tool
