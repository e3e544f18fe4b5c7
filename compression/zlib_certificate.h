// zlib certificate compression (RFC 8879 §3: algorithm 1, the zlib format
// of RFC 1950) over Debian's libz, for Context::add_certificate_compression:
//
//   ctx->add_certificate_compression(sluice::compression::zlib_certificate_compression());
#pragma once

#include <cstdint>

#include "core/context.h"

namespace sluice::compression {

inline constexpr uint16_t kZlibAlgorithm = 1;

// zlib_certificate_compression compresses and decompresses. zlib's own
// state is allocated per call and freed before it returns: about 64 KiB
// while compressing (a window and hash of 2^13 entries each: certificate
// chains are a few kilobytes), about 40 KiB while decompressing (any
// window the peer chose, up to 32 KiB).
CertificateCompression zlib_certificate_compression();

}  // namespace sluice::compression
