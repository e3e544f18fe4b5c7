// PeerProcess: a real TLS peer (openssl, gnutls, curl, the sluice CLI) run
// as a child process with pipes on stdin and stdout (stderr is merged into
// stdout), killed on destruction. Every wait is bounded by a deadline.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::interop {

using Clock = std::chrono::steady_clock;
// The default bound for any one wait on a peer.
inline constexpr std::chrono::seconds kPeerTimeout{20};

class PeerProcess {
 public:
  // start runs argv[0] (searched in PATH). An empty optional means fork or
  // exec failed; `out_error` says which.
  static std::optional<PeerProcess> start(const std::vector<std::string>& argv, std::string& out_error);
  PeerProcess(PeerProcess&&) noexcept;
  PeerProcess& operator=(PeerProcess&&) = delete;
  ~PeerProcess();

  // write_stdin writes all of `data`; close_stdin sends EOF.
  bool write_stdin(std::string_view data);
  void close_stdin();
  // wait_for_output reads until `needle` appears in the output or the
  // deadline passes (or the peer exits). Returns whether it appeared.
  bool wait_for_output(std::string_view needle, std::chrono::milliseconds timeout = kPeerTimeout);
  // wait_for_line waits until a line holding `prefix` is complete and
  // returns the rest of that line after `prefix` (nullopt on timeout/exit).
  std::optional<std::string> wait_for_line(std::string_view prefix, std::chrono::milliseconds timeout = kPeerTimeout);
  // wait_exit waits for the process to end, reading its output, and returns
  // its exit status (or nullopt on timeout).
  std::optional<int> wait_exit(std::chrono::milliseconds timeout = kPeerTimeout);
  // output is everything read so far.
  const std::string& output() const { return out_; }
  std::string command() const;

 private:
  PeerProcess() = default;
  // pump reads what is available within `timeout`; false on EOF.
  bool pump(std::chrono::milliseconds timeout);
  void kill_now();

  pid_t pid_ = -1;
  int in_ = -1;
  int out_fd_ = -1;
  std::string out_;
  std::vector<std::string> argv_;
  std::optional<int> status_;
};

// find_in_path says whether an executable is installed.
bool find_in_path(const std::string& name);

// run_command runs argv to completion (bounded) and returns its exit status
// and output; for openssl certificate generation.
struct CommandResult {
  int status = -1;
  std::string output;
};
CommandResult run_command(const std::vector<std::string>& argv);

// tail keeps the end of a peer's output for failure messages.
inline std::string tail(const std::string& s, size_t n = 2000) {
  return s.size() <= n ? s : "..." + s.substr(s.size() - n);
}

}  // namespace sluice::interop
