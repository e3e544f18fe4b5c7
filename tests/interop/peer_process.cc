#include "tests/interop/peer_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <utility>

namespace sluice::interop {

namespace {

// resolve_in_path is the file `name` names: itself when it holds a slash,
// otherwise the first executable of that name in PATH and the Debian
// directories Bazel's minimal PATH leaves out (lighttpd is in /usr/sbin).
std::optional<std::string> resolve_in_path(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  dirs += ":/usr/bin:/bin:/usr/sbin";
  size_t start = 0;
  while (start <= dirs.size()) {
    const size_t colon = dirs.find(':', start);
    const std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (!dir.empty() && ::access((dir + "/" + name).c_str(), X_OK) == 0) return dir + "/" + name;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return std::nullopt;
}

}  // namespace

std::optional<PeerProcess> PeerProcess::start(const std::vector<std::string>& argv, std::string& out_error) {
  if (argv.empty()) {
    out_error = "no command";
    return std::nullopt;
  }
  // Resolved here, not by execvp in the child, so a peer is found exactly
  // where find_in_path found it.
  const auto file = resolve_in_path(argv[0]);
  if (!file) {
    out_error = argv[0] + " not found in PATH";
    return std::nullopt;
  }
  int in_pipe[2], out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0) {
    out_error = "pipe failed";
    return std::nullopt;
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    out_error = "fork failed";
    return std::nullopt;
  }
  if (pid == 0) {
    // The peer must not outlive a test that crashes or is killed.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(out_pipe[1], 2);
    ::execv(file->c_str(), args.data());
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  PeerProcess p;
  p.pid_ = pid;
  p.in_ = in_pipe[1];
  p.out_fd_ = out_pipe[0];
  p.argv_ = argv;
  // Writes to a peer that already exited must fail, not kill the test.
  ::signal(SIGPIPE, SIG_IGN);
  return p;
}

PeerProcess::PeerProcess(PeerProcess&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)),
      in_(std::exchange(o.in_, -1)),
      out_fd_(std::exchange(o.out_fd_, -1)),
      out_(std::move(o.out_)),
      argv_(std::move(o.argv_)),
      status_(o.status_) {}

PeerProcess::~PeerProcess() {
  kill_now();
  if (in_ >= 0) ::close(in_);
  if (out_fd_ >= 0) ::close(out_fd_);
}

void PeerProcess::kill_now() {
  if (pid_ > 0 && !status_) {
    ::kill(pid_, SIGKILL);
    int st = 0;
    ::waitpid(pid_, &st, 0);
    status_ = -1;
  }
}

std::string PeerProcess::command() const {
  std::string s;
  for (const auto& a : argv_) {
    if (!s.empty()) s += ' ';
    s += a;
  }
  return s;
}

bool PeerProcess::write_stdin(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(in_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void PeerProcess::close_stdin() {
  if (in_ >= 0) ::close(in_);
  in_ = -1;
}

bool PeerProcess::pump(std::chrono::milliseconds timeout) {
  if (out_fd_ < 0) return false;
  pollfd p{out_fd_, POLLIN, 0};
  const int r = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (r <= 0) return true;
  char buf[4096];
  const ssize_t n = ::read(out_fd_, buf, sizeof buf);
  if (n <= 0) {
    ::close(out_fd_);
    out_fd_ = -1;
    return false;
  }
  out_.append(buf, static_cast<size_t>(n));
  return true;
}

std::optional<std::string> PeerProcess::wait_for_line(std::string_view prefix, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (const size_t at = out_.find(prefix); at != std::string::npos) {
      if (const size_t end = out_.find_first_of("\r\n", at); end != std::string::npos)
        return out_.substr(at + prefix.size(), end - at - prefix.size());
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0 || !pump(left)) return std::nullopt;
  }
}

bool PeerProcess::wait_for_output(std::string_view needle, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (out_.find(needle) == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    if (!pump(left)) return out_.find(needle) != std::string::npos;
  }
  return true;
}

std::optional<int> PeerProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  // Read until EOF first: the peer's last words arrive before it exits.
  while (out_fd_ >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    pump(left);
  }
  while (!status_) {
    int st = 0;
    const pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      break;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    // The pipe is closed, so the exit is imminent; poll() on nothing is a
    // bounded pause between waitpid checks (no pidfd wait in this libc).
    ::poll(nullptr, 0, 5);
  }
  return status_;
}

bool find_in_path(const std::string& name) { return resolve_in_path(name).has_value(); }

CommandResult run_command(const std::vector<std::string>& argv) {
  std::string err;
  auto p = PeerProcess::start(argv, err);
  if (!p) return {-1, err};
  p->close_stdin();
  auto st = p->wait_exit(std::chrono::seconds(60));
  return {st.value_or(-1), p->output()};
}

}  // namespace sluice::interop
