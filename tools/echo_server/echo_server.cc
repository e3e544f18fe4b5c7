// echo_server: a TLS 1.3 echo and HTTP server on sluice's EpollLoop or
// UringLoop, in one line:
//
//   bazel run //tools/echo_server -- --loop=epoll      (or --loop=uring)
//   curl --cacert /tmp/sluice_echo_ca.pem https://localhost:8443/
//   openssl s_client -CAfile /tmp/sluice_echo_ca.pem -connect 127.0.0.1:8443   (then type: echoed)
//
// Flags: --listen=ADDR (repeatable; default 127.0.0.1:8443 and [::1]:8443),
// --cert=PEM --key=PEM (default: a chain made on the spot, root written to
// --ca-out=PATH), --handshake-timeout-ms, --idle-timeout-ms (0 turns either
// off), --stats-every=S, --seconds=N (stop after N s; default: until
// SIGINT/SIGTERM). Stopping is graceful: close_notify to every connection,
// then at most 2 s of draining.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "adapters/epoll/epoll_loop.h"
#include "adapters/io_uring/uring_loop.h"
#include "adapters/net/address.h"
#include "tools/echo_server/credentials.h"
#include "tools/echo_server/echo_session.h"

namespace sluice::tools {
namespace {

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

struct Flags {
  std::string loop = "epoll";
  std::vector<std::string> listen;
  std::string cert, key, ca_out = "/tmp/sluice_echo_ca.pem";
  adapters::LoopOptions options;
  int stats_every = 10;
  int seconds = 0;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr, "echo_server: %s\nusage: echo_server [--loop=epoll|uring] [--listen=ADDR]... "
               "[--cert=PEM --key=PEM] [--ca-out=PATH] [--handshake-timeout-ms=N] [--idle-timeout-ms=N] "
               "[--stats-every=S] [--seconds=N]\n", why);
  std::exit(2);
}

Flags parse(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const size_t eq = a.find('=');
    if (a.rfind("--", 0) != 0 || eq == std::string::npos) usage(("bad flag " + a).c_str());
    const std::string k = a.substr(2, eq - 2), v = a.substr(eq + 1);
    if (k == "loop") f.loop = v;
    else if (k == "listen") f.listen.push_back(v);
    else if (k == "cert") f.cert = v;
    else if (k == "key") f.key = v;
    else if (k == "ca-out") f.ca_out = v;
    else if (k == "handshake-timeout-ms") f.options.handshake_timeout = std::chrono::milliseconds(std::stoi(v));
    else if (k == "idle-timeout-ms") f.options.idle_timeout = std::chrono::milliseconds(std::stoi(v));
    else if (k == "stats-every") f.stats_every = std::stoi(v);
    else if (k == "seconds") f.seconds = std::stoi(v);
    else usage(("unknown flag " + a).c_str());
  }
  if (f.loop != "epoll" && f.loop != "uring") usage("--loop is epoll or uring");
  if (f.listen.empty()) f.listen = {"127.0.0.1:8443", "[::1]:8443"};
  return f;
}

void print_counters(const char* when, const adapters::LoopCounters& c) {
  std::printf("%s: open %llu, accepted %llu, handshakes %llu, failures %llu (", when,
              static_cast<unsigned long long>(c.open), static_cast<unsigned long long>(c.accepted),
              static_cast<unsigned long long>(c.handshakes), static_cast<unsigned long long>(c.failures()));
  for (size_t i = 0; i < adapters::kNumCloseReasons; ++i) {
    std::printf("%s%s %llu", i ? ", " : "", std::string(name(static_cast<adapters::CloseReason>(i))).c_str(),
                static_cast<unsigned long long>(c.closed[i]));
  }
  std::printf(")\n");
  std::fflush(stdout);
}

template <class Loop>
int serve(Loop& loop, const Flags& f, std::shared_ptr<Context> ctx) {
  adapters::Service service;
  service.ctx = std::move(ctx);
  service.make_handler = [](adapters::ConnId) {
    auto session = std::make_shared<EchoSession>();
    return [session](Connection& c) { return session->step(c); };
  };
  for (const auto& text : f.listen) {
    auto addr = net::SocketAddress::parse(text);
    if (!addr) usage(("cannot parse --listen=" + text).c_str());
    auto fd = net::listen_on(*addr);
    if (!fd) {
      std::fprintf(stderr, "echo_server: %s: %s\n", text.c_str(), fd.error().describe().c_str());
      return 1;
    }
    auto bound = net::SocketAddress::of_socket(fd->get());
    if (auto r = loop.listen(std::move(*fd), service); !r) {
      std::fprintf(stderr, "echo_server: listen: %s\n", r.error().describe().c_str());
      return 1;
    }
    std::printf("listening on %s (%s loop)\n", bound ? bound->to_string().c_str() : text.c_str(), f.loop.c_str());
  }
  std::fflush(stdout);
  const auto start = adapters::Clock::now();
  auto next_stats = start + std::chrono::seconds(f.stats_every);
  bool stopping = false;
  while (true) {
    auto r = loop.run(std::chrono::milliseconds(100));
    if (!r) {
      std::fprintf(stderr, "echo_server: %s\n", r.error().describe().c_str());
      return 1;
    }
    if (*r) break;  // shut down and drained
    const auto now = adapters::Clock::now();
    if (f.stats_every > 0 && now >= next_stats) {
      print_counters("stats", loop.counters());
      next_stats = now + std::chrono::seconds(f.stats_every);
    }
    const bool timed_out = f.seconds > 0 && now - start >= std::chrono::seconds(f.seconds);
    if (!stopping && (g_stop || timed_out)) {
      std::printf("shutting down: close_notify to %llu open connections\n",
                  static_cast<unsigned long long>(loop.counters().open));
      loop.begin_shutdown(std::chrono::seconds(2));
      stopping = true;
    }
  }
  print_counters("final", loop.counters());
  return 0;
}

int main_impl(int argc, char** argv) {
  const Flags f = parse(argc, argv);
  auto creds = f.cert.empty() ? make_credentials() : load_credentials(f.cert, f.key);
  if (!creds) {
    std::fprintf(stderr, "echo_server: credentials: %s\n", std::string(describe(creds.error().reason)).c_str());
    return 1;
  }
  if (!creds->root_pem.empty()) {
    std::ofstream(f.ca_out) << creds->root_pem;
    std::printf("made an Ed25519 chain for localhost, 127.0.0.1 and ::1; its root is in %s\n", f.ca_out.c_str());
  }
  struct sigaction sa{};
  sa.sa_handler = on_signal;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  if (f.loop == "epoll") {
    auto loop = adapters::EpollLoop::create(adapters::EpollLoop::Trigger::kLevel, f.options);
    if (!loop) return std::fprintf(stderr, "echo_server: %s\n", loop.error().describe().c_str()), 1;
    return serve(**loop, f, creds->server);
  }
  auto loop = adapters::UringLoop::create(1024, f.options);
  if (!loop) return std::fprintf(stderr, "echo_server: %s\n", loop.error().describe().c_str()), 1;
  return serve(**loop, f, creds->server);
}

}  // namespace
}  // namespace sluice::tools

int main(int argc, char** argv) { return sluice::tools::main_impl(argc, argv); }
