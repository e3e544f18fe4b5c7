// EchoSession: the application protocol of tools/echo_server, written as an
// event-loop handler (adapters/want.h), one per connection. It shows the
// shape a server's protocol takes on EpollLoop or UringLoop: a small state
// machine whose step() makes one engine call and returns that call's Want.
//
// Protocol: after the handshake, if the first bytes are an HTTP request
// ("GET ", "HEAD", "POST"), the head is read (at most kMaxRequestHead
// bytes), a short 200 response is sent, then close_notify. Otherwise every
// byte read is written back until the peer sends close_notify, which is
// answered with ours.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "adapters/want.h"
#include "core/connection.h"

namespace sluice::tools {

class EchoSession {
 public:
  // kReadChunk is the per-connection read buffer: small, since a server
  // holds one per open connection.
  static constexpr size_t kReadChunk = 4096;
  // kMaxRequestHead: an HTTP head longer than this is refused (closed), so
  // a client cannot make us buffer without bound.
  static constexpr size_t kMaxRequestHead = 8192;

  adapters::Want step(Connection& c);

  uint64_t echoed() const { return echoed_; }
  bool served_http() const { return http_; }

 private:
  enum class Phase : uint8_t { kHandshake, kRead, kWrite, kShutdown };
  adapters::Want on_data(size_t n);

  Phase phase_ = Phase::kHandshake;
  bool first_read_ = true;
  bool http_ = false;
  std::vector<uint8_t> buf_;   // read into, and written back from
  std::string out_;            // HTTP: the head so far, then the response
  size_t out_len_ = 0, out_off_ = 0;
  const uint8_t* out_data_ = nullptr;
  uint64_t echoed_ = 0;
};

}  // namespace sluice::tools
