#include "compression/zlib_certificate.h"

#include <zlib.h>

#include <limits>

namespace sluice::compression {

namespace {

// Deflate settings sized for certificate chains rather than zlib's
// defaults (a 32 KiB window and 2^15 hash entries, 256 KiB of state).
constexpr int kWindowBits = 13;
constexpr int kMemLevel = 6;

bool zlib_compress(std::span<const uint8_t> in, std::vector<uint8_t>& out) {
  if (in.size() > std::numeric_limits<uInt>::max()) return false;
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, kWindowBits, kMemLevel, Z_DEFAULT_STRATEGY) != Z_OK) {
    return false;  // declined: the Certificate goes uncompressed
  }
  const size_t at = out.size();
  const uLong bound = deflateBound(&z, static_cast<uLong>(in.size()));
  out.resize(at + bound);
  z.next_in = const_cast<Bytef*>(in.data());  // zlib's API is not const-correct; it only reads
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = out.data() + at;
  z.avail_out = static_cast<uInt>(bound);
  const int rc = deflate(&z, Z_FINISH);
  const size_t written = bound - z.avail_out;
  deflateEnd(&z);
  out.resize(at + (rc == Z_STREAM_END ? written : 0));
  return rc == Z_STREAM_END;
}

std::optional<size_t> zlib_decompress(std::span<const uint8_t> in, std::span<uint8_t> out) {
  if (in.size() > std::numeric_limits<uInt>::max() || out.size() > std::numeric_limits<uInt>::max()) {
    return std::nullopt;
  }
  z_stream z{};
  if (inflateInit(&z) != Z_OK) return std::nullopt;
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&z, Z_FINISH);
  const size_t written = out.size() - z.avail_out;
  const bool whole = z.avail_in == 0;  // nothing after the stream's end
  inflateEnd(&z);
  // Z_BUF_ERROR: the stream goes on past `out`, longer than declared.
  if (rc != Z_STREAM_END || !whole) return std::nullopt;
  return written;
}

}  // namespace

CertificateCompression zlib_certificate_compression() {
  return {kZlibAlgorithm, zlib_compress, zlib_decompress};
}

}  // namespace sluice::compression
