// server_loops: load on tools/echo_server's protocol served by EpollLoop and
// UringLoop (issue 16). For each loop it forks a server process (so its RSS
// is the server's alone), then from this process drives
//   - 1,000 concurrent connections: all opened at once, each handshakes and
//     echoes 32 bytes, then stays open while the server's RSS is read;
//   - 10,000 sequential connections: one at a time, handshake, echo, close;
// and reports handshakes/s, p50/p99 latency (connect to echo received) and
// server RSS per connection. Loopback only.
//
//   bazel build --config=opt //bench:server_loops
//   bazel-bin/bench/server_loops [--concurrent=N] [--sequential=N] [--release-buffers]
#include <malloc.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "adapters/epoll/epoll_loop.h"
#include "adapters/io_uring/uring_loop.h"
#include "adapters/net/address.h"
#include "core/modes.h"
#include "tools/echo_server/credentials.h"
#include "tools/echo_server/echo_session.h"

namespace sluice::bench {
namespace {

using adapters::Clock;
using adapters::Want;

volatile sig_atomic_t g_stop = 0;
void on_term(int) { g_stop = 1; }

// ServerProbe: what the forked server publishes about itself, in memory
// shared with this process, refreshed every turn of its loop.
struct ServerProbe {
  std::atomic<uint64_t> heap_in_use{0};  // mallinfo2().uordblks
  std::atomic<uint64_t> open{0};
};
ServerProbe* g_probe = nullptr;

// settled_heap waits until the server reports `open` connections and a
// fresh reading, then returns its heap in use.
uint64_t settled_heap(uint64_t open) {
  for (int i = 0; i < 200 && g_probe->open.load() != open; ++i) ::usleep(10 * 1000);
  ::usleep(150 * 1000);  // at least one more turn of the server's loop
  return g_probe->heap_in_use.load();
}

// cpu_seconds_of is the user+system CPU time a process has used.
double cpu_seconds_of(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return 0;
  char buf[1024] = {};
  const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  // Fields after the ")" that ends the command name: state is field 3,
  // utime and stime are fields 14 and 15.
  const char* p = std::strrchr(buf, ')');
  if (!p || n == 0) return 0;
  unsigned long utime = 0, stime = 0;
  if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2) return 0;
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

size_t rss_of(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/statm";
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return 0;
  unsigned long size = 0, resident = 0;
  const int got = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  return got == 2 ? resident * static_cast<size_t>(::sysconf(_SC_PAGESIZE)) : 0;
}

// server_main runs in the forked child until SIGTERM.
template <class Loop>
[[noreturn]] void server_main(Loop& loop, net::Fd listener, std::shared_ptr<Context> ctx) {
  adapters::Service svc;
  svc.ctx = std::move(ctx);
  svc.make_handler = [](adapters::ConnId) {
    auto s = std::make_shared<tools::EchoSession>();
    return [s](Connection& c) { return s->step(c); };
  };
  if (!loop.listen(std::move(listener), svc)) std::_Exit(3);
  struct sigaction sa{};
  sa.sa_handler = on_term;
  ::sigaction(SIGTERM, &sa, nullptr);
  bool stopping = false;
  while (true) {
    g_probe->heap_in_use = mallinfo2().uordblks;
    g_probe->open = loop.counters().open;
    auto r = loop.run(std::chrono::milliseconds(50));
    if (!r || *r) break;
    if (g_stop && !stopping) {
      loop.begin_shutdown(std::chrono::seconds(2));
      stopping = true;
    }
  }
  const auto& c = loop.counters();
  std::fprintf(stderr, "  server: accepted %llu, handshakes %llu, failures %llu\n",
               static_cast<unsigned long long>(c.accepted), static_cast<unsigned long long>(c.handshakes),
               static_cast<unsigned long long>(c.failures()));
  std::_Exit(0);
}

// Client: handshake, echo 32 bytes, then close or hold the connection open.
class Client {
 public:
  Client(Clock::time_point started, bool hold) : started_(started), hold_(hold) {}
  Want step(Connection& c) {
    switch (phase_) {
      case 0: {
        const Progress p = c.handshake();
        if (p.status != Status::kOk) return fail_if(p);
        phase_ = 1;
        return Want::kAgain;
      }
      case 1: {
        const Progress p = c.write(ping_);
        if (p.status != Status::kOk) return fail_if(p);
        phase_ = 2;
        return Want::kAgain;
      }
      case 2: {
        uint8_t buf[64];
        const Progress p = c.read(std::span(buf, sizeof buf));
        if (p.status == Status::kOk) {
          got_ += p.bytes;
          if (got_ < sizeof ping_) return Want::kAgain;
          latency_ = Clock::now() - started_;
          resumed_ = c.negotiated().resumed;
          done_ = true;
          phase_ = 3;
          if (!hold_) {
            (void)c.shutdown();
            return Want::kClose;
          }
          return Want::kAgain;
        }
        return fail_if(p);
      }
      default: {
        // Holding: wait until the peer (or our shutdown) ends it.
        uint8_t buf[64];
        const Progress p = c.read(std::span(buf, sizeof buf));
        if (p.status == Status::kZeroReturn || p.status == Status::kError) return Want::kClose;
        return adapters::want_for(p);
      }
    }
  }
  bool done() const { return done_; }
  bool failed() const { return failed_; }
  bool resumed() const { return resumed_; }
  Clock::duration latency() const { return latency_; }

