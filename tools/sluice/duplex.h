// Duplex: one connection over a non-blocking socket, driven by one poll()
// over the socket, the terminal (stdin) and the provider's async fd. Reading
// never waits for writing and writing never waits for reading, so a peer
// that echoes megabytes back while we still send cannot fill both TCP
// windows and stall both sides (issue 17: s_client used to read stdin to EOF
// before it read the socket).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <span>
#include <string>

#include "adapters/net/fd.h"
#include "core/connection.h"

namespace sluice::tool {

// How a connection ended.
enum class Ending : uint8_t {
  kClean,      // close_notify sent and received
  kTruncated,  // the transport closed without the peer's close_notify
  kError,      // a TLS or socket error (message says which)
};

struct DuplexOptions {
  int input_fd = -1;       // stdin, or -1: no input
  bool commands = true;    // a line that is one command letter is a command, not data
  bool ign_eof = false;    // input EOF does not close the connection
  // echo: what on_data receives is queued back to the peer, so reading
  // pauses while much is queued. Without it reading never pauses: typed
  // data waiting for the peer must not stop us taking the peer's data.
  bool echo = false;
  // on_data receives the peer's application data.
  std::function<void(std::span<const uint8_t>)> on_data;
  // on_command runs a command letter from the input (k, K, R, Q, ...).
  std::function<void(char)> on_command;
  // on_renegotiation hears that a TLS 1.2 renegotiation ended: completed,
  // or (false) declined by the peer with a no_renegotiation warning.
  std::function<void(bool completed)> on_renegotiation;
};

class Duplex {
 public:
  // Duplex takes a connected socket and makes it non-blocking.
  Duplex(net::Fd fd, Connection conn);

  // handshake runs the handshake; false with `out_error` on failure.
  [[nodiscard]] bool handshake(std::string& out_error);
  // run moves data both ways until the connection ends.
  Ending run(const DuplexOptions& o, std::string& out_error);

  // send queues plaintext for the peer (sent by run()).
  void send(std::string data);
  size_t queued() const { return queued_bytes_; }
  // close sends close_notify once the queued data is out.
  void close() { want_close_ = true; }
  // call runs an engine call that may need outbound room (key_update,
  // renegotiate, request_client_certificate): it is retried after the
  // socket drains while it says kWantWrite. False: it failed.
  bool call(const std::function<Progress(Connection&)>& op, std::string& out_error);

  Connection& connection() { return conn_; }
  uint64_t bytes_sent() const { return sent_; }
  uint64_t bytes_received() const { return received_; }

 private:
  // flush sends what the engine produced until the socket would block.
  bool flush(std::string& out_error);
  // receive reads what the socket has into the engine (once).
  bool receive(std::string& out_error);
  // wait polls the socket (and `input_fd` when >= 0) for what the engine
  // needs; returns poll's revents of input_fd (0 when not ready).
  bool wait(bool want_socket_read, int input_fd, bool& out_input_ready, std::string& out_error);
  std::string tls_error(const char* during) const;

  net::Fd fd_;
  Connection conn_;
  std::deque<std::string> queue_;
  size_t front_offset_ = 0;
  size_t queued_bytes_ = 0;
  bool want_close_ = false, sent_close_ = false, peer_closed_ = false, transport_eof_ = false;
  uint64_t sent_ = 0, received_ = 0;
  int renegotiations_ = 0;        // completed, as last reported
  bool renegotiating_ = false;    // a renegotiation ran at the last look
};

}  // namespace sluice::tool
