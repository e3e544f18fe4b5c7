// BulkPeer: an event-loop handler that runs the handshake, then sends and
// receives a fixed amount of data (in an order chosen per side, so two peers
// never both wait to write), then closes with close_notify both ways. Used
// to test the epoll and io_uring adapters.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "adapters/want.h"
#include "core/connection.h"

namespace sluice::interop {

// pattern is `n` bytes that differ per position and per `seed`.
std::vector<uint8_t> pattern(size_t n, uint8_t seed);

class BulkPeer {
 public:
  BulkPeer(std::vector<uint8_t> to_send, size_t to_receive, bool send_first)
      : out_(std::move(to_send)), expect_(to_receive), send_first_(send_first) {}

  adapters::Want step(Connection& c);

  bool done() const { return phase_ == Phase::kDone; }
  const std::vector<uint8_t>& received() const { return in_; }
  // failure names the engine error or unexpected close that ended the run.
  const std::string& failure() const { return failure_; }

 private:
  enum class Phase : uint8_t { kHandshake, kSend, kReceive, kShutdown, kDone, kFailed };
  adapters::Want fail(Connection& c, const char* what);
  void next_after_transfer();

  std::vector<uint8_t> out_;
  std::vector<uint8_t> in_;
  size_t expect_;
  bool send_first_;
  size_t sent_bytes_ = 0;
  bool sent_ = false;
  Phase phase_ = Phase::kHandshake;
  std::string failure_;
};

}  // namespace sluice::interop
