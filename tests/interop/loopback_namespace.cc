#include "tests/interop/loopback_namespace.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace sluice::interop {

namespace {

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

bool write_file(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

std::string unshare_network() {
  if (::geteuid() == 0) {
    if (::unshare(CLONE_NEWNET) != 0) return errno_text("unshare(CLONE_NEWNET)");
    return "";
  }
  // Without root, a user namespace brings the capability to configure the
  // new network namespace; mapping the caller to root there keeps it across
  // the peers' execve.
  const uid_t uid = ::geteuid();
  const gid_t gid = ::getegid();
  if (::unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0) return errno_text("unshare(CLONE_NEWUSER | CLONE_NEWNET)");
  if (!write_file("/proc/self/setgroups", "deny")) return errno_text("writing /proc/self/setgroups");
  if (!write_file("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1")) return errno_text("writing uid_map");
  if (!write_file("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1")) return errno_text("writing gid_map");
  return "";
}

std::string bring_loopback_up() {
  const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return errno_text("socket");
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  std::string err;
  if (::ioctl(s, SIOCGIFFLAGS, &ifr) != 0) {
    err = errno_text("SIOCGIFFLAGS lo");
  } else {
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    if (::ioctl(s, SIOCSIFFLAGS, &ifr) != 0) err = errno_text("SIOCSIFFLAGS lo up");
  }
  ::close(s);
  return err;
}

// listening_in says whether /proc/self/net/<file> lists a socket in state
// LISTEN (0A) on `port`; local addresses are "ADDR:PORT" in hex.
bool listening_in(const char* file, uint16_t port) {
  std::ifstream in(std::string("/proc/self/net/") + file);
  std::string line;
  std::getline(in, line);  // the header
  char want[8];
  std::snprintf(want, sizeof want, ":%04X", port);
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    if (state == "0A" && local.size() > 5 && local.compare(local.size() - 5, 5, want) == 0) return true;
  }
  return false;
}

}  // namespace

std::string enter_loopback_namespace() {
  static const std::string result = [] {
    std::string err = unshare_network();
    if (err.empty()) err = bring_loopback_up();
    return err;
  }();
  return result;
}

bool wait_listening(uint16_t port, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!listening_in("tcp", port) && !listening_in("tcp6", port)) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace sluice::interop
