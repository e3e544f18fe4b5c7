// HelloSniffer watches the server-to-client byte stream of a connection
// and says whether the server's first handshake message was a
// HelloRetryRequest (-expect-hrr, -expect-no-hrr): sluice's negotiated()
// does not report it, but the wire does. It reassembles the plaintext
// handshake records at the start of the stream (the runner may split or
// pack them) and stops as soon as the ServerHello's random is known.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace sluice::bogo {

class HelloSniffer {
 public:
  // observe takes the next bytes of the server's stream, in order.
  void observe(std::span<const uint8_t> bytes);
  // decided: the server's first handshake message has been seen.
  bool decided() const { return decided_; }
  bool hello_retry_request() const { return hrr_; }

 private:
  // The most stream bytes looked at: a ServerHello's first 38 bytes come
  // long before this, however the records are split.
  static constexpr size_t kMaxSniffed = 1 << 16;

  std::vector<uint8_t> stream_;     // records not yet parsed
  std::vector<uint8_t> handshake_;  // handshake bytes reassembled so far
  size_t seen_ = 0;
  bool decided_ = false;
  bool hrr_ = false;
};

}  // namespace sluice::bogo