 private:
  Want fail_if(Progress p) {
    if (p.status == Status::kError || p.status == Status::kZeroReturn) failed_ = true;
    return adapters::want_for(p);
  }
  Clock::time_point started_;
  bool hold_;
  int phase_ = 0;
  size_t got_ = 0;
  bool done_ = false, failed_ = false, resumed_ = false;
  Clock::duration latency_{};
  uint8_t ping_[32] = {};
};

struct PhaseResult {
  size_t n = 0, failures = 0, resumed = 0;
  double seconds = 0, p50_ms = 0, p99_ms = 0;
  double server_cpu_ms = 0, client_cpu_ms = 0;  // per connection
  double heap_per_conn = 0;  // server heap in use per open connection (concurrent) or growth (sequential)
  double rss_per_conn = 0;  // concurrent: RSS held per open connection; sequential: growth per connection
};

double pct(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

PhaseResult drive(const net::SocketAddress& addr, std::shared_ptr<const Context> cctx, pid_t server, size_t n,
                  bool concurrent) {
  PhaseResult r;
  r.n = n;
  auto made = adapters::EpollLoop::create(adapters::EpollLoop::Trigger::kLevel);
  if (!made) std::exit(1);
  auto& loop = **made;
  std::vector<std::shared_ptr<Client>> clients;
  clients.reserve(n);
  const size_t rss0 = rss_of(server);
  const double heap0 = static_cast<double>(settled_heap(0));
  const double scpu0 = cpu_seconds_of(server), ccpu0 = cpu_seconds_of(::getpid());
  const auto t0 = Clock::now();
  auto open_one = [&] {
    auto c = std::make_shared<Client>(Clock::now(), concurrent);
    auto fd = net::connect_to(addr);
    if (!fd) {
      ++r.failures;
      return;
    }
    clients.push_back(c);
    if (!loop.add(std::move(*fd), Connection::client(cctx, "localhost"), [c](Connection& k) { return c->step(k); })) {
      ++r.failures;
    }
  };
  auto all_done = [&] {
    return std::all_of(clients.begin(), clients.end(), [](auto& c) { return c->done() || c->failed(); });
  };
  if (concurrent) {
    for (size_t i = 0; i < n; ++i) open_one();
    while (!all_done()) (void)loop.run(std::chrono::milliseconds(10));
  } else {
    for (size_t i = 0; i < n; ++i) {
      open_one();
      while (loop.counters().open > 0) (void)loop.run(std::chrono::milliseconds(10));
    }
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  r.server_cpu_ms = (cpu_seconds_of(server) - scpu0) * 1e3 / static_cast<double>(n);
  r.client_cpu_ms = (cpu_seconds_of(::getpid()) - ccpu0) * 1e3 / static_cast<double>(n);
  if (concurrent) {
    r.heap_per_conn = (static_cast<double>(settled_heap(n)) - heap0) / static_cast<double>(n);
    r.rss_per_conn = (static_cast<double>(rss_of(server)) - static_cast<double>(rss0)) / static_cast<double>(n);
    loop.begin_shutdown(std::chrono::seconds(5));
    while (true) {
      auto done = loop.run(std::chrono::milliseconds(50));
      if (!done || *done) break;
    }
    ::usleep(300 * 1000);
  } else {
    r.heap_per_conn = (static_cast<double>(settled_heap(0)) - heap0) / static_cast<double>(n);
    r.rss_per_conn = (static_cast<double>(rss_of(server)) - static_cast<double>(rss0)) / static_cast<double>(n);
  }
  std::vector<double> ms;
  for (auto& c : clients) {
    if (c->failed() || !c->done()) {
      ++r.failures;
      continue;
    }
    if (c->resumed()) ++r.resumed;
    ms.push_back(std::chrono::duration<double, std::milli>(c->latency()).count());
  }
  r.p50_ms = pct(ms, 0.50);
  r.p99_ms = pct(ms, 0.99);
  return r;
}

void report(const char* loop, const char* phase, const PhaseResult& r) {
  std::printf("| %-6s | %-22s | %6zu | %6.0f | %7.2f | %7.2f | %9.0f | %8.0f | %6.3f | %6.3f | %4zu |\n", loop,
              phase, r.n, static_cast<double>(r.n) / r.seconds, r.p50_ms, r.p99_ms, r.heap_per_conn, r.rss_per_conn,
              r.server_cpu_ms, r.client_cpu_ms, r.failures);
  if (r.resumed != 0 && r.resumed + 1 < r.n) std::printf("  (only %zu of %zu resumed)\n", r.resumed, r.n);
  std::fflush(stdout);
}

int main_impl(int argc, char** argv) {
  size_t concurrent = 1000, sequential = 10000;
  bool release = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--release-buffers")) release = true;
    if (!std::strncmp(argv[i], "--concurrent=", 13)) concurrent = std::stoul(argv[i] + 13);
    else if (!std::strncmp(argv[i], "--sequential=", 13)) sequential = std::stoul(argv[i] + 13);
  }
  auto creds = tools::make_credentials();
  if (!creds) return 1;
  // Full handshakes: no session store, so no client ever resumes. Resumed:
  // the default store keeps the server's tickets (the first one is full).
  const std::shared_ptr<Context> full = creds->client_pinned;
  full->set_session_store(nullptr);
  const std::shared_ptr<Context> resuming = creds->client;
  // --release-buffers: the server's idle connections hand their record
  // buffers back to the context's freelist (kModeReleaseBuffers).
  if (release) creds->server->set_mode(kModeReleaseBuffers);
  void* shared = ::mmap(nullptr, sizeof(ServerProbe), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) return 1;
  g_probe = new (shared) ServerProbe;
  std::printf("| loop   | phase                  |  conns |   hs/s |  p50 ms |  p99 ms | heap B/c  | RSS B/c  | srv ms | cli ms | fail |\n"
              "|--------|------------------------|--------|--------|---------|---------|-----------|----------|--------|--------|------|\n");
  for (const char* kind : {"epoll", "uring"}) {
    auto listener = net::listen_on(net::SocketAddress::loopback4(0));
    if (!listener) return 1;
    auto addr = net::SocketAddress::of_socket(listener->get());
    if (!addr) return 1;
    const pid_t pid = ::fork();
    if (pid == 0) {
      if (!std::strcmp(kind, "epoll")) {
        auto loop = adapters::EpollLoop::create(adapters::EpollLoop::Trigger::kLevel);
        if (!loop) std::_Exit(2);
        server_main(**loop, std::move(*listener), creds->server);
      }
      auto loop = adapters::UringLoop::create(4096);
      if (!loop) std::_Exit(2);
      server_main(**loop, std::move(*listener), creds->server);
    }
    listener->reset();
    // Warm up (allocator arenas, the engine's freelist) before measuring.
    (void)drive(*addr, full, pid, 200, false);
    report(kind, "concurrent, full hs", drive(*addr, full, pid, concurrent, true));
    report(kind, "sequential, full hs", drive(*addr, full, pid, sequential, false));
    report(kind, "sequential, resumed", drive(*addr, resuming, pid, sequential, false));
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
  }
  std::printf("\nsrv ms / cli ms: CPU time of the server process / of this (client) process per connection.\n");
  std::printf("heap B/c, RSS B/c: concurrent = the server's heap in use (mallinfo2) and RSS held per open\n"
              "connection; sequential = their growth per connection served (0 = nothing kept after close).\n"
              "The resumed run resumes every session but the first.\n");
  return 0;
}

}  // namespace
}  // namespace sluice::bench

int main(int argc, char** argv) { return sluice::bench::main_impl(argc, argv); }
