// The shim's transport: a TCP connection to the runner and the loop that
// moves ciphertext between it and a sluice Connection. Each call of run()
// repeats one engine call until it stops asking for I/O, doing what each
// want-status asks: drain outbound() on kWantWrite, receive on kWantRead,
// wait for async_fd() on kWantAsync.
//
// In -async mode bytes go in one at a time through feed() and out one at a
// time through outbound_consumed(1), so every partial-record path of the
// engine is exercised, and the provider's signatures complete on a worker
// thread (kWantAsync).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/connection.h"
#include "tests/bogo/hello_sniffer.h"

namespace sluice::bogo {

// connect_to_runner opens the TCP connection of one test connection and
// sends the shim id (8 bytes, little-endian). Returns the fd, or -1.
int connect_to_runner(int port, bool ipv6, int64_t shim_id, std::string& out_error);

// How many kWantRead answers in a row while wants_read() is false (complete
// records buffered) the driver accepts before calling the engine stuck; the
// engine holds far fewer records.
inline constexpr int kMaxPendingSpins = 1 << 16;

class Driver {
 public:
  // `is_server` says which direction carries the server's hello: what we
  // send (server) or what we receive (client).
  Driver(int fd, Connection& conn, bool byte_at_a_time, bool is_server)
      : fd_(fd), conn_(conn), byte_at_a_time_(byte_at_a_time), is_server_(is_server) {}

  // run calls `op` until it returns kOk, kZeroReturn or kError. A failure of
  // the transport itself is reported as kError with transport_error() set.
  //
  // `eager_flush` false leaves what the engine produced while waiting for
  // input (KeyUpdate replies) in outbound() until the next write or the
  // end of the call, as BoringSSL does: the runner counts the replies to a
  // burst of KeyUpdates.
  template <class Op>
  Progress run(Op&& op, bool eager_flush = true) {
    int pending_spins = 0;
    while (true) {
      const Progress p = op();
      switch (p.status) {
        case Status::kOk:
        case Status::kZeroReturn:
          if (eager_flush && !flush()) return Progress{Status::kError, 0};
          return p;
        case Status::kError:
          (void)flush();  // the alert, if the peer still listens
          return p;
        case Status::kWantWrite:
          if (!flush()) return Progress{Status::kError, 0};
          continue;
        case Status::kWantAsync:
          if (!flush()) return Progress{Status::kError, 0};
          if (!wait_async()) return Progress{Status::kError, 0};
          continue;
        case Status::kWantRead:
          if (!conn_.wants_read()) {
            // The next record is already here. Each call consumes one, so
            // a long run of these without input means the engine is stuck.
            if (++pending_spins > kMaxPendingSpins) {
              transport_error_ = "engine stuck: kWantRead while wants_read() stays false";
              return Progress{Status::kError, 0};
            }
            continue;
          }
          pending_spins = 0;
          if (eager_flush && !flush()) return Progress{Status::kError, 0};
          if (!receive()) return Progress{Status::kError, 0};
          continue;
      }
    }
  }

  // flush sends everything in outbound(); false on a transport error.
  bool flush();
  // transport_error is set when the socket, not TLS, failed (or the engine
  // asked for input after the peer had closed).
  const std::string& transport_error() const { return transport_error_; }
  // sniffer saw the server's first handshake message go by.
  const HelloSniffer& sniffer() const { return sniffer_; }

 private:
  bool receive();
  bool wait_async();

  int fd_;
  Connection& conn_;
  bool byte_at_a_time_;
  bool is_server_;
  HelloSniffer sniffer_;
  bool eof_sent_ = false;
  bool have_byte_ = false;
  uint8_t byte_ = 0;
  std::string transport_error_;
};

}  // namespace sluice::bogo
