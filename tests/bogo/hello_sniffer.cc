#include "tests/bogo/hello_sniffer.h"

#include <algorithm>
#include <array>

namespace sluice::bogo {

namespace {

// RFC 8446 §4.1.3: a HelloRetryRequest is a ServerHello with this random.
constexpr std::array<uint8_t, 32> kHrrRandom = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

constexpr uint8_t kHandshakeRecord = 22;
constexpr uint8_t kChangeCipherSpecRecord = 20;
constexpr uint8_t kServerHello = 2;
constexpr size_t kRecordHeader = 5;
// Handshake header (4), legacy_version (2), random (32).
constexpr size_t kNeeded = 4 + 2 + 32;

}  // namespace

void HelloSniffer::observe(std::span<const uint8_t> bytes) {
  if (decided_ || seen_ > kMaxSniffed) return;
  seen_ += bytes.size();
  stream_.insert(stream_.end(), bytes.begin(), bytes.end());
  size_t off = 0;
  while (!decided_ && stream_.size() - off >= kRecordHeader) {
    const uint8_t type = stream_[off];
    const size_t len = size_t{stream_[off + 3]} << 8 | stream_[off + 4];
    if (stream_.size() - off - kRecordHeader < len) break;
    const auto body = std::span<const uint8_t>(stream_).subspan(off + kRecordHeader, len);
    off += kRecordHeader + len;
    if (type == kChangeCipherSpecRecord) continue;
    if (type != kHandshakeRecord) {
      decided_ = true;  // an alert or garbage: no hello retry
      break;
    }
    handshake_.insert(handshake_.end(), body.begin(), body.end());
    if (handshake_.size() >= kNeeded) {
      decided_ = true;
      hrr_ = handshake_[0] == kServerHello && std::equal(kHrrRandom.begin(), kHrrRandom.end(), handshake_.begin() + 6);
    }
  }
  stream_.erase(stream_.begin(), stream_.begin() + static_cast<ptrdiff_t>(off));
}

}  // namespace sluice::bogo
