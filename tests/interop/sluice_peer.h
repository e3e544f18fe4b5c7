// The sluice side of an interop test, over BlockingStream on 127.0.0.1.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "adapters/net/fd.h"
#include "core/connection.h"

namespace sluice::interop {

// What one TLS session did, as seen from sluice.
struct SessionOutcome {
  bool handshake_ok = false;
  Negotiated negotiated;
  std::string received;     // application data received
  bool clean_close = false; // close_notify sent and received
  std::string error;        // first failure, empty when none
  // 20 bytes exported under kExporterLabel without context, in hex.
  std::string exported;
};
inline constexpr const char* kExporterLabel = "EXPERIMENTAL sluice interop";

// Who sends close_notify first once the data has been exchanged.
enum class CloseOrder { kSluiceFirst, kPeerFirst };

// SluiceServer serves one connection on a free 127.0.0.1 port in a thread:
// handshake, read `expect` bytes, echo them back, then close: with
// kSluiceFirst send close_notify and wait for the peer's; with kPeerFirst
// wait for the peer's close_notify, then answer it. Socket timeouts bound
// every wait.
class SluiceServer {
 public:
  static std::unique_ptr<SluiceServer> start(std::shared_ptr<Context> ctx, size_t expect,
                                             CloseOrder order = CloseOrder::kSluiceFirst);
  ~SluiceServer();
  uint16_t port() const { return port_; }
  // join waits for the session to end and returns what happened.
  SessionOutcome join();

 private:
  SluiceServer() = default;
  void serve(std::shared_ptr<Context> ctx, size_t expect, CloseOrder order);

  net::Fd listener_;
  uint16_t port_ = 0;
  std::thread thread_;
  SessionOutcome outcome_;
};

// run_client connects to 127.0.0.1:port, handshakes, sends `msg`, reads
// until `expect` bytes arrived, sends close_notify and waits for the peer's.
SessionOutcome run_client(std::shared_ptr<Context> ctx, uint16_t port, const std::string& server_name,
                          const std::string& msg, size_t expect);

// run_request connects to 127.0.0.1:port, handshakes, sends `request` and
// reads everything until the peer's close_notify, for servers that answer
// one request and close (selfserv, HTTP/1.0 servers). clean_close says the
// close_notify came.
SessionOutcome run_request(std::shared_ptr<Context> ctx, uint16_t port, const std::string& server_name,
                           const std::string& request);

}  // namespace sluice::interop
