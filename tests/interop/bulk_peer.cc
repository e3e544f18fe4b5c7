#include "tests/interop/bulk_peer.h"

namespace sluice::interop {

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  uint32_t x = 0x9e3779b9u * (seed + 1u);
  for (auto& b : v) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b = static_cast<uint8_t>(x);
  }
  return v;
}

adapters::Want BulkPeer::fail(Connection& c, const char* what) {
  failure_ = std::string(what) + ": " + std::string(describe(c.error().reason)) + " / " + c.error().detail;
  phase_ = Phase::kFailed;
  return adapters::Want::kClose;
}

void BulkPeer::next_after_transfer() {
  const bool received_all = in_.size() >= expect_;
  if (sent_ && received_all) {
    phase_ = Phase::kShutdown;
  } else if (!sent_ && (send_first_ || received_all)) {
    phase_ = Phase::kSend;
  } else {
    phase_ = Phase::kReceive;
  }
}

adapters::Want BulkPeer::step(Connection& c) {
  using adapters::Want;
  switch (phase_) {
    case Phase::kHandshake: {
      const Progress p = c.handshake();
      if (p.status == Status::kOk) {
        next_after_transfer();
        return Want::kAgain;
      }
      if (p.status == Status::kError || p.status == Status::kZeroReturn) return fail(c, "handshake");
      return adapters::want_for(p);
    }
    case Phase::kSend: {
      // The rest in one call: the engine says kWantWrite each time its
      // outbound buffer fills and remembers how far it got; the retry passes
      // the same buffer. With ENABLE_PARTIAL_WRITE it returns after a record.
      const Progress p = c.write(std::span(out_).subspan(sent_bytes_));
      if (p.status == Status::kOk) {
        sent_bytes_ += p.bytes;
        sent_ = sent_bytes_ == out_.size();
        next_after_transfer();
        return Want::kAgain;
      }
      if (p.status == Status::kError || p.status == Status::kZeroReturn) return fail(c, "write");
      return adapters::want_for(p);
    }
    case Phase::kReceive: {
      uint8_t buf[16384];
      const Progress p = c.read(buf);
      if (p.status == Status::kOk) {
        in_.insert(in_.end(), buf, buf + p.bytes);
        next_after_transfer();
        return Want::kAgain;
      }
      if (p.status == Status::kError || p.status == Status::kZeroReturn) return fail(c, "read");
      return adapters::want_for(p);
    }
    case Phase::kShutdown: {
      const Progress p = c.shutdown();
      if (p.status == Status::kOk) {
        phase_ = Phase::kDone;
        return Want::kClose;
      }
      if (p.status == Status::kError || p.status == Status::kZeroReturn) return fail(c, "shutdown");
      return adapters::want_for(p);
    }
    case Phase::kDone:
    case Phase::kFailed:
      return Want::kClose;
  }
  return Want::kClose;
}

}  // namespace sluice::interop
